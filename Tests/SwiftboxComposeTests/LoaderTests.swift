import XCTest
@testable import SwiftboxCompose

final class LoaderTests: XCTestCase {
    func testDiscoveryOrderAndOverride() throws {
        let files = MemoryFiles(["/p/demo/docker-compose.yml": "", "/p/demo/compose.yml": "", "/p/demo/compose.override.yaml": ""])
        let o = LoadOptions(environment: [:], workingDirectory: "/p/demo")
        XCTAssertEqual(try ProjectLoader(files: files).discover(o), ["/p/demo/compose.yml", "/p/demo/compose.override.yaml"])
        let only = MemoryFiles(["/p/docker-compose.yaml": "", "/p/docker-compose.override.yml": ""])
        var sub = LoadOptions(environment: [:], workingDirectory: "/p/demo/sub")
        XCTAssertEqual(try ProjectLoader(files: only).discover(sub), ["/p/docker-compose.yaml", "/p/docker-compose.override.yml"], "searched in parents")
        sub.files = ["a.yaml", "/x/b.yaml"]
        XCTAssertEqual(try ProjectLoader(files: only).discover(sub), ["/p/demo/sub/a.yaml", "/x/b.yaml"], "-f given: no override")
        XCTAssertThrowsError(try ProjectLoader(files: MemoryFiles([:])).discover(o))
    }

    func testProjectNameSources() throws {
        let yaml = "services:\n  web:\n    image: busybox\n"
        XCTAssertEqual(try load(["compose.yaml": yaml]).0.name, "demo")
        XCTAssertEqual(try load(["compose.yaml": "name: From_File\n" + yaml]).0.name, "from_file")
        XCTAssertEqual(try load(["compose.yaml": "name: x\n" + yaml], env: ["COMPOSE_PROJECT_NAME": "envname"]).0.name, "envname")
        XCTAssertEqual(try load(["compose.yaml": yaml, ".env": "COMPOSE_PROJECT_NAME=dotenv\n"]).0.name, "dotenv")
        XCTAssertEqual(try load(["compose.yaml": yaml], env: ["COMPOSE_PROJECT_NAME": "envname"]) { $0.projectName = "flag" }.0.name, "flag")
        XCTAssertThrowsError(try load(["compose.yaml": yaml]) { $0.projectName = "Bad Name" })
        XCTAssertEqual(ProjectName.normalize("My.Project-1"), "myproject-1")
        XCTAssertEqual(ProjectName.normalize("__x"), "x")
        XCTAssertEqual(ProjectName.normalize("-a_b"), "a_b")
    }

    func testInterpolationForms() throws {
        var i = Interpolator(environment: ["SET": "v", "EMPTY": ""])
        XCTAssertEqual(try i.substitute("$SET ${SET} $$SET $$"), "v v $SET $")
        XCTAssertEqual(try i.substitute("${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${UNSET:-d}"), "d  d d")
        XCTAssertEqual(try i.substitute("${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt} ${UNSET+alt}"), "alt  alt ")
        XCTAssertEqual(try i.substitute("${UNSET:-${SET:-x}-y}"), "v-y", "nested default")
        XCTAssertEqual(try i.substitute("${UNSET:-${ALSO_UNSET:-inner}}"), "inner")
        XCTAssertEqual(try i.substitute("${EMPTY?msg}"), "")
        XCTAssertThrowsError(try i.substitute("${EMPTY:?must be set}")) { XCTAssertTrue("\($0)".contains("must be set")) }
        XCTAssertThrowsError(try i.substitute("${UNSET?gone}"))
        XCTAssertEqual(try i.substitute("$UNSET_ONE-x"), "-x")
        XCTAssertEqual(i.warnings.messages, ["The \"UNSET_ONE\" variable is not set. Defaulting to a blank string."])
        XCTAssertThrowsError(try i.substitute("${SET"))
        XCTAssertThrowsError(try i.substitute("${SET:x}"))
    }

    func testInterpolationSourcesShellWins() throws {
        let yaml = """
        services:
          web:
            image: "busybox:${TAG:-latest}"
            environment:
              A: $A
              B: ${B}
              C: ${MISSING}
        """
        let (p, w) = try load(["compose.yaml": yaml, ".env": "TAG=1.36\nA=fromdotenv\nB=fromdotenv\n"], env: ["A": "fromshell"])
        let web = p.services["web"]!
        XCTAssertEqual(web.image, "busybox:1.36")
        XCTAssertEqual(web.environment, ["A": "fromshell", "B": "fromdotenv", "C": ""])
        XCTAssertTrue(w.messages.contains { $0.contains("MISSING") })
        // --env-file replaces .env; later files win.
        let (p2, _) = try load(["compose.yaml": yaml, ".env": "TAG=no\n", "/e/one": "TAG=one\nA=1\n", "/e/two": "TAG=two\n"]) {
            $0.envFiles = ["/e/one", "/e/two"]
        }
        XCTAssertEqual(p2.services["web"]!.image, "busybox:two")
        XCTAssertEqual(p2.services["web"]!.environment["A"], "1")
        XCTAssertThrowsError(try load(["compose.yaml": yaml]) { $0.envFiles = ["/nope"] })
    }

    func testRequiredVariableErrorNamesLine() {
        let e = loadError(["compose.yaml": "services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n"])
        XCTAssertEqual(e?.location?.line, 3)
        XCTAssertEqual(e?.key, "services.web.image")
        XCTAssertTrue(e?.message.contains("set IMAGE") ?? false)
    }

    func testEnvFileFormat() throws {
        let text = """
        # comment
        export A=1
        B = two words # trailing comment
        C='single $A'
        D="double $A\\nnext"
        E
        F=${A}-x
        """
        let env = try EnvFile.parse(text, file: ".env", lookup: { $0 == "E" ? "fromshell" : nil })
        let d = Dictionary(env.map { ($0.0, $0.1 ?? "<nil>") }, uniquingKeysWith: { $1 })
        XCTAssertEqual(d["A"], "1")
        XCTAssertEqual(d["B"], "two words")
        XCTAssertEqual(d["C"], "single $A")
        XCTAssertEqual(d["D"], "double 1\nnext")
        XCTAssertEqual(d["E"], "fromshell")
        XCTAssertEqual(d["F"], "1-x")
    }

    func testServiceEnvFileRequiredAndPrecedence() throws {
        let yaml = """
        services:
          web:
            image: busybox
            env_file:
              - web.env
              - path: optional.env
                required: false
            environment:
              - B=override
              - FROM_SHELL
        """
        let (p, _) = try load(["compose.yaml": yaml, "web.env": "A=1\nB=2\n"], env: ["FROM_SHELL": "s"])
        XCTAssertEqual(p.services["web"]!.environment, ["A": "1", "B": "override", "FROM_SHELL": "s"])
        XCTAssertEqual(loadError(["compose.yaml": "services:\n  web:\n    image: b\n    env_file: missing.env\n"])?.location?.line, 4)
    }

    func testYAMLMergeKeysAndExtensions() throws {
        let yaml = """
        x-common: &common
          image: busybox
          restart: always
        services:
          a:
            <<: *common
            restart: "no"
          b: *common
        """
        let (p, _) = try load(["compose.yaml": yaml])
        XCTAssertEqual(p.services["a"]!.image, "busybox")
        XCTAssertEqual(p.services["a"]!.restart, "no")
        XCTAssertEqual(p.services["b"]!.restart, "always")
    }
}
