// --format / -f end to end: the commands scripts written for Docker run, against real
// containers — ps with a template, a table and json; inspect -f with Docker's answers
// for a missing key and a template that does not parse; images, volume ls and volume
// inspect; and an unknown --format value, which is an error, never the default table.
import XCTest

final class FormatTests: EngineTestCase {
    let image = "busybox-image:latest"

    func testPsFormats() throws {
        XCTAssertEqual(run(["-d", "--name", "web", "-l", "tier=front", image, "sleep", "100"]).status, 0)
        XCTAssertEqual(sbx(["create", "--name", "idle", image, "true"]).status, 0)

        XCTAssertEqual(sbx(["ps", "--format", "{{.Names}}"]).out, "web\n")
        XCTAssertEqual(sbx(["ps", "-a", "--format", "{{.Names}}"]).out.split(separator: "\n").sorted(), ["idle", "web"])
        let tabbed = sbx(["ps", "--format", #"{{.Names}}\t{{.Status}}"#]).out
        XCTAssertTrue(tabbed.hasPrefix("web\tUp "), tabbed)
        // A table: the header from the column names, aligned as Docker's tabwriter does.
        XCTAssertEqual(sbx(["ps", "--format", #"table {{.Names}}\t{{.State}}\t{{.Label "tier"}}"#]).out,
                       "NAMES     STATE     tier\nweb       running   front\n")
        XCTAssertEqual(sbx(["ps", "--format", #"{{if eq .State "running"}}{{upper .Names}}{{end}}"#]).out, "WEB\n")

        let json = sbx(["ps", "--format", "json"])
        XCTAssertEqual(json.status, 0, json.err)
        let row = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: String], json.out)
        XCTAssertEqual(row["Names"], "web")
        XCTAssertEqual(row["State"], "running")
        XCTAssertEqual(row["Labels"], "tier=front")

        // Docker's messages and exit status for a field ps rows lack and for bad syntax.
        let nope = sbx(["ps", "--format", "{{.Nope}}"])
        XCTAssertEqual(nope.status, 1)
        XCTAssertEqual(nope.out, "")
        XCTAssertTrue(nope.err.contains(#"template parsing error: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext"#), nope.err)
        let unclosed = sbx(["ps", "--format", "{{.Names"])
        XCTAssertEqual(unclosed.status, 1)
        XCTAssertTrue(unclosed.err.contains("template: :1: unclosed action"), unclosed.err)
        // A value that is not a format: an error, not the default table.
        let yaml = sbx(["ps", "--format", "yaml"])
        XCTAssertEqual(yaml.status, 1)
        XCTAssertEqual(yaml.out, "")
        XCTAssertTrue(yaml.err.contains(#"unknown --format "yaml""#), yaml.err)
    }

    func testInspectFormat() throws {
        XCTAssertEqual(run(["-d", "--name", "web", "-l", "tier=front", "-e", "MODE=test", "-v", "data:/data", image, "sleep", "100"]).status, 0)

        XCTAssertEqual(sbx(["inspect", "-f", "{{.State.Status}}", "web"]).out, "running\n")
        XCTAssertEqual(sbx(["inspect", "--format", "{{json .Config.Labels}} {{.Name}}", "web"]).out, #"{"tier":"front"} /web"# + "\n")
        XCTAssertEqual(sbx(["inspect", "-f", #"{{range .Mounts}}{{.Type}}:{{.Name}}:{{.Destination}}{{end}}"#, "web"]).out, "volume:data:/data\n")
        XCTAssertEqual(sbx(["inspect", "-f", #"{{range .Config.Env}}{{if eq . "MODE=test"}}{{.}}{{end}}{{end}}"#, "web"]).out, "MODE=test\n")
        // A missing label prints "<no value>" (a map); no healthcheck is a false `if`.
        XCTAssertEqual(sbx(["inspect", "-f", #"{{.Config.Labels.nope}}|{{index .Config.Labels "nope"}}|{{if .State.Health}}h{{else}}none{{end}}"#, "web"]).out,
                       "<no value>||none\n")
        // Images too, through the same inspect.
        XCTAssertEqual(sbx(["inspect", "-f", "{{.Os}}", image]).out, "linux\n")

        let nope = sbx(["inspect", "-f", "{{.Nope}}", "web"])
        XCTAssertEqual(nope.status, 1)
        XCTAssertEqual(nope.out, "\n")
        XCTAssertTrue(nope.err.contains(#"template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#), nope.err)
        let parse = sbx(["inspect", "-f", "{{.State.Status", "web"])
        XCTAssertEqual(parse.status, 64)
        XCTAssertTrue(parse.err.contains("template parsing error: template: :1: unclosed action"), parse.err)
        let compact = sbx(["inspect", "--format", "json", "web"])
        XCTAssertTrue(compact.out.hasPrefix(#"[{"Id":""#) && !compact.out.dropLast().contains("\n"), compact.out)
    }

    func testImagesAndVolumesFormats() throws {
        XCTAssertEqual(sbx(["images", "--format", "table {{.Repository}}:{{.Tag}}"]).out, "REPOSITORY:TAG\nbusybox-image:latest\n")
        XCTAssertEqual(sbx(["image", "ls", "--format", "{{.Repository}} {{.Tag}}"]).out, "busybox-image latest\n")
        XCTAssertTrue(sbx(["images", "--format", "json"]).out.contains(#""Repository":"busybox-image""#))

        XCTAssertEqual(sbx(["volume", "create", "--label", "team=db", "vol"]).status, 0)
        XCTAssertEqual(sbx(["volume", "ls", "--format", #"{{.Name}} {{.Driver}} {{.Label "team"}}"#]).out, "vol local db\n")
        XCTAssertEqual(sbx(["volume", "inspect", "-f", "{{.Name}} {{.Labels.team}}", "vol"]).out, "vol db\n")
        let bad = sbx(["volume", "ls", "--format", "list"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains(#"unknown --format "list""#), bad.err)
    }
}
