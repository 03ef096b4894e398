// Debian's dockerd (20.10) driving swiftbox: `docker run --runtime swiftbox` through
// containerd's runc shim v2, which calls `swiftbox-oci` as it calls runc (create with
// --console-socket/--pid-file, start, state, exec --process --detach, ps --format json,
// pause/resume, update --resources -, kill, delete). One private containerd + dockerd
// for the class (PrivateEngine), started by the first test and stopped after the last.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class DockerdRuntimeTests: PrivilegedTestCase {
    static var engine: PrivateEngine?
    static var startError: String?
    let image = "swiftbox-test/busybox"
    var names: [String] = []

    /// Start the daemons once per class; a failure to start fails every test with its log.
    static func sharedEngine() throws -> PrivateEngine {
        if let engine { return engine }
        if let startError { throw PrivateEngine.EngineError(startError) }
        do {
            let e = try PrivateEngine(engine: "dockerd")
            engine = e
            try e.makeImageArchive()
            try e.startContainerd()
            try e.startDockerd()
            let load = shell(["/usr/bin/docker", "-H", "unix://" + e.dockerSocket, "load", "-i", e.imageArchive])
            guard load.status == 0 else { throw PrivateEngine.EngineError("docker load: \(load.err)" + e.log("dockerd")) }
            return e
        } catch {
            startError = "\(error)"
            throw error
        }
    }

    override class func tearDown() {
        if let e = engine {
            let left = e.stop()
            if !left.isEmpty { print("error: DockerdRuntimeTests left behind: \(left.joined(separator: ", ")) (Tests/leak-check.sh fails on it)") }
        }
        engine = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        for tool in ["/usr/sbin/dockerd", "/usr/bin/docker", "/usr/bin/containerd", "/usr/bin/containerd-shim-runc-v2", "/usr/bin/skopeo"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw missingTool("\(tool) is missing (make deps installs docker.io, containerd and skopeo)")
        }
        _ = try Self.sharedEngine()
    }

    override func tearDownWithError() throws {
        if let e = Self.engine {
            for name in names { _ = docker(["rm", "-f", name]) }
            XCTAssertEqual(docker(["ps", "-aq"]).out, "", "containers left in dockerd")
            // Their cgroups (under dockerd's --cgroup-parent) and swiftbox's state (runc's --root).
            let children = e.cgroupDirectories().flatMap { root in
                ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { FileSystemProbe.isDirectory(root + "/" + $0) }
            }
            XCTAssertEqual(children, [], "cgroups of removed containers left under /\(e.name)")
            let state = e.dir + "/docker/exec/runtime-runc/moby"
            XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: state)) ?? [], [], "swiftbox state left in \(state)")
        }
        try super.tearDownWithError()
    }

    func docker(_ args: [String]) -> (status: Int32, out: String, err: String) {
        Self.shell(["/usr/bin/docker", "-H", "unix://" + Self.engine!.dockerSocket] + args)
    }

    /// `docker …` that must succeed; the message shows docker's own error and dockerd's log.
    @discardableResult
    func ok(_ args: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        let r = docker(args)
        XCTAssertEqual(r.status, 0, "docker \(args.joined(separator: " ")): \(r.err)" + Self.engine!.log("dockerd", lines: 10),
                       file: file, line: line)
        return r.out
    }

    func name(_ base: String) -> String {
        let n = "\(base)-\(UInt16.random(in: 0...UInt16.max))"
        names.append(n)
        return n
    }

    func testRunInTheForegroundWithExitCodesAndErrors() throws {
        XCTAssertEqual(ok(["run", "--rm", "--runtime", "swiftbox", image, "echo", "hi"]), "hi\n")
        XCTAssertEqual(docker(["run", "--rm", "--runtime", "swiftbox", image, "sh", "-c", "exit 3"]).status, 3)
        // A missing program fails `create`, so dockerd shows swiftbox's error and maps it
        // to 127 (126: not executable), as with runc.
        let missing = docker(["run", "--rm", "--runtime", "swiftbox", image, "/nonexistent"])
        XCTAssertEqual(missing.status, 127, missing.err)
        XCTAssertTrue(missing.err.contains("OCI runtime create failed: exec /nonexistent: executable file not found"), missing.err)
        let notExecutable = docker(["run", "--rm", "--runtime", "swiftbox", image, "/etc/passwd"])
        XCTAssertEqual(notExecutable.status, 126, notExecutable.err)
        XCTAssertTrue(notExecutable.err.contains("exec /etc/passwd: permission denied"), notExecutable.err)
        // The working directory is entered before the user switch, as runc does: uid
        // 1000 gets /root/app (dockerd creates it) although it may not search /root.
        XCTAssertEqual(ok(["run", "--rm", "--runtime", "swiftbox", "-u", "1000", "-w", "/root/app", image, "pwd"]), "/root/app\n")
    }

    func testDetachedContainerThroughItsLifecycle() throws {
        let c = name("life")
        // sh as PID 1 ignores SIGTERM unless it traps it: the trap makes `stop` quick.
        ok(["run", "-d", "--name", c, "--runtime", "swiftbox", image, "sh", "-c",
            "trap 'exit 7' TERM; echo started; while true; do sleep 1; done"])
        eventually("the container logs its start") { docker(["logs", c]).out.contains("started") }

        // exec joins the container's pid namespace: PID 1 there is its sh.
        XCTAssertEqual(ok(["exec", c, "cat", "/proc/1/comm"]), "sh\n")
        XCTAssertEqual(docker(["exec", c, "sh", "-c", "exit 4"]).status, 4)
        let top = ok(["top", c])   // through `swiftbox-oci ps --format json`
        XCTAssertTrue(top.contains("while true"), top)

        ok(["pause", c])
        XCTAssertEqual(ok(["inspect", "-f", "{{.State.Status}}", c]), "paused\n")
        ok(["unpause", c])
        XCTAssertEqual(ok(["inspect", "-f", "{{.State.Status}}", c]), "running\n")

        // The new limit reaches the cgroup, and the container sees its own cgroup there
        // (dockerd on cgroup v1 gives it no cgroup namespace).
        ok(["update", "--memory", "64m", "--memory-swap", "128m", c])
        XCTAssertEqual(ok(["exec", c, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]), "67108864\n")
        XCTAssertTrue(ok(["stats", "--no-stream", "--format", "{{.MemUsage}}", c]).contains("/ 64MiB"))

        ok(["stop", "-t", "20", c])
        XCTAssertEqual(ok(["inspect", "-f", "{{.State.ExitCode}}", c]), "7\n")
        ok(["rm", c])
    }

    func testTerminals() throws {
        // `run -t` gets a pty through swiftbox's --console-socket; stdin is /dev/null.
        XCTAssertTrue(ok(["run", "--rm", "-t", "--runtime", "swiftbox", image, "tty"]).hasPrefix("/dev/pts/"))
        let c = name("tty")
        ok(["run", "-d", "--name", c, "--runtime", "swiftbox", image, "sleep", "1000"])
        XCTAssertTrue(ok(["exec", "-t", c, "tty"]).hasPrefix("/dev/pts/"))
        ok(["rm", "-f", c])
    }
}

enum FileSystemProbe {
    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
