import Foundation
import XCTest
@testable import SwiftboxCompose

/// An engine in memory: containers are records; `start` runs nothing, but a container
/// whose command is ["exit", "N"] exits at once with N, and one with a healthcheck
/// reports healthy (or unhealthy for ["CMD", "false"]).
final class FakeEngine: ComposeEngine, @unchecked Sendable {
    let lock = NSLock()
    var containers: [String: ContainerSummary] = [:]
    var specs: [String: ContainerSpec] = [:]
    var log: [String] = []
    var next = 0

    func record(_ s: String) { lock.lock(); log.append(s); lock.unlock() }

    func list(labels: [String: String]) throws -> [ContainerSummary] {
        lock.lock(); defer { lock.unlock() }
        return containers.values.filter { c in labels.allSatisfy { c.labels[$0.key] == $0.value } }
    }
    func inspect(_ id: String) -> ContainerSummary? { lock.lock(); defer { lock.unlock() }; return containers[id] }
    func imageID(_ reference: String) -> String? { "sha256:" + reference }
    func pull(_ reference: String) throws {}
    func create(_ spec: ContainerSpec) throws -> (id: String, warnings: [String]) {
        lock.lock()
        next += 1
        let id = "id\(next)"
        containers[id] = ContainerSummary(id: id, name: spec.name, image: spec.service.image ?? "", imageID: "sha256:" + (spec.service.image ?? ""), labels: spec.labels, status: .created)
        specs[id] = spec
        lock.unlock()
        record("create \(spec.name)")
        return (id, [])
    }
    func start(_ id: String) throws {
        lock.lock()
        let spec = specs[id]!
        var c = containers[id]!
        if let cmd = spec.service.command, cmd.first == "exit" {
            c.status = .exited
            c.exitCode = Int32(cmd[1])!
        } else {
            c.status = .running
            if let h = spec.service.healthcheck {
                c.hasHealthcheck = true
                c.health = h.test == ["CMD", "false"] ? "unhealthy" : "healthy"
            }
        }
        containers[id] = c
        lock.unlock()
        record("start \(c.name)")
    }
    func stop(_ id: String, timeout: Int?) throws {
        lock.lock(); containers[id]?.status = .exited; let n = containers[id]?.name ?? id; lock.unlock()
        record("stop \(n)")
    }
    func kill(_ id: String, signal: String) throws { try stop(id, timeout: 0) }
    func remove(_ id: String, force: Bool) throws {
        lock.lock(); let n = containers.removeValue(forKey: id)?.name ?? id; lock.unlock()
        record("remove \(n)")
    }
    func wait(_ id: String) -> Int32 { inspect(id)?.exitCode ?? 0 }
}

final class ExecutorTests: XCTestCase {
    func run(_ yaml: String, engine: FakeEngine = FakeEngine(), options: PlanOptions = PlanOptions()) throws -> (FakeEngine, Executor) {
        let p = try load(["compose.yaml": yaml]).0
        let progress = Progress { _ in }
        let ex = Executor(engine: engine, project: p, progress: progress)
        ex.pollInterval = 0.001
        let plan = try Planner(p).plan(observed: try engine.list(labels: [:]), imageIDs: [:], options: options)
        try ex.up(plan, imageIDs: [:])
        return (engine, ex)
    }

    func index(_ log: [String], _ line: String) -> Int { log.firstIndex(of: line) ?? -1 }

    func testDependenciesStartFirst() throws {
        let yaml = """
        services:
          web: {image: a, depends_on: {api: {condition: service_healthy}}}
          api: {image: a, depends_on: {migrate: {condition: service_completed_successfully}, db: {condition: service_started}},
                healthcheck: {test: [CMD, "true"]}}
          migrate: {image: a, command: [exit, "0"]}
          db: {image: a}
          other: {image: a}
        """
        let (engine, ex) = try run(yaml)
        let log = engine.log
        XCTAssertEqual(log.filter { $0.hasPrefix("start") }.count, 5)
        XCTAssertLessThan(index(log, "start demo-migrate-1"), index(log, "create demo-api-1"))
        XCTAssertLessThan(index(log, "start demo-db-1"), index(log, "create demo-api-1"))
        XCTAssertLessThan(index(log, "start demo-api-1"), index(log, "create demo-web-1"))
        XCTAssertTrue(ex.progress.lines.contains(" ✔ Container demo-api-1  Healthy"))
        XCTAssertTrue(ex.progress.lines.contains(" ✔ Container demo-migrate-1  Exited"))
        XCTAssertTrue(ex.progress.lines.contains { $0.contains("networks are not supported") })
    }

    func testFailedDependencyStopsDependents() throws {
        let yaml = """
        services:
          web: {image: a, depends_on: {migrate: {condition: service_completed_successfully}}}
          migrate: {image: a, command: [exit, "3"]}
        """
        XCTAssertThrowsError(try run(yaml)) { e in
            XCTAssertEqual("\(e)", "service \"migrate\" didn't complete successfully: exit 3")
        }
        let unhealthy = """
        services:
          web: {image: a, depends_on: {db: {condition: service_healthy}}}
          db: {image: a, healthcheck: {test: [CMD, "false"]}}
        """
        let engine = FakeEngine()
        XCTAssertThrowsError(try run(unhealthy, engine: engine)) { e in
            XCTAssertEqual("\(e)", "dependency failed to start: container demo-db-1 is unhealthy")
        }
        XCTAssertFalse(engine.log.contains("create demo-web-1"))
        let noCheck = "services:\n  web: {image: a, depends_on: {db: {condition: service_healthy}}}\n  db: {image: a}\n"
        XCTAssertThrowsError(try run(noCheck)) { e in XCTAssertTrue("\(e)".contains("has no healthcheck")) }
    }

    func testRecreateAndScaleDownThroughTheEngine() throws {
        let engine = FakeEngine()
        _ = try run("services:\n  web: {image: a, deploy: {replicas: 2}}\n", engine: engine)
        engine.log = []
        var o = PlanOptions()
        o.scale = ["web": 1]
        _ = try run("services:\n  web: {image: a, command: [sleep, \"1\"], deploy: {replicas: 2}}\n", engine: engine, options: o)
        XCTAssertEqual(engine.log, ["stop demo-web-1", "remove demo-web-1", "create demo-web-1", "start demo-web-1", "stop demo-web-2", "remove demo-web-2"])
        let labels = try engine.list(labels: [:]).first!.labels
        XCTAssertEqual(labels[ComposeLabel.project], "demo")
        XCTAssertEqual(labels[ComposeLabel.service], "web")
        XCTAssertEqual(labels[ComposeLabel.containerNumber], "1")
        XCTAssertEqual(labels[ComposeLabel.oneoff], "False")
        XCTAssertEqual(labels[ComposeLabel.configHash]?.count, 64)
    }
}
