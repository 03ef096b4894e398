// The monitor's attach and resize sockets: only root (the owner) reaches them. Another
// local user, or a `--network host` container, must not be able to connect and type
// into a root shell in someone's container (issue #15, item 3).
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class AttachSocketTests: EngineTestCase {
    /// Connects to each address ("@name": abstract), sends a command line, and prints
    /// "ADDR connected" (with what came back) or "ADDR refused: REASON".
    static let probe = """
    import socket, sys
    for addr in sys.argv[1:]:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect("\\0" + addr[1:] if addr.startswith("@") else addr)
            s.sendall(sys.stdin.buffer.read() if False else b"echo pwned > /pwned; echo probe-$((6*7))\\n")
            s.settimeout(3)
            got = b""
            while b"probe-42" not in got:
                chunk = s.recv(4096)
                if not chunk: break
                got += chunk
            print(addr, "connected", "ran" if b"probe-42" in got else "nothing")
        except Exception as e:
            print(addr, "refused:", e)
    """

    func writeProbe() throws -> String {
        let path = work + "/probe.py"
        try Self.probe.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(work, 0o755)
        chmod(path, 0o644)
        return path
    }

    /// The socket paths of a container's monitor, as /proc/net/unix of the host lists them.
    func socketPaths(_ id: String) -> [String] {
        let table = (try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").compactMap { line in
            line.split(separator: " ").last.map(String.init).flatMap { $0.contains(id) ? $0 : nil }
        }
    }

    func probe(_ addresses: [String], asNobody: Bool) throws -> String {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("python3 and setpriv are needed (make deps)") }
            throw XCTSkip("python3 and setpriv (util-linux) are needed")
        }
        let user = asNobody ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let r = Self.shell(user + [python, try writeProbe()] + addresses)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out
    }

    func testAnotherUserCannotReachTheAttachSocket() throws {
        let r = run(["-dit", "--name", "guarded", "busybox-image", "sh"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let unixTable = try String(contentsOfFile: "/proc/net/unix", encoding: .utf8)
        // (Of this container: other engines on the machine are not ours to judge.)
        XCTAssertFalse(unixTable.split(separator: "\n").contains { $0.contains("@") && $0.contains(id) },
                       "an abstract socket of the container's monitor in the host's network namespace")
        let paths = socketPaths(id)
        XCTAssertEqual(paths.count, 2, "the attach and resize sockets: \(paths)")
        for path in paths {
            var st = stat()
            XCTAssertEqual(lstat(path, &st), 0)
            XCTAssertEqual(st.st_mode & 0o777, 0o600, path)
            let dir = (path as NSString).deletingLastPathComponent
            XCTAssertEqual(lstat(dir, &st), 0)
            XCTAssertEqual(st.st_mode & 0o777, 0o700, dir)
        }
        // As nobody: neither the old abstract name nor the path.
        var out = try probe(["@swiftbox-attach-" + id], asNobody: true)
        XCTAssertFalse(out.contains("connected"), out)
        guard let attach = paths.first(where: { $0.hasSuffix(".attach") }) else { return }
        out = try probe([attach], asNobody: true)
        XCTAssertFalse(out.contains("connected"), out)
        XCTAssertTrue(out.contains("Permission denied"), out)

        // With the directory and the socket opened up by mistake, the monitor's peer
        // check still hangs up on nobody before reading a byte.
        let dir = (attach as NSString).deletingLastPathComponent
        let parent = (dir as NSString).deletingLastPathComponent
        var st = stat()
        lstat(parent, &st)
        let parentMode = st.st_mode & 0o7777
        chmod(parent, 0o755); chmod(dir, 0o755); chmod(attach, 0o777)
        out = try probe([attach], asNobody: true)
        chmod(dir, 0o700); chmod(parent, parentMode); chmod(attach, 0o600)
        XCTAssertFalse(out.contains("ran"), out)
        XCTAssertNotEqual(sbx(["exec", "guarded", "cat", "/pwned"]).status, 0, "nobody ran a command in the container")

        // Root still attaches, and is heard.
        out = try probe([attach], asNobody: false)
        XCTAssertTrue(out.contains("connected ran"), out)
    }

    func testAHostNetworkContainerCannotReachTheAttachSocket() throws {
        let r = run(["-dit", "--name", "target", "busybox-image", "sh"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let attach = socketPaths(id).first(where: { $0.hasSuffix(".attach") }) else { return XCTFail("no attach socket of \(id)") }
        // Same network namespace as the host: /proc/net/unix shows its sockets; none is
        // an abstract swiftbox one, and the attach socket's path is not in its mount namespace.
        let other = run(["--rm", "--network", "host", "busybox-image", "sh", "-c",
                         "cat /proc/net/unix; test -e \(attach) && echo PATH-VISIBLE; true"])
        XCTAssertEqual(other.status, 0, other.err)
        XCTAssertTrue(other.out.contains("Num"), "the host's /proc/net/unix: \(other.out)")
        XCTAssertFalse(other.out.split(separator: "\n").contains { $0.contains("@") && $0.contains(id) }, other.out)
        XCTAssertFalse(other.out.contains("PATH-VISIBLE"), other.out)
    }

    func monitorPid(_ id: String) -> Int32? {
        let data = try? Data(contentsOf: URL(fileURLWithPath: engineRoot + "/containers/\(id)/state.json"))
        let state = data.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        return (state?["monitorPid"] as? NSNumber)?.int32Value
    }

    func killMonitor(_ id: String) throws {
        let monitor = try XCTUnwrap(monitorPid(id))
        XCTAssertEqual(Glibc.kill(monitor, SIGKILL), 0)
        eventually("the monitor is gone") { Glibc.kill(monitor, 0) != 0 }
    }

    func testAKilledMonitorsSocketIsReplacedAndRemoved() throws {
        // A monitor killed with SIGKILL leaves its socket file: the next monitor binds
        // anew in its place, and `rm -f` removes it.
        let r = run(["-di", "--name", "again", "busybox-image", "sh"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let attach = try XCTUnwrap(socketPaths(id).first { $0.hasSuffix(".attach") })
        try killMonitor(id)
        XCTAssertTrue(FileManager.default.fileExists(atPath: attach), "the killed monitor's socket file stays")
        _ = sbx(["kill", "again"])   // (its stdin pipe ended with the monitor: it may have exited already)
        eventually("the container exited") { !self.sbx(["ps", "-q"]).out.contains(String(id.prefix(12))) }
        let started = sbx(["start", "again"])
        XCTAssertEqual(started.status, 0, started.err)
        let out = try probe([attach], asNobody: false)
        XCTAssertTrue(out.contains("connected ran"), out)
        try killMonitor(id)
        XCTAssertEqual(sbx(["rm", "-f", "again"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: attach), "socket file left after rm -f")
    }

    func testAttachAfterARestartByThePolicy() throws {
        // The first run reads one line and fails; the policy restarts it; attach again.
        let r = run(["-di", "--restart", "on-failure:1", "--name", "restarted", "busybox-image", "sh", "-c",
                     "read x; echo got-$x; exit 3"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let attach = try XCTUnwrap(socketPaths(id).first { $0.hasSuffix(".attach") })
        var out = try probe([attach], asNobody: false)   // its line ends the first run
        eventually("restarted by the policy") {
            (self.sbx(["inspect", "restarted"]).out.contains("\"RestartCount\" : 1")) && self.sbx(["ps", "-q"]).out.contains(String(id.prefix(12)))
        }
        out = try probe([attach], asNobody: false)
        XCTAssertTrue(out.contains("connected"), "attach after the restart: \(out)")
        eventually("the second run printed what it read") { self.sbx(["logs", "restarted"]).out.components(separatedBy: "got-echo").count == 3 }
    }
}
