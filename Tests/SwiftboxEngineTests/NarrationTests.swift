// How narrated steps are printed and carried between processes (Narration, Narrator):
// grouped by subject and numbered, timed when traced, summarized, as Chrome trace
// events, and through the steps file unchanged.
import XCTest
@testable import SwiftboxEngine
@testable import SwiftboxKernel

final class NarrationTests: XCTestCase {
    func step(_ subject: StepSubject, _ title: String, _ lines: [String] = [], start: Int64? = nil, ms: Int64 = 0) -> NarratedStep {
        var s = NarratedStep(subject, title, lines)
        s.start = start
        s.duration = start == nil ? nil : ms * 1_000_000
        s.pid = 10
        s.tid = 11
        return s
    }

    func testDryRunTextIsGroupedBySubjectAndNumbered() {
        let text = Narration.text([step(.network, "veth", ["ip link add a type veth peer name b"]), step(.image, "resolve x"),
                                   step(.network, "ports"), step(.image, "layers")])
        XCTAssertEqual(text, """
            image
               1  resolve x
               2  layers
            network
               3  veth
                    ip link add a type veth peer name b
               4  ports

            """)
    }

    func testTracedTextOrdersBySubjectThenStartAndShowsTimes() {
        let base: Int64 = 5_000_000_000
        let steps = [step(.monitor, "wait for the container", start: base + 9_000_000, ms: 3), step(.launch, "clone → execve true", start: base + 4_000_000, ms: 2),
                     step(.image, "layers", start: base + 1_000_000, ms: 1), step(.image, "resolve x", start: base, ms: 1)]
        let text = Narration.text(steps)
        XCTAssertEqual(text.split(separator: "\n").filter { $0.hasPrefix(" ") }, [
            "   1     +0.00 ms     1.00 ms  resolve x", "   2     +1.00 ms     1.00 ms  layers",
            "   3     +4.00 ms     2.00 ms  clone → execve true", "   4     +9.00 ms     3.00 ms  wait for the container",
        ])
        // Only the subjects that have a step (an exec has no image, network or monitor).
        XCTAssertEqual(Narration.summary(steps), "trace: 12.00 ms from the first step to the last: image 2.00 ms, "
                       + "clone→execve 2.00 ms, the container ran 3.00 ms")
    }

    func testContainerDirectoryAndIDBecomeVariables() {
        let id = String(repeating: "ab", count: 32)
        let text = Narration.text([step(.container, "record the container x", ["mkdir /r/containers/\(id)"]),
                                   step(.cgroups, "cgroup /swiftbox/\(id)", ["mkdir -p /sys/fs/cgroup/memory/swiftbox/\(id)"])])
        XCTAssertTrue(text.hasPrefix("ID=\(id)\nC=/r/containers/$ID\n"), text)
        XCTAssertTrue(text.contains("        mkdir $C\n"), text)
        XCTAssertTrue(text.contains("   2  cgroup /swiftbox/$ID\n        mkdir -p /sys/fs/cgroup/memory/swiftbox/$ID\n"), text)
        XCTAssertFalse(Narration.text([step(.container, "record the container x", ["mkdir /r/containers/\(id)"])], abbreviate: false).contains("$C"))
    }

    func testChromeTraceEvents() throws {
        let json = Narration.chromeTrace([step(.image, "resolve \"x\"", ["# a\tb"], start: 2_000_000, ms: 1), step(.network, "dry", [])])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let events = try XCTUnwrap(object["traceEvents"] as? [[String: Any]])
        XCTAssertEqual(events.count, 1, "a step without a time is no event")
        XCTAssertEqual(events[0]["name"] as? String, "1 resolve \"x\"")
        XCTAssertEqual(events[0]["ph"] as? String, "X")
        XCTAssertEqual(events[0]["ts"] as? Double, 0)
        XCTAssertEqual(events[0]["dur"] as? Double, 1000)
        XCTAssertEqual(events[0]["pid"] as? Int, 10)
        XCTAssertEqual(events[0]["tid"] as? Int, 11)
        XCTAssertEqual((events[0]["args"] as? [String: Any])?["lines"] as? [String], ["# a\tb"])
    }

