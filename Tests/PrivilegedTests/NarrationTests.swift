// `run --dry-run` and `run --trace` (Narrator, Engine.dryRun, docs/narration.md):
// a dry run makes nothing, and it says what a traced run of the same command then
// really does — step for step, line for line, but for IDs, pids, fds and times.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class NarrationTests: NetworkTestCase {
    /// One step of a printed narration: its subject, title and lines, normalized.
    struct Step: Equatable, CustomStringConvertible {
        var subject: String
        var title: String
        var lines: [String]
        var description: String { ([subject + ": " + title] + lines.map { "    " + $0 }).joined(separator: "\n") }
    }

    /// Parse Narration.text (with or without the time columns) into steps; IDs, hex
    /// digests, the monitor's pid and fds replaced by placeholders.
    static func steps(_ text: String) -> [Step] {
        var out: [Step] = []
        var subject = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = normalize(raw)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("ID=") || line.hasPrefix("C=") || line.hasPrefix("trace: ") { continue }
            if !line.hasPrefix(" ") { subject = line; continue }
            if line.hasPrefix("        ") {
                // A timed line (the clone, an executor op) has its own time columns.
                let text = String(line.dropFirst(8)).replacingOccurrences(of: "^ *\\+[0-9.]+ ms +[0-9.]+ ms  ", with: "", options: .regularExpression)
                out[out.count - 1].lines.append(text)
                continue
            }
            // "   7  title" or "   7  +1.23 ms      0.45 ms  title"
            let rest = String(line.drop { $0 == " " }.drop { $0.isNumber }.dropFirst(2))
            let title = rest.replacingOccurrences(of: "^ *\\+[0-9.]+ ms +[0-9.]+ ms  ", with: "", options: .regularExpression)
            out.append(Step(subject: subject, title: title, lines: []))
        }
        return out
    }

    static func normalize(_ s: String) -> String {
        var s = s.replacingOccurrences(of: "[0-9a-f]{10,}", with: "<hex>", options: .regularExpression)
        s = s.replacingOccurrences(of: "/proc/[^/ ]+/fd/[^ ,)\\]]+", with: "/proc/P/fd/N", options: .regularExpression)
        return s
    }

    func assertSameSteps(_ dry: String, _ traced: String, file: StaticString = #filePath, line: UInt = #line) {
        let a = Self.steps(dry), b = Self.steps(traced)
        XCTAssertGreaterThan(a.count, 8, dry, file: file, line: line)
        XCTAssertEqual(a.map(\.title), b.map(\.title), "the steps differ", file: file, line: line)
        for (x, y) in zip(a, b) where x != y {
            XCTFail("step differs:\n--- dry run\n\(x)\n--- traced\n\(y)", file: file, line: line)
        }
    }

    /// The dry run, then the same command traced: the same steps.
    func checkHonest(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let dry = run(["--dry-run"] + args)
        XCTAssertEqual(dry.status, 0, dry.err, file: file, line: line)
        let json = work + "/trace.json"
        let traced = run(["--trace=" + json] + args)
        XCTAssertEqual(traced.status, 0, traced.err, file: file, line: line)
        XCTAssertTrue(traced.err.contains("trace: "), traced.err, file: file, line: line)
        assertSameSteps(dry.out, traced.err, file: file, line: line)
        // Chrome's trace-event format: one complete event per step, in µs.
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        let events = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["traceEvents"] as? [[String: Any]])
        XCTAssertEqual(events.filter { !Self.isLineEvent($0) }.count, Self.steps(traced.err).count, file: file, line: line)
        XCTAssertTrue(events.allSatisfy { $0["ph"] as? String == "X" && $0["ts"] is Double && $0["dur"] is Double && $0["pid"] is Int },
                      "\(events.first ?? [:])", file: file, line: line)
        try Self.checkExecutorTimes(events, traced: traced.err, file: file, line: line)
    }

    /// The clone and the executor's ops are events of their own inside the clone → execve step.
    static func isLineEvent(_ e: [String: Any]) -> Bool { e["cat"] as? String == "executor" || e["cat"] as? String == "clone" }

    /// The trace times the C executor's own ops (executor.c stamp()): every op of the
    /// plan up to execve, each inside the clone → execve step, together no longer than it.
    static func checkExecutorTimes(_ events: [[String: Any]], traced: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let launch = try XCTUnwrap(events.first { ($0["name"] as? String ?? "").contains("clone → execve") }, "no clone step", file: file, line: line)
        let from = try XCTUnwrap(launch["ts"] as? Double), span = try XCTUnwrap(launch["dur"] as? Double)
        let ops = events.filter { $0["cat"] as? String == "executor" }
        let planned = steps(traced).first { $0.title.hasPrefix("clone → execve") }?.lines.filter { $0.hasPrefix("child[") } ?? []
        XCTAssertGreaterThan(planned.count, 10, traced, file: file, line: line)
        // By number (the text writes the container's directory as $C, the JSON in full).
        func number(_ s: String) -> String { String(s.prefix { $0 != "]" }) }
        XCTAssertEqual(ops.map { number($0["name"] as? String ?? "") }, planned.map(number), "every op of the plan is timed, in order",
                       file: file, line: line)
        XCTAssertTrue((ops.last?["name"] as? String ?? "").contains("execve("), file: file, line: line)
        XCTAssertEqual(events.filter { $0["cat"] as? String == "clone" }.count, 1, "the clone is timed", file: file, line: line)
        var sum = 0.0
        for e in events where isLineEvent(e) {
            let ts = e["ts"] as? Double ?? -1, dur = e["dur"] as? Double ?? -1
            XCTAssertGreaterThanOrEqual(dur, 0, "\(e)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(ts, from, "\(e) starts before the clone step", file: file, line: line)
            XCTAssertLessThanOrEqual(ts + dur, from + span + 0.001, "\(e) ends after the clone step", file: file, line: line)
            sum += dur
        }
        XCTAssertLessThanOrEqual(sum, span + 0.001, "the ops take longer than clone → execve", file: file, line: line)
        // The text shows each op with its times, and the summary splits clone → execve.
        XCTAssertNotNil(traced.range(of: "\n        +\\+[0-9.]+ ms +[0-9.]+ ms  child\\[0\\]: ", options: .regularExpression), traced, file: file, line: line)
        XCTAssertNotNil(traced.range(of: "clone→execve [0-9.]+ ms \\(clone [0-9.]+ ms, [0-9]+ ops [0-9.]+ ms, execve [0-9.]+ ms\\)", options: .regularExpression),
                        traced, file: file, line: line)
    }

    func testDryRunEqualsTraceWithoutNetwork() throws {
        try checkHonest(["--rm", "--name", "narrated", "--network", "none", "--memory", "64m", "--cap-drop", "NET_RAW", Self.image, "true"])
    }

    func testDryRunEqualsTraceWithVolumes() throws {
        let bind = work + "/bind"
        try FileManager.default.createDirectory(atPath: bind, withIntermediateDirectories: true)
        try checkHonest(["--rm", "--name", "narrated", "--network", "none", "-v", "narrvol:/data", "-v", "/anon",
                         "-v", bind + ":/b:ro", "--tmpfs", "/scratch", Self.image, "true"])
    }

    func testDryRunEqualsTraceOnTheDefaultBridge() throws {
        // The first run makes the default network: both say so (a step of its own).
        try checkHonest(["--rm", "--name", "narrated", "-p", "127.0.0.1:18391:80", Self.image, "true"])
        // Then it is there: both say that too.
        try checkHonest(["--rm", "--name", "narrated", Self.image, "true"])
    }

    func testDryRunEqualsTraceOnAUserNetwork() throws {
        XCTAssertEqual(sbx(["network", "create", "narr"]).status, 0)
        try checkHonest(["--rm", "--name", "narrated", "--network", "narr", "--network-alias", "web", Self.image, "true"])
    }

    /// --network container:X: no namespace of its own, X's entered by the launch plan.
    func testDryRunEqualsTraceJoiningAContainersNetwork() throws {
        XCTAssertEqual(run(["-d", "--name", "target", "--network", "none", Self.image, "sleep", "300"]).status, 0)
        let pid = sbx(["inspect", "-f", "{{.State.Pid}}", "target"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let dry = run(["--dry-run", "--rm", "--name", "joining", "--network", "container:target", Self.image, "true"])
        XCTAssertTrue(dry.out.contains("join the network namespace of target"), dry.out)
        XCTAssertTrue(dry.out.contains("/proc/\(pid)/ns/net"), "the path the start will use, as target runs:\n\(dry.out)")
        try checkHonest(["--rm", "--name", "joining", "--network", "container:target", Self.image, "true"])
    }

    /// --userns-remap: the layers shown to the range, the way LayerRemapper takes —
    /// idmapped mounts where the kernel and the file system allow them, shifted copies
    /// when daemon.json asks for them (made by the first start, reused by the next).
    func testDryRunEqualsTraceRemapped() throws {
        let args = ["--rm", "--name", "narrated", "--network", "none", "--userns-remap", "100000:100000:65536", Self.image, "true"]
        let auto = run(["--dry-run"] + args)
        XCTAssertEqual(auto.status, 0, auto.err)
        XCTAssertTrue(auto.out.contains("remap the layers to 100000:100000 ("), auto.out)
        XCTAssertTrue(auto.out.contains("chown 100000:100000 $C/upper"), auto.out)
        try checkHonest(args)
        if auto.out.contains("(idmapped mounts)") {
            XCTAssertTrue(auto.out.contains("lowerdir=$C/lower/0"), auto.out)
        } else {
            print("NarrationTests: the kernel or file system here refuses idmapped layers; the auto case narrated copies")
        }
        let config = engineRoot + "/daemon.json"
        try Data(#"{"userns-remap-layers": "copy"}"#.utf8).write(to: URL(fileURLWithPath: config))
        defer { unlink(config) }
        let first = run(["--dry-run"] + args).out
        XCTAssertTrue(first.contains("(shifted copies)"), first)
        // Not made yet, unless the auto case above made them already.
        XCTAssertEqual(first.contains("cp -a "), auto.out.contains("(idmapped mounts)"), first)
        XCTAssertTrue(first.contains("/remap-100000-100000-65536,upperdir="), "the overlay's lowerdir is the copy:\n\(first)")
        try checkHonest(args)   // the first copy, made while traced
        let again = run(["--dry-run"] + args).out
        XCTAssertTrue(again.contains("there already") && !again.contains("cp -a "), again)
        try checkHonest(args)
    }

    func testDryRunMakesNothing() throws {
        func tree() -> [String] {
            (FileManager.default.enumerator(atPath: engineRoot)?.allObjects as? [String] ?? []).sorted()
        }
        let before = tree()
        let r = run(["--dry-run", "--rm", "--name", "nothing", "-p", "127.0.0.1:18392:80", "--memory", "64m", Self.image, "true"])
        XCTAssertEqual(r.status, 0, r.err)
        // What it narrates…
        for expected in ["mount -t overlay overlay -o lowerdir=", "ip link add vsb", "ip -n sb-", "route add default via",
                         "nft add element ip swiftbox", "echo 67108864 > /sys/fs/cgroup/", "clone", "execve(true, [true])",
                         "create network bridge", "nameserver", "# seccomp: default SCMP_ACT_ERRNO", "wait for the container"] {
            XCTAssertTrue(r.out.contains(expected), "no \"\(expected)\" in:\n\(r.out)")
        }
        // …and none of it done: no record, name, network, address, mount, cgroup or link.
        XCTAssertEqual(tree(), before)
        let id = try XCTUnwrap(r.out.split(separator: "\n").first { $0.hasPrefix("ID=") }).dropFirst(3)
        XCTAssertEqual(id.count, 64)
        for dir in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\(dir)/swiftbox/\(id)"), "cgroup made in \(dir)")
        }
        XCTAssertFalse(Self.shell(["/usr/sbin/ip", "-o", "link"]).out.contains("vsb" + id.prefix(10)))
        XCTAssertFalse(PrivilegedTestCase.mountinfo().contains(engineRoot))
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(sbx(["network", "ls", "-q", "--filter", "name=bridge"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: engineRoot + "/networks/ports.json"))
    }

    func testStartDryRunEqualsTrace() throws {
        let c = sbx(["create", "--name", "later", "-p", "127.0.0.1:18394:80", Self.image, "true"])
        XCTAssertEqual(c.status, 0, c.err)
        let dry = sbx(["start", "--dry-run", "later"])
        XCTAssertEqual(dry.status, 0, dry.err)
        XCTAssertEqual(sbx(["ps", "-q"]).out, "", "a dry run starts nothing")
        let traced = sbx(["start", "--trace", "-a", "later"])
        XCTAssertEqual(traced.status, 0, traced.err)
        assertSameSteps(dry.out, traced.err)
        XCTAssertTrue(traced.err.contains("veth pair into bridge"), traced.err)
    }

    func testCreateDryRunStopsAtTheRecord() throws {
        let r = sbx(["create", "--dry-run", "--network", "none", Self.image, "true"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("record the container"), r.out)
        XCTAssertFalse(r.out.contains("clone"), r.out)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
    }

    func testTraceFromTheEnvironment() throws {
        let r = Self.shell(["/usr/bin/env", "SWIFTBOX_TRACE=1", Self.binary, "run", "--root", engineRoot, "--rm", "--network", "none", Self.image, "echo", "hi"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "hi\n")
        XCTAssertTrue(r.err.contains("clone → execve echo hi"), r.err)
        let summary = try XCTUnwrap(r.err.split(separator: "\n").last)
        for part in ["trace: ", "image ", "network ", "cgroups ", "clone→execve ", "monitor ", "the container ran "] {
            XCTAssertTrue(summary.contains(part), String(summary))
        }
    }
}
