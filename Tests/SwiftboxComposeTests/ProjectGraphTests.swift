// `compose graph` of a known project, against a golden file (Golden/project-graph.dot).
// SWIFTBOX_UPDATE_GOLDEN=1 rewrites it; review the diff.
import XCTest
@testable import SwiftboxCompose

final class ProjectGraphTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden/project-graph.dot"
    static let compose = """
        services:
          web:
            image: nginx:1
            ports: ["127.0.0.1:8080:80"]
            depends_on:
              api: {condition: service_healthy}
              migrate: {condition: service_completed_successfully}
            networks: [front]
          api:
            image: "example/api:2"
            scale: 2
            healthcheck: {test: ["CMD", "wget", "-qO-", "http://localhost/health"]}
            depends_on:
              db: {condition: service_started, restart: true}
              cache: {condition: service_started, required: false}
            networks:
              front: {}
              back: {aliases: [backend]}
          migrate:
            image: "example/api:2"
            depends_on: [db]
            networks: [back]
          cache:
            image: redis:7
            networks: [back]
          db:
            image: postgres:16
            volumes: ["pgdata:/var/lib/postgresql/data", "./init:/docker-entrypoint-initdb.d:ro"]
            networks: [back]
        networks:
          front: {}
          back: {internal: true}
        volumes:
          pgdata: {}
        """

    func testKnownProjectMatchesTheGoldenFile() throws {
        let (p, _) = try load(["compose.yaml": Self.compose])
        let dot = ProjectGraph.dot(p)
        if ProcessInfo.processInfo.environment["SWIFTBOX_UPDATE_GOLDEN"] == "1" {
            try dot.write(toFile: Self.golden, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(dot, try String(contentsOfFile: Self.golden, encoding: .utf8))
        XCTAssertTrue(dot.contains("\"svc:web\" -> \"svc:api\" [label=\"depends on: service healthy\"];"))
        XCTAssertTrue(dot.contains("\"svc:api\" -> \"svc:cache\" [label=\"depends on: service started\", style=dashed];"))
        XCTAssertTrue(dot.contains("\"svc:db\" -> \"vol:pgdata\""))
        XCTAssertFalse(dot.contains("init"), "a bind is not a project volume")
    }
}
