// Docker's side: its template functions (docs.docker.com/engine/cli/formatting), the
// listing formats of docker/cli's formatter (table, json, custom), its tabwriter
// settings, and values built from Swift's Encodable types.
import XCTest
@testable import SwiftboxTemplate

final class DockerFormatTests: XCTestCase {
    func run(_ text: String, _ data: TemplateValue) throws -> String { try Template(text).execute(data) }

    /// The examples of Docker's "Format command and log output" page.
    func testDockerFunctions() throws {
        let data = TemplateValue.object(TemplateObject(map: [
            "Args": .list([.string("-c"), .string("sleep 1")]),
            "Name": .string("/Web_Server"),
            "Image": .string("ubuntu:22.04"),
            "Labels": .object(TemplateObject(strings: ["b": "2", "a": "1"])),
        ]))
        XCTAssertEqual(try run(#"{{join .Args " , "}}"#, data), "-c , sleep 1")
        XCTAssertEqual(try run("{{json .Labels}}", data), #"{"a":"1","b":"2"}"#)
        XCTAssertEqual(try run("{{lower .Name}} {{upper .Name}}", data), "/web_server /WEB_SERVER")
        XCTAssertEqual(try run(#"{{split .Image ":"}}"#, data), "[ubuntu 22.04]")
        XCTAssertEqual(try run("{{title \"hello wide_world-x\"}}", data), "Hello Wide_world-X")
        XCTAssertEqual(try run("{{println .Name}}", data), "/Web_Server\n")
        XCTAssertEqual(try run("[{{pad .Image 2 1}}][{{pad \"\" 2 1}}]", data), "[  ubuntu:22.04 ][]")
        XCTAssertEqual(try run("{{truncate .Image 6}}|{{truncate .Image 60}}", data), "ubuntu|ubuntu:22.04")
        XCTAssertEqual(try run("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", data), "a=1;b=2;")
        // json: Go's encoder without HTML escaping, Unicode kept, control characters escaped.
        XCTAssertEqual(try run("{{json .}}", .string("<a&b> é\n\u{1}")), #""<a&b> é\n\u0001""#)
        XCTAssertEqual(try run("{{json .}}", .list([.double(1.5), .double(1e21), .int(3), .null, .bool(true)])), "[1.5,1e+21,3,null,true]")
    }

    func row(_ id: String, _ name: String, labels: [String: String] = [:]) -> TemplateValue {
        ListingFormat.row("*formatter.ContainerContext", [("ID", .string(id)), ("Names", .string(name)), ("Status", .string("Up 1 second"))],
                          labels: labels)
    }

    let header = ListingFormat.header(["ID": "CONTAINER ID", "Names": "NAMES", "Status": "STATUS"])

    /// `table …`: the header is the template run on the column names (functions leave
    /// them alone), columns are aligned with padding 3 and at least 10 wide.
    func testTable() throws {
        let f = try ListingFormat(#"table {{.ID}}\t{{upper .Names}}\t{{.Status}}"#)
        XCTAssertEqual(try f.render([row("abc", "web"), row("0123456789abcdef", "db")], header: header),
                       "CONTAINER ID       NAMES     STATUS\n" +
                       "abc                WEB       Up 1 second\n" +
                       "0123456789abcdef   DB        Up 1 second\n")
        // No rows: the header alone.
        XCTAssertEqual(try f.render([], header: header), "CONTAINER ID   NAMES     STATUS\n")
        XCTAssertEqual(try ListingFormat(#"table {{.Label "com.example.app-name"}}"#).render([row("a", "b", labels: ["com.example.app-name": "shop"])], header: header),
                       "app name\nshop\n")
    }

    func testJSONAndCustomFormats() throws {
        let json = try ListingFormat("json")
        XCTAssertEqual(try json.render([row("abc", "web"), row("def", "db")], header: header),
                       #"{"ID":"abc","Names":"web","Status":"Up 1 second"}"# + "\n" + #"{"ID":"def","Names":"db","Status":"Up 1 second"}"# + "\n")
        let custom = try ListingFormat(#"{{.Names}}\t{{.Label "tier"}}"#)
        XCTAssertEqual(try custom.render([row("abc", "web", labels: ["tier": "front"])], header: header), "web\tfront\n")
        XCTAssertEqual(try ListingFormat("table").kind, .defaultTable)
    }

    /// Docker's wording: "template parsing error: " before Go's message, for both kinds.
    func testErrors() {
        XCTAssertThrowsError(try ListingFormat("{{.Names}").render([], header: header)) { e in
            XCTAssertEqual((e as? TemplateError)?.message, "template parsing error: template: :1: bad character U+007D '}'")
        }
        XCTAssertThrowsError(try ListingFormat("{{.Nope}}").render([row("a", "b")], header: header)) { e in
            XCTAssertEqual((e as? TemplateError)?.message,
                           #"template parsing error: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext"#)
        }
        // An unknown word is an error, not a silent default.
        XCTAssertThrowsError(try ListingFormat("yaml")) { e in
            XCTAssertEqual((e as? TemplateError)?.message, #"unknown --format "yaml": use table, json, or a Go template such as '{{.ID}}'"#)
        }
        XCTAssertNoThrow(try ListingFormat("text", accepting: ["text"]))
    }

    /// text/tabwriter's elastic columns: a line with fewer cells ends a column block.
    func testTabWriter() {
        let w = TabWriter(minWidth: 0, padding: 1)
        XCTAssertEqual(w.format("a\tb\tc\naaa\tbbbb\tc\nx\n"), "a   b    c\naaa bbbb c\nx\n")
        XCTAssertEqual(w.format("aaaa\tb\nx\nc\td\n"), "aaaa b\nx\nc d\n")
        XCTAssertEqual(TabWriter().format("ID\tN\n"), "ID        N\n")
    }

    struct Inspected: Encodable {
        struct State: Encodable { var Status: String; var Health: String? }
        var Id: String
        var State: State
        var Env: [String]
        var Labels: [String: String]
        var Ports: [String: [String]]?
    }

    /// Encodable → value: structs are records in declaration order, dictionaries maps,
    /// nil optionals nil fields that `json` leaves out.
    func testEncodedValues() throws {
        let v = try TemplateValueEncoder.encode(Inspected(Id: "abc", State: .init(Status: "running", Health: nil), Env: ["A=1", "B=2"],
                                                          Labels: ["z": "1"], Ports: nil))
        XCTAssertEqual(try run("{{.State.Status}} {{if .State.Health}}h{{else}}no health{{end}} {{.Env}} {{index .Env 1}}", v),
                       "running no health [A=1 B=2] B=2")
        XCTAssertEqual(try run(#"{{.Labels.nope}}|{{index .Labels "nope"}}|{{.Labels.z}}"#, v), "<no value>||1")
        XCTAssertEqual(try run("{{json .}}", v), #"{"Id":"abc","State":{"Status":"running"},"Env":["A=1","B=2"],"Labels":{"z":"1"}}"#)
        XCTAssertThrowsError(try run("{{.Nope}}", v))
        // Docker's inspect fallback: the same data as plain maps, missingkey=error.
        XCTAssertThrowsError(try Template("{{.State.Nope}}").execute(v.asRawMaps, missingKey: .error)) { e in
            XCTAssertEqual((e as? TemplateError)?.message, #"template: :1:8: executing "" at <.State.Nope>: map has no entry for key "Nope""#)
        }
    }
}