    func testStepsCrossTheFileUnchanged() throws {
        let path = NSTemporaryDirectory() + "narration-test-\(getpid())"
        defer { unlink(path) }
        let narrator = try Narrator(path: path)
        var s = step(.network, "odd\ttitle\\", ["cat > f <<'EOF'", "a\tb\\n", "", "EOF"])
        narrator.record(s, start: 42, end: 50)
        s.start = 42
        s.duration = 8
        s.pid = getpid()
        let read = Narrator.read(path)
        XCTAssertEqual(read.count, 1)
        XCTAssertEqual(read.first?.lines, s.lines)
        XCTAssertEqual(read.first?.title, s.title)
        XCTAssertEqual(read.first?.duration, 8)
        XCTAssertEqual(read.first?.pid, getpid())
    }

    /// The executor's ops are lines of the clone → execve step, each with its own times
    /// when traced: printed beside the line, split out in the summary, events of the
    /// child in the JSON, and carried through the steps file.
    func testTimedLinesOfTheExecutor() throws {
        var clone = step(.launch, "clone → execve true", ["parent: clone(CLONE_NEWNS|SIGCHLD)", "child[0]: mount(…)", "child[1]: execve(true, [true])"],
                         start: 1_000_000, ms: 5)
        clone.lineTimes = [LineTime(line: 0, start: 1_000_000, duration: 1_000_000, pid: 10),
                           LineTime(line: 1, start: 2_500_000, duration: 2_000_000, pid: 77),
                           LineTime(line: 2, start: 4_500_000, duration: 1_500_000, pid: 77)]
        let text = Narration.text([clone])
        XCTAssertEqual(text.split(separator: "\n").filter { $0.hasPrefix(" ") }, [
            "   1     +0.00 ms     5.00 ms  clone → execve true",
            "           +0.00 ms     1.00 ms  parent: clone(CLONE_NEWNS|SIGCHLD)",
            "           +1.50 ms     2.00 ms  child[0]: mount(…)",
            "           +3.50 ms     1.50 ms  child[1]: execve(true, [true])",
        ])
        XCTAssertEqual(Narration.summary([clone]), "trace: 5.00 ms from the first step to the last: "
                       + "clone→execve 5.00 ms (clone 1.00 ms, 1 ops 2.00 ms, execve 1.50 ms)")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(Narration.chromeTrace([clone]).utf8)) as? [String: Any])
        let events = try XCTUnwrap(object["traceEvents"] as? [[String: Any]])
        XCTAssertEqual(events.map { $0["cat"] as? String }, ["launch", "clone", "executor", "executor"])
        XCTAssertEqual(events[2]["name"] as? String, "child[0]: mount(…)")
        XCTAssertEqual(events[2]["ts"] as? Double, 1500)
        XCTAssertEqual(events[2]["dur"] as? Double, 2000)
        XCTAssertEqual(events[2]["pid"] as? Int, 77)
        // Through the steps file, unchanged.
        let path = NSTemporaryDirectory() + "narration-lines-\(getpid())"
        defer { unlink(path) }
        try Narrator(path: path).record(clone, start: 1_000_000, end: 6_000_000)
        XCTAssertEqual(Narrator.read(path).first?.lineTimes, clone.lineTimes)
        // A dry run's step has none, and prints as before.
        XCTAssertEqual(Narration.text([step(.launch, "clone → execve true", ["child[0]: mount(…)"])]),
                       "launch\n   1  clone → execve true\n        child[0]: mount(…)\n")
    }

    func testOffCostsOnlyTheBody() {
        Narrator.current = nil
        var described = false
        let value = Narrator.step({ () -> Int in 7 }, describe: { _ in described = true; return NarratedStep(.image, "x") })
        XCTAssertEqual(value, 7)
        XCTAssertFalse(described, "nothing is described when nobody traces")
    }
}
