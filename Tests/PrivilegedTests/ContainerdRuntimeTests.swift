// Debian's containerd (1.6) driving swiftbox: `ctr run --runc-binary …/swiftbox-oci`
// goes through the runc shim v2 as it does for runc. One private containerd for the
// class (PrivateEngine), started by the first test and stopped after the last; ctr's
// namespace is the engine's name, so the containers' cgroups are /<name>/<id>.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class ContainerdRuntimeTests: PrivilegedTestCase {
    static var engine: PrivateEngine?
    static var startError: String?
    let image = "docker.io/swiftbox-test/busybox:latest"
    var tasks: [String] = []

    static func sharedEngine() throws -> PrivateEngine {
        if let engine { return engine }
        if let startError { throw PrivateEngine.EngineError(startError) }
        do {
            let e = try PrivateEngine(engine: "containerd")
            engine = e
            try e.makeImageArchive()
            try e.startContainerd()
            let imported = shell(["/usr/bin/ctr", "-a", e.containerdSocket, "-n", e.name, "images", "import", e.imageArchive])
            guard imported.status == 0 else { throw PrivateEngine.EngineError("ctr images import: \(imported.err)" + e.log("containerd")) }
            return e
        } catch {
            startError = "\(error)"
            throw error
        }
    }

    override class func tearDown() {
        if let e = engine {
            let left = e.stop()
            if !left.isEmpty { print("error: ContainerdRuntimeTests left behind: \(left.joined(separator: ", ")) (Tests/leak-check.sh fails on it)") }
        }
        engine = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        for tool in ["/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/containerd-shim-runc-v2", "/usr/bin/skopeo"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw missingTool("\(tool) is missing (make deps installs containerd and skopeo)")
        }
        _ = try Self.sharedEngine()
    }

    override func tearDownWithError() throws {
        if let e = Self.engine {
            for id in tasks {
                _ = ctr(["tasks", "kill", "-a", "-s", "SIGKILL", id])
                _ = ctr(["tasks", "delete", "-f", id])
                _ = ctr(["containers", "delete", id])
            }
            XCTAssertEqual(ctr(["containers", "ls", "-q"]).out, "", "containers left in containerd")
            XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: e.dir + "/runc/" + e.name)) ?? [], [],
                           "swiftbox state left behind")
            for id in tasks {
                for root in e.cgroupDirectories() { XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/" + id), "cgroup \(root)/\(id) left behind") }
            }
        }
        try super.tearDownWithError()
    }

    func ctr(_ args: [String]) -> (status: Int32, out: String, err: String) {
        let e = Self.engine!
        return Self.shell(["/usr/bin/ctr", "-a", e.containerdSocket, "-n", e.name] + args)
    }

    /// swiftbox as the runc binary, its state and ctr's FIFOs under the engine's directory.
    var runtimeFlags: [String] {
        let e = Self.engine!
        return ["--runc-binary", e.runtimeLink, "--runc-root", e.dir + "/runc", "--fifo-dir", e.dir + "/fifo"]
    }

    /// `ctr …` that must succeed; the message shows ctr's own error and containerd's log.
    @discardableResult
    func ok(_ args: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        let r = ctr(args)
        XCTAssertEqual(r.status, 0, "ctr \(args.joined(separator: " ")): \(r.err)" + Self.engine!.log("containerd", lines: 10),
                       file: file, line: line)
        return r.out
    }

    func id(_ base: String) -> String {
        let n = "\(base)-\(UInt16.random(in: 0...UInt16.max))"
        tasks.append(n)
        return n
    }

    func taskStatus(_ id: String) -> String {
        ok(["tasks", "ls"]).split(separator: "\n").first { $0.hasPrefix(id + " ") }?.split(separator: " ").last.map(String.init) ?? "none"
    }

    func testRunWithExitCodesAndErrors() throws {
        XCTAssertEqual(ok(["run"] + runtimeFlags + ["--rm", image, id("hi"), "echo", "hi"]), "hi\n")
        XCTAssertEqual(ctr(["run"] + runtimeFlags + ["--rm", image, id("three"), "sh", "-c", "exit 3"]).status, 3)
        let missing = ctr(["run"] + runtimeFlags + ["--rm", image, id("missing"), "/nonexistent"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("OCI runtime create failed: exec /nonexistent: executable file not found"), missing.err)
    }

    func testTaskExecPsPauseResumeKill() throws {
        let c = id("task")
        ok(["run"] + runtimeFlags + ["-d", image, c, "sh", "-c", "trap 'exit 9' TERM; while true; do sleep 1; done"])
        XCTAssertEqual(taskStatus(c), "RUNNING")
        let fifo = ["--fifo-dir", Self.engine!.dir + "/fifo"]
        XCTAssertEqual(ok(["tasks", "exec"] + fifo + ["--exec-id", "e1", c, "cat", "/proc/1/comm"]), "sh\n")
        XCTAssertEqual(ctr(["tasks", "exec"] + fifo + ["--exec-id", "e2", c, "sh", "-c", "exit 5"]).status, 5)
        let badExec = ctr(["tasks", "exec"] + fifo + ["--exec-id", "e3", c, "/nonexistent"])
        XCTAssertTrue(badExec.err.contains("exec /nonexistent: executable file not found"), badExec.err)

        // `ctr tasks ps` lists pids from `swiftbox-oci ps --format json`: sh and its sleep.
        let pids = ok(["tasks", "ps", c]).split(separator: "\n").dropFirst()
        XCTAssertGreaterThanOrEqual(pids.count, 1)

        ok(["tasks", "pause", c])
        XCTAssertEqual(taskStatus(c), "PAUSED")
        ok(["tasks", "resume", c])
        XCTAssertEqual(taskStatus(c), "RUNNING")

        // No CRIU: the error says so, and the task runs on.
        let checkpoint = ctr(["tasks", "checkpoint", c])
        XCTAssertTrue(checkpoint.err.contains("checkpoint is not supported by swiftbox"), checkpoint.err)
        XCTAssertEqual(taskStatus(c), "RUNNING")

        ok(["tasks", "kill", c])   // SIGTERM, trapped: exit 9
        eventually("the task stops") { self.taskStatus(c) == "STOPPED" }
        ok(["tasks", "delete", c])
        ok(["containers", "delete", c])
    }

    func testTerminal() throws {
        // ctr run -t wants a terminal of its own: script(1) gives it one.
        let c = id("tty")
        let cmd = (["/usr/bin/ctr", "-a", Self.engine!.containerdSocket, "-n", Self.engine!.name, "run"] + runtimeFlags
                   + ["-t", "--rm", image, c, "sh", "-c", "tty; exit 4"]).joined(separator: " ")
        let r = Self.shell(["/usr/bin/script", "-qec", cmd, "/dev/null"])
        XCTAssertEqual(r.status, 4, r.out + r.err)
        XCTAssertTrue(r.out.contains("/dev/pts/"), r.out + r.err)
    }
}
