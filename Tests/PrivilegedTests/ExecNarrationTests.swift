// `exec --dry-run` and `exec --trace` (docs/narration.md): the dry run starts nothing
// and says what a traced exec of the same command then does, step for step and line
// for line — which namespaces are entered in which order, the cgroup joined, the
// capabilities, seccomp and the process.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class ExecNarrationTests: NetworkTestCase {
    /// The kinds of the namespaces the child enters by setns(2), in the order of its ops
    /// (the pid namespace is the parent's to enter: a line of its own).
    static func setnsOrder(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("child["), let r = line.range(of: #"setns\(/proc/[0-9]+/ns/([a-z]+),"#, options: .regularExpression) else { return nil }
            return line[r].split(separator: "/")[4].split(separator: ",")[0].description
        }
    }

    /// The dry run, then the same exec traced: the same steps; the dry run leaves no
    /// process and no file behind.
    func checkHonest(_ container: String, _ options: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        let pid = sbx(["inspect", "-f", "{{.State.Pid}}", container]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let procs = "/proc/\(pid)/root/"   // the container's root, seen from the host
        let dry = sbx(["exec", "--dry-run"] + options + [container, "sh", "-c", "touch /exec-ran; echo ran"])
        XCTAssertEqual(dry.status, 0, dry.err, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: procs + "exec-ran"), "the dry run ran the command", file: file, line: line)
        let json = work + "/exec-trace.json"
        let traced = sbx(["exec", "--trace=" + json] + options + [container, "sh", "-c", "touch /exec-ran; echo ran"])
        XCTAssertEqual(traced.status, 0, traced.err, file: file, line: line)
        XCTAssertEqual(traced.out, "ran\n", file: file, line: line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: procs + "exec-ran"), file: file, line: line)
        _ = sbx(["exec", container, "rm", "/exec-ran"])

        let a = NarrationTests.steps(dry.out), b = NarrationTests.steps(traced.err)
        XCTAssertEqual(a.map(\.title), ["the process to run in \(container)", "join cgroup /swiftbox/<hex>", "OCI spec: security",
                                        "build the exec plan", "clone → execve sh -c touch /exec-ran; echo ran", "wait for the process"],
                       dry.out, file: file, line: line)
        XCTAssertEqual(a.map(\.title), b.map(\.title), "the steps differ", file: file, line: line)
        for (x, y) in zip(a, b) where x != y {
            XCTFail("step differs:\n--- dry run\n\(x)\n--- traced\n\(y)", file: file, line: line)
        }
        let summary = try XCTUnwrap(traced.err.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(summary.hasPrefix("trace: ") && summary.contains("clone→execve ") && summary.contains("the process ran "), summary,
                      file: file, line: line)
        XCTAssertFalse(summary.contains("image "), summary, file: file, line: line)
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        let events = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["traceEvents"] as? [[String: Any]])
        XCTAssertEqual(events.filter { !NarrationTests.isLineEvent($0) }.count, b.count, file: file, line: line)
        try NarrationTests.checkExecutorTimes(events, traced: traced.err, file: file, line: line)
    }

    func testExecDryRunEqualsTrace() throws {
        XCTAssertEqual(run(["-d", "--name", "target", "--network", "none", "--cap-drop", "NET_RAW", Self.image, "sleep", "300"]).status, 0)
        try checkHonest("target", ["-e", "GREETING=hi", "-w", "/tmp", "-u", "0:0"])
        let dry = sbx(["exec", "--dry-run", "target", "true"]).out
        // The process: what was asked, and what it keeps.
        XCTAssertFalse(dry.contains("NET_RAW"), "--cap-drop NET_RAW holds for exec too:\n\(dry)")
        XCTAssertTrue(dry.contains("child[0]: write(\"0\") to <cgroup>/tasks") || dry.contains("CLONE_INTO_CGROUP"), dry)
        XCTAssertTrue(dry.contains("prctl(PR_SET_NO_NEW_PRIVS, 1)") == dry.contains("# no_new_privs: yes"), dry)
        XCTAssertTrue(dry.contains("seccomp(SECCOMP_SET_MODE_FILTER"), dry)
        XCTAssertTrue(dry.contains("execve(true, [true])"), dry)
        // Its own namespaces (no user namespace): ipc, uts, net, cgroup, then mnt last; pid by the parent.
        XCTAssertEqual(Self.setnsOrder(dry), ["ipc", "uts", "net", "cgroup", "mnt"], dry)
        XCTAssertTrue(dry.contains("parent: setns(/proc/"), dry)
    }

    /// A remapped container: the user namespace is entered after the network namespace
    /// (the engine's, which the host's user namespace owns) and before the mount's.
    func testExecIntoARemappedContainerJoinsTheUserNamespaceLate() throws {
        XCTAssertEqual(run(["-d", "--name", "remapped", "--userns-remap", "100000:100000:65536", Self.image, "sleep", "300"]).status, 0)
        let dry = sbx(["exec", "--dry-run", "remapped", "id", "-u"])
        XCTAssertEqual(dry.status, 0, dry.err)
        XCTAssertEqual(Self.setnsOrder(dry.out), ["ipc", "uts", "net", "cgroup", "user", "mnt"], dry.out)
        XCTAssertTrue(dry.out.contains("# user after ipc, uts, net, cgroup and time"), dry.out)
        try checkHonest("remapped")
    }

    func testExecDryRunOfAStoppedContainerFails() throws {
        XCTAssertEqual(sbx(["create", "--name", "idle", "--network", "none", Self.image, "true"]).status, 0)
        let r = sbx(["exec", "--dry-run", "idle", "true"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("not running"), r.err)
    }
}
