// Shared harness for tests that start real containers. They need root (CI runs as
// root); elsewhere they skip with the reason printed. Every test gets its own state
// root and bundle directory and, whatever happens, force-deletes its containers and
// then checks that no cgroup, mount or process of theirs is left behind.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

class PrivilegedTestCase: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The binary under test: $SWIFTBOX_BIN, else the debug build next to the tests.
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["SWIFTBOX_BIN"] { return b }
        return packageRoot + "/.build/debug/swiftbox"
    }

    /// One busybox rootfs for the whole run (bundles share it read-only).
    static let sharedRootfs: String? = {
        let dir = NSTemporaryDirectory() + "swiftbox-test-fixture-\(getpid())"
        let (status, _, err) = PrivilegedTestCase.shell([packageRoot + "/rootfs-fixtures/busybox-bundle.sh", dir])
        if status != 0 { print("fixture build failed: \(err)"); return nil }
        atexit { _ = try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "swiftbox-test-fixture-\(getpid())") }
        return dir
    }()

    var work = ""
    var stateRoot = ""
    var ids: [String] = []

    override func setUpWithError() throws {
        guard geteuid() == 0 else { throw missingTool("needs root to create namespaces, mounts and cgroups (CI runs as root)") }
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw missingTool("no swiftbox binary at \(Self.binary): run `swift build` first")
        }
        guard Self.sharedRootfs != nil else { throw missingTool("could not build the busybox fixture (is busybox-static installed? run `make deps`)") }
        work = NSTemporaryDirectory() + "swiftbox-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        stateRoot = work + "/state"
        try FileManager.default.createDirectory(atPath: stateRoot, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        guard !work.isEmpty else { return }
        for id in ids { _ = sb(["delete", "--force", id]) }
        for id in ids {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/swiftbox/\(id)"), "cgroup of \(id) left behind")
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified/swiftbox/\(id)"), "cgroup of \(id) left behind")
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/swiftbox/\(id)"), "cgroup of \(id) left behind")
        }
        let mounts = PrivilegedTestCase.mountinfo()
        XCTAssertFalse(mounts.contains(work), "a mount under \(work) was left on the host")
        try? FileManager.default.removeItem(atPath: work)
    }

    /// A fresh container ID, remembered for cleanup.
    func newID(_ name: String = "c") -> String {
        let id = "\(name)-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        ids.append(id)
        return id
    }

    /// A bundle whose config.json is the fixture's, with `args`, edited by `edit`.
    func bundle(_ args: [String], edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let dir = work + "/bundle-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let base = try Data(contentsOf: URL(fileURLWithPath: Self.sharedRootfs! + "/config.json"))
        var config = try JSONSerialization.jsonObject(with: base) as! [String: Any]
        var process = config["process"] as! [String: Any]
        process["args"] = args
        config["process"] = process
        config["root"] = ["path": Self.sharedRootfs! + "/rootfs", "readonly": true]
        edit(&config)
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted])
        try data.write(to: URL(fileURLWithPath: dir + "/config.json"))
        return dir
    }

    /// Run `swiftbox oci --root <state> ARGS…`.
    @discardableResult
    func sb(_ args: [String], globals: [String] = []) -> (status: Int32, out: String, err: String) {
        Self.shell([Self.binary, "oci", "--root", stateRoot] + globals + args)
    }

    /// Run a command to completion; stdout and stderr through files (no pipe deadlock).
    /// posix_spawn + waitpid rather than Foundation's Process: Process learns of the
    /// exit through a descriptor the child inherits, so a daemon the command leaves
    /// behind (podman's conmon, a created container) would keep it waiting forever.
    static func shell(_ argv: [String]) -> (status: Int32, out: String, err: String) {
        let outPath = NSTemporaryDirectory() + "sbt-out-\(UInt64.random(in: 0...UInt64.max))"
        let errPath = outPath + ".err"
        defer { unlink(outPath); unlink(errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, &cargs, environ)
        guard rc == 0 else { return (-1, "", "posix_spawn \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let code: Int32 = sb_wifexited(status) != 0 ? sb_wexitstatus(status) : 128 + sb_wtermsig(status)
        return (code, out, err)
    }

    /// The whole mount table. Not String(contentsOfFile:): procfs files report a size of
    /// 0, and Foundation then read only the first page — a leak check that reads a page
    /// of a long table sees nothing and cannot fail.
    static func mountinfo() -> String {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/mountinfo") else { return "" }
        defer { try? handle.close() }
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Fault injection: start `argv` (output to /dev/null), SIGKILL it after `micros`
    /// microseconds, and reap it.
    static func spawnAndKill(_ argv: [String], afterMicros micros: UInt32) {
        var pid: pid_t = 0
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        guard posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ) == 0 else { return XCTFail("cannot start \(argv[0])") }
        usleep(micros)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// Poll for a condition with a deadline instead of sleeping a fixed time.
    func eventually(_ what: String, seconds: Double = 10, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return }
            usleep(20_000)
        }
        XCTFail("timed out waiting for: \(what)")
    }

    func status(_ id: String) -> String? {
        let r = sb(["state", id])
        guard r.status == 0, let data = r.out.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return obj["status"] as? String
    }

    func pid(_ id: String) -> Int32? {
        let r = sb(["state", id])
        guard let data = r.out.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (obj["pid"] as? NSNumber)?.int32Value
    }
}
