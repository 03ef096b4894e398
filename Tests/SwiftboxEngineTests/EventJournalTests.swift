import XCTest
@testable import SwiftboxEngine
#if canImport(Glibc)
import Glibc
#endif

final class EventJournalTests: XCTestCase {
    var dir = ""
    override func setUp() {
        dir = NSTemporaryDirectory() + "sb-events-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testAppendReadFollowAndTornLines() throws {
        let j = EventJournal(root: dir)
        j.append(action: "create", id: "abc", attributes: ["name": "web", "image": "busybox"])
        j.append(EngineEvent(type: "container", action: "die", id: "abc", attributes: ["name": "web", "exitCode": "3"], timeNano: 1_700_000_000_000_000_001))
        var (events, next) = j.read()
        XCTAssertEqual(events.map(\.Action), ["create", "die"])
        XCTAssertEqual(events[1].text, "2023-11-14T22:13:20.000000001Z container die abc (exitCode=3, name=web)")
        XCTAssertEqual(events[0].from, "busybox")
        XCTAssertEqual(events[1].time, 1_700_000_000)
        // A half-written line is not consumed until it is whole.
        let fd = open(j.path, O_WRONLY | O_APPEND)
        _ = write(fd, "{\"Type\":", 8)
        close(fd)
        (events, next) = j.read(from: next)
        XCTAssertEqual(events, [])
        let before = next
        j.append(action: "start", id: "abc")
        (events, next) = j.read(from: before)
        XCTAssertEqual(events.map(\.Action), [], "the torn line and the one after it are one bad line")
        j.append(action: "stop", id: "abc")
        (events, _) = j.read(from: next)
        XCTAssertEqual(events.map(\.Action), ["stop"])
    }

    func testConcurrentWritersNeverInterleave() throws {
        let j = EventJournal(root: dir)
        let big = String(repeating: "x", count: 3000)
        DispatchQueue.concurrentPerform(iterations: 8) { w in
            for i in 0..<100 { j.append(action: "start", id: "w\(w)-\(i)", attributes: ["pad": big]) }
        }
        let (events, _) = j.read()
        XCTAssertEqual(events.count, 800)
        let lines = try String(contentsOfFile: j.path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 800)
        XCTAssertTrue(lines.allSatisfy { $0.utf8.count < 4096 })
    }

    func testFilters() throws {
        let e1 = EngineEvent(type: "container", action: "health_status: healthy", id: "abc123", attributes: ["name": "web", "image": "busybox"])
        let e2 = EngineEvent(type: "network", action: "create", id: "n1", attributes: ["name": "front"])
        XCTAssertTrue(try EventFilter(["event=health_status"]).matches(e1))
        XCTAssertTrue(try EventFilter(["container=web", "event=start", "event=health_status: healthy"]).matches(e1))
        XCTAssertTrue(try EventFilter(["container=abc"]).matches(e1))
        XCTAssertFalse(try EventFilter(["container=web"]).matches(e2))
        XCTAssertTrue(try EventFilter(["type=network"]).matches(e2))
        XCTAssertFalse(try EventFilter(["type=network", "event=destroy"]).matches(e2))
        XCTAssertThrowsError(try EventFilter(["colour=red"]))
        XCTAssertThrowsError(try EventFilter(["container"]))
    }
}

final class EventJournalRotationTests: XCTestCase {
    func testRotatesOnceAndKeepsEveryLine() throws {
        let dir = NSTemporaryDirectory() + "sb-rot-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = EventJournal(root: dir, rotateAt: 4096)
        for i in 0..<30 { j.append(action: "start", id: "c\(i)") }
        let all = j.readAll().map(\.Actor.ID)
        XCTAssertTrue(FileManager.default.fileExists(atPath: j.previousPath))
        // Only the last generation before the current file is kept; what is kept is in order.
        XCTAssertEqual(all.last, "c29")
        XCTAssertEqual(all, all.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! })
        // A follower whose offset is past the end of a rotated file starts it over.
        let (_, end) = j.read()
        j.append(action: "stop", id: "x")
        XCTAssertEqual(j.read(from: end + 100_000).events.last?.Action, "stop")
    }
}
