// `build:` in compose, end to end on swiftbox's own builder: two services built from
// Dockerfiles FROM the busybox fixture (one short form; one long form with a build arg,
// a target stage, an image name and a label), each a tiny httpd serving a file; `up -d`
// builds both and they answer each other by name; a second `up -d` builds nothing; `up
// --build` after a change in one context rebuilds (and recreates) that one only;
// `compose build --no-cache`; `up --no-build` with a missing image fails naming the
// service; `down --rmi local` removes what compose built. Teardown takes the project
// down with its images, then EngineTestCase checks that nothing is left.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class ComposeBuildTests: EngineTestCase {
    var projectDir: String { work + "/proj" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(atPath: projectDir + "/web", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: projectDir + "/api", withIntermediateDirectories: true)
        try write("web/Dockerfile", """
        FROM busybox-image:latest
        COPY index.html /www/index.html
        CMD ["httpd", "-f", "-p", "80", "-h", "/www"]
        """)
        try write("web/index.html", "hello from web\n")
        // Three stages: the target (prod) needs base only; `broken` would fail if built.
        try write("api/Dockerfile", """
        FROM busybox-image:latest AS base
        ARG GREETING=unset
        RUN mkdir -p /www && echo "$GREETING from api" > /www/index.html

        FROM base AS prod
        CMD ["httpd", "-f", "-p", "80", "-h", "/www"]

        FROM base AS broken
        RUN exit 3
        """)
        try write("compose.yaml", """
        services:
          web:
            build: ./web
          api:
            image: cbt-api:v1
            build:
              context: api
              args:
                - GREETING=${GREETING:-bonjour}
              target: prod
              labels:
                org.example.role: api
        """)
    }

    override func tearDownWithError() throws {
        if !work.isEmpty {
            _ = compose(["down", "-v", "-t", "0", "--remove-orphans", "--rmi", "all"])
            for id in sbx(["ps", "-aq", "--no-trunc"]).out.split(separator: "\n") { _ = sbx(["rm", "-f", String(id)]) }
            _ = Self.shell([Self.binary, "system", "prune", "--root", engineRoot, "-f"])
        }
        try super.tearDownWithError()
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: projectDir + "/" + name, atomically: true, encoding: .utf8)
    }

    /// `swiftbox compose --project-directory DIR -p cbt CMD --root ROOT ARGS…`.
    @discardableResult
    func compose(_ args: [String], env: [String] = []) -> (status: Int32, out: String, err: String) {
        let argv = [Self.binary, "compose", "--project-directory", projectDir, "-p", "cbt", args[0], "--root", engineRoot] + args.dropFirst()
        return Self.shell(env.isEmpty ? argv : ["/usr/bin/env"] + env + argv)
    }

    func imageID(_ name: String) -> String {
        sbx(["image", "inspect", "--format", "{{.Id}}", name]).out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `from` fetches http://to/ inside the project's network until it gets `expected`
    /// (name resolution and the server may take a moment after a start).
    func expectFetch(from: String, _ to: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        var last = (status: Int32(0), out: "", err: "")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            last = compose(["exec", from, "wget", "-qO-", "http://\(to)/"])
            if last.out == expected { return }
            usleep(100_000)
        }
        XCTFail("\(from) → http://\(to)/: got \(last.out.debugDescription), wanted \(expected.debugDescription) (status \(last.status): \(last.err))", file: file, line: line)
    }

    func count(_ text: String, _ word: String) -> Int { text.components(separatedBy: word).count - 1 }

    func testUpBuildsBothServicesOnceAndRebuildsOnlyWhatChanged() throws {
        // First up: both images are missing, so both are built, then the containers start.
        var r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains(" ✔ Service web  Built"), r.err)
        XCTAssertTrue(r.err.contains(" ✔ Service api  Built"), r.err)
        XCTAssertTrue(r.err.contains("[web 2/3] COPY index.html /www/index.html"), "vertices carry the service: \(r.err)")
        XCTAssertTrue(r.err.contains("[api base 3/3] RUN mkdir -p /www"), r.err)
        XCTAssertFalse(r.err.contains("RUN exit 3"), "stages the target does not need are not built")
        XCTAssertTrue(r.err.contains("naming to docker.io/library/cbt-web:latest done"), "web's image is <project>-<service>: \(r.err)")
        XCTAssertTrue(r.err.contains("naming to docker.io/library/cbt-api:v1 done"), "api's image is its image: \(r.err)")
        XCTAssertTrue(r.err.contains("Container cbt-web-1  Started"), r.err)
        XCTAssertTrue(r.err.contains("Container cbt-api-1  Started"), r.err)
        let webID = imageID("cbt-web")
        let apiID = imageID("cbt-api:v1")
        XCTAssertTrue(webID.hasPrefix("sha256:"), webID)
        XCTAssertTrue(apiID.hasPrefix("sha256:"), apiID)
        XCTAssertEqual(sbx(["image", "inspect", "--format", "{{index .Config.Labels \"org.example.role\"}} {{index .Config.Labels \"com.docker.compose.service\"}}", "cbt-api:v1"]).out,
                       "api api\n", "build labels and compose's labels are on the image")
        let ps = compose(["ps", "--format", "{{.Name}} {{.Image}}"]).out
        XCTAssertEqual(ps, "cbt-api-1 cbt-api:v1\ncbt-web-1 cbt-web\n", "containers run the built images")

        // The services answer each other by name, with the build arg's value inside.
        expectFetch(from: "web", "api", "bonjour from api\n")
        expectFetch(from: "api", "web", "hello from web\n")

        // A second up: nothing to build (the images are there), nothing recreated.
        r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.err.contains("Built"), r.err)
        XCTAssertFalse(r.err.contains(" DONE "), "no step ran: \(r.err)")
        XCTAssertEqual(count(r.err, "Running"), 2, r.err)

        // up --build with nothing changed: every step CACHED, the same images, nothing recreated.
        r = compose(["up", "-d", "--build"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("[api base 3/3] RUN mkdir -p /www"), r.err)
        XCTAssertGreaterThanOrEqual(count(r.err, "CACHED"), 4, r.err)
        XCTAssertEqual(imageID("cbt-web"), webID)
        XCTAssertEqual(imageID("cbt-api:v1"), apiID)
        XCTAssertEqual(count(r.err, "Running"), 2, r.err)
        XCTAssertFalse(r.err.contains("Recreated"), r.err)

        // A file of web's context changes: up --build rebuilds web (its COPY runs again) and
        // recreates its container; api's build is all cached, its container kept.
        try write("web/index.html", "hello again\n")
        r = compose(["up", "-d", "--build"])
        XCTAssertEqual(r.status, 0, r.err)
        // The line after the COPY vertex's name says whether it ran (DONE) or was CACHED.
        let afterCopy = r.err.components(separatedBy: "\n").drop { !$0.contains("[web 2/3] COPY") }.dropFirst().first ?? ""
        XCTAssertTrue(afterCopy.contains("DONE"), "web's COPY ran: \(r.err)")
        let afterRun = r.err.components(separatedBy: "\n").drop { !$0.contains("[api base 3/3] RUN") }.dropFirst().first ?? ""
        XCTAssertTrue(afterRun.contains("CACHED"), "api's RUN did not: \(r.err)")
        XCTAssertNotEqual(imageID("cbt-web"), webID, "web has a new image")
        XCTAssertEqual(imageID("cbt-api:v1"), apiID, "api's image is the same")
        XCTAssertTrue(r.err.contains("Container cbt-web-1  Recreated"), r.err)
        XCTAssertTrue(r.err.contains("Container cbt-api-1  Running"), r.err)
        expectFetch(from: "api", "web", "hello again\n")

        // A changed build arg (through interpolation): api rebuilt and recreated.
        r = compose(["up", "-d", "--build"], env: ["GREETING=hallo"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertNotEqual(imageID("cbt-api:v1"), apiID)
        XCTAssertTrue(r.err.contains("Container cbt-api-1  Recreated"), r.err)
        XCTAssertTrue(r.err.contains("Container cbt-web-1  Running"), r.err)
        expectFetch(from: "web", "api", "hallo from api\n")
    }

    func testComposeBuildNoCacheRunsEveryStep() throws {
        var r = compose(["build"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains(" ✔ Service web  Built") && r.err.contains(" ✔ Service api  Built"), r.err)
        let apiID = imageID("cbt-api:v1")
        XCTAssertTrue(apiID.hasPrefix("sha256:"), apiID)
        XCTAssertEqual(compose(["ps", "-a", "-q"]).out, "", "build creates no container")

        // Cached: the same image.
        r = compose(["build", "api"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("CACHED"), r.err)
        XCTAssertFalse(r.err.contains("[web"), "only the service named: \(r.err)")
        XCTAssertEqual(imageID("cbt-api:v1"), apiID)

        // --no-cache: every step runs again, the RUN too (its image may come out the same:
        // the same bytes within the same second).
        r = compose(["build", "--no-cache", "api"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.err.contains("CACHED"), r.err)
        let afterRun = r.err.components(separatedBy: "\n").drop { !$0.contains("[api base 3/3] RUN") }.dropFirst().first ?? ""
        XCTAssertTrue(afterRun.contains("DONE"), "the RUN step ran: \(r.err)")

        // --build-arg over the file's args; -q prints nothing.
        r = compose(["build", "-q", "--build-arg", "GREETING=ciao", "api"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(compose(["up", "-d", "--no-build"]).status, 0)
        expectFetch(from: "web", "api", "ciao from api\n")
    }

    func testNoBuildWithAMissingImageFailsAndDownRemovesBuiltImages() throws {
        var r = compose(["up", "-d", "--no-build"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("service \"") && r.err.contains("--no-build"), r.err)
        XCTAssertTrue(r.err.contains("is missing"), r.err)
        XCTAssertFalse(r.err.contains("Built"), r.err)
        XCTAssertEqual(compose(["ps", "-a", "-q"]).out, "", "nothing was created")

        // pull_policy: build rebuilds on every up (cached steps, the same image).
        try write("compose.override.yaml", "services:\n  web:\n    pull_policy: build\n")
        r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        let webID = imageID("cbt-web")
        r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains(" ✔ Service web  Built"), r.err)
        XCTAssertFalse(r.err.contains(" ✔ Service api  Built"), r.err)
        XCTAssertEqual(imageID("cbt-web"), webID)

        // A failing build fails up with the step's error, and names the service.
        try write("compose.override.yaml", "services:\n  api:\n    build:\n      target: broken\n")
        r = compose(["up", "-d", "--build", "api"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("failed to build service \"api\""), r.err)
        XCTAssertTrue(r.err.contains("exit code: 3"), r.err)
        try FileManager.default.removeItem(atPath: projectDir + "/compose.override.yaml")

        // down --rmi local: the images compose named after the project go, named ones stay.
        r = compose(["down", "-t", "0", "--rmi", "local"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains(" ✔ Image cbt-web  Removed"), r.err)
        XCTAssertNotEqual(sbx(["image", "inspect", "cbt-web"]).status, 0, "cbt-web is gone")
        XCTAssertEqual(sbx(["image", "inspect", "cbt-api:v1"]).status, 0, "cbt-api:v1 has an image: name, so it stays")
    }
}
