import XCTest
@testable import SwiftboxCompose

final class MergeAndValidationTests: XCTestCase {
    func testMergeRules() throws {
        let base = """
        services:
          web:
            image: busybox
            command: [httpd, -f]
            environment: [A=1, B=1]
            labels: {x: "1"}
            ports: ["8080:80", "9000:9000"]
            volumes: ["data:/data", "./a:/a"]
            cap_add: [NET_ADMIN]
            depends_on: [db]
            healthcheck: {test: [CMD, "true"], interval: 10s}
          db:
            image: busybox
        volumes:
          data:
        """
        let over = """
        services:
          web:
            image: busybox:1.36
            command: [sleep, "1"]
            environment: {B: "2", C: "3"}
            labels: [y=2]
            ports: ["8080:80", "9001:9001"]
            volumes: ["./b:/a"]
            cap_add: [NET_ADMIN, SYS_TIME]
            depends_on:
              db: {condition: service_healthy}
            healthcheck: {test: [CMD, "false"]}
        """
        let (p, _) = try load(["compose.yaml": base, "compose.override.yaml": over])
        let w = p.services["web"]!
        XCTAssertEqual(p.composeFiles, ["/p/demo/compose.yaml", "/p/demo/compose.override.yaml"])
        XCTAssertEqual(w.image, "busybox:1.36")
        XCTAssertEqual(w.command, ["sleep", "1"], "commands are replaced")
        XCTAssertEqual(w.environment, ["A": "1", "B": "2", "C": "3"], "list and map forms merge by key")
        XCTAssertEqual(w.labels, ["x": "1", "y": "2"])
        XCTAssertEqual(w.ports.map(\.publishSpec), ["8080:80/tcp", "9000:9000/tcp", "9001:9001/tcp"])
        XCTAssertEqual(w.volumes.map { "\($0.source ?? ""):\($0.target)" }, ["data:/data", "/p/demo/b:/a"], "volumes merge by target")
        XCTAssertEqual(w.capAdd, ["NET_ADMIN", "SYS_TIME"])
        XCTAssertEqual(w.dependsOn["db"]?.condition, .serviceHealthy)
        XCTAssertEqual(w.healthcheck?.test, ["CMD", "false"])
        XCTAssertEqual(w.healthcheck?.interval, 10)
    }

    func testResetAndOverrideTags() throws {
        let base = "services:\n  web:\n    image: a\n    ports: [\"80:80\"]\n    environment: {A: \"1\"}\n"
        let over = "services:\n  web:\n    ports: !reset []\n    environment: !override {B: \"2\"}\n"
        let (p, _) = try load(["compose.yaml": base])
        XCTAssertEqual(p.services["web"]!.ports.count, 1)
        let (q, _) = try load(["compose.yaml": base, "o.yaml": over]) { $0.files = ["compose.yaml", "o.yaml"] }
        XCTAssertEqual(q.services["web"]!.ports, [])
        XCTAssertEqual(q.services["web"]!.environment, ["B": "2"])
    }

    func testErrorsNameFileLineAndKey() {
        var e = loadError(["compose.yaml": "services:\n  web:\n    image: busybox\n    imagee: typo\n"])
        XCTAssertEqual(e?.location?.file, "/p/demo/compose.yaml")
        XCTAssertEqual(e?.location?.line, 4)
        XCTAssertEqual(e?.key, "services.web.imagee")
        XCTAssertEqual(e?.message, "additional property imagee is not allowed")

        e = loadError(["compose.yaml": "services:\n  web:\n    image: busybox\n    ports:\n      - \"80:http\"\n"])
        XCTAssertEqual(e?.location?.line, 5)
        XCTAssertEqual(e?.key, "services.web.ports[0]")

        e = loadError(["compose.yaml": "services:\n  web:\n    image: busybox\n    privileged: maybe\n"])
        XCTAssertEqual(e?.location?.line, 4)
        XCTAssertTrue(e?.message.contains("boolean") ?? false)

        e = loadError(["compose.yaml": "services:\n  web:\n    image: [busybox\n"])
        XCTAssertTrue(e?.message.hasPrefix("YAML syntax") ?? false, "\(String(describing: e))")
        XCTAssertEqual(e?.location?.file, "/p/demo/compose.yaml")

        e = loadError(["compose.yaml": "servics: {}\n"])
        XCTAssertEqual(e?.key, "servics")
        XCTAssertEqual(e?.location?.line, 1)

        // The line is the one in the file that said it, after merging.
        e = loadError(["compose.yaml": "services:\n  web:\n    image: busybox\n", "compose.override.yaml": "\n\nservices:\n  web:\n    stop_grace_period: soon\n"])
        XCTAssertEqual(e?.location?.file, "/p/demo/compose.override.yaml")
        XCTAssertEqual(e?.location?.line, 5)
        XCTAssertEqual(e?.description, "/p/demo/compose.override.yaml:5:24: services.web.stop_grace_period: invalid duration \"soon\" (expected e.g. 30s, 1m30s, 500ms)")
    }

    func testReferenceAndCycleErrors() {
        var e = loadError(["compose.yaml": "services:\n  web:\n    image: x\n    depends_on: [db]\n"])
        XCTAssertEqual(e?.message, "service \"web\" depends on undefined service \"db\"")
        XCTAssertEqual(e?.location?.line, 4)

        e = loadError(["compose.yaml": "services:\n  web:\n    image: x\n    networks: [front]\n"])
        XCTAssertTrue(e?.message.contains("undefined network front") ?? false)
        e = loadError(["compose.yaml": "services:\n  web:\n    image: x\n    volumes: [\"data:/d\"]\n"])
        XCTAssertTrue(e?.message.contains("undefined volume data") ?? false)
        XCTAssertEqual(e?.key, "services.web.volumes[0]")
        e = loadError(["compose.yaml": "services:\n  web:\n    image: x\n    secrets: [s]\n"])
        XCTAssertTrue(e?.message.contains("undefined secret s") ?? false)

        e = loadError(["compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n"])
        XCTAssertEqual(e?.message, "dependency cycle detected: a -> b -> c -> a")
        XCTAssertEqual(e?.location?.line, 4)

        e = loadError(["compose.yaml": "services:\n  web:\n    image: x\n    container_name: w\n    deploy: {replicas: 2}\n"])
        XCTAssertEqual(e?.location?.line, 4)
        XCTAssertTrue(e?.message.contains("container_name") ?? false)

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      secrets: [s]\n"])
        XCTAssertEqual(e?.message, "service \"web\" refers to undefined build secret s: invalid compose project")
        XCTAssertEqual(e?.location?.line, 4)
        XCTAssertEqual(e?.key, "services.web.build.secrets")

        e = loadError(["compose.yaml": "services:\n  web:\n    command: x\n"])
        XCTAssertTrue(e?.message.contains("neither an image nor a build context") ?? false)

        e = loadError(["compose.yaml": "services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, profiles: [p]}\n"])
        XCTAssertTrue(e?.message.contains("disabled") ?? false)
    }

    func testDependencyOrder() throws {
        let yaml = "services:\n  web: {image: x, depends_on: [api]}\n  api: {image: x, depends_on: [db, cache]}\n  db: {image: x}\n  cache: {image: x}\n"
        let (p, _) = try load(["compose.yaml": yaml])
        let g = DependencyGraph(p.services)
        XCTAssertEqual(g.order(), ["cache", "db", "api", "web"])
        XCTAssertEqual(g.closure(["api"]), ["api", "db", "cache"])
        XCTAssertEqual(g.dependents(of: "db"), ["api"])
    }
}
