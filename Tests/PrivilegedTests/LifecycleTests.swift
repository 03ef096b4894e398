// The OCI lifecycle: creating → created → running → stopped, kill, delete — and that
// delete leaves no process, cgroup, mount or state behind.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class LifecycleTests: PrivilegedTestCase {
    func testCreateStartKillDelete() throws {
        let id = newID()
        let b = try bundle(["sh", "-c", "trap 'exit 7' TERM; while true; do sleep 0.1; done"])
        let pidFile = work + "/pid"
        let c = sb(["create", "--bundle", b, "--pid-file", pidFile, id])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertEqual(status(id), "created")
        let pid = try XCTUnwrap(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        XCTAssertEqual(self.pid(id), pid)
        XCTAssertEqual(kill(pid, 0), 0, "the container process exists while created")
        // The user's program has not run yet: the process is still swiftbox's executor.
        XCTAssertEqual(try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), "swiftbox\n")
        XCTAssertTrue(sb(["list", "-q"]).out.contains(id))

        XCTAssertEqual(sb(["start", id]).status, 0)
        eventually("process execs sh") { (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == "sh\n" }
        XCTAssertEqual(status(id), "running")
        let again = sb(["start", id])
        XCTAssertNotEqual(again.status, 0, "start twice must fail")
        XCTAssertTrue(again.err.contains("not created"), again.err)
        let del = sb(["delete", id])
        XCTAssertNotEqual(del.status, 0, "delete of a running container needs --force")
        XCTAssertTrue(del.err.contains("--force"), del.err)

        XCTAssertEqual(sb(["kill", id, "TERM"]).status, 0)
        eventually("container stops") { self.status(id) == "stopped" }
        let k = sb(["kill", id, "KILL"])
        XCTAssertNotEqual(k.status, 0)
        XCTAssertTrue(k.err.contains("not running"), k.err)

        XCTAssertEqual(sb(["delete", id]).status, 0)
        XCTAssertNil(status(id))
        XCTAssertTrue(sb(["state", id]).err.contains("does not exist"))
    }

    func testForceDeleteOfRunningContainerLeavesNothing() throws {
        let id = newID()
        XCTAssertEqual(sb(["run", "--detach", "--bundle", try bundle(["sleep", "100"]), id]).status, 0)
        let pid = try XCTUnwrap(self.pid(id))
        XCTAssertEqual(status(id), "running")
        let cgroups = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        XCTAssertTrue(cgroups.contains("/swiftbox/\(id)"), cgroups)
        XCTAssertEqual(sb(["delete", "--force", id]).status, 0)
        eventually("process gone") { kill(pid, 0) != 0 || (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z") == true }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/swiftbox/\(id)"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified/swiftbox/\(id)"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateRoot + "/" + id))
    }

    func testDeleteOfCreatedContainerKillsItsProcess() throws {
        let id = newID()
        XCTAssertEqual(sb(["create", "--bundle", try bundle(["true"]), id]).status, 0)
        let pid = try XCTUnwrap(self.pid(id))
        XCTAssertEqual(sb(["delete", id]).status, 0)
        eventually("created process gone") { kill(pid, 0) != 0 || (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z") == true }
    }

    func testDryRunPrintsThePlanAndChangesNothing() throws {
        let id = newID()
        let r = sb(["run", "--dry-run", "--bundle", try bundle(["true"]), id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("pivot_root(., .)"), r.out)
        XCTAssertTrue(r.out.contains("execve(true, [true])"), r.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateRoot + "/" + id))
    }

    func testTraceShowsEachKernelStep() throws {
        let r = sb(["run", "--bundle", try bundle(["true"]), newID()], globals: ["--log-level", "trace"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("child[") && r.err.contains("pivot_root"), r.err)
        XCTAssertTrue(r.err.contains("execve(true"), r.err)
    }

    func testConsoleSocketReceivesThePtyMaster() throws {
        let id = newID()
        // /dev/console is the same terminal (a bind of the pty slave, major 136).
        let b = try bundle(["sh", "-c", "tty; echo console=$(stat -c %t /dev/console); echo hello-from-pty"]) { c in
            var p = c["process"] as! [String: Any]
            p["terminal"] = true
            c["process"] = p
        }
        let path = work + "/console.sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in for (i, b) in path.utf8.enumerated() { buf[i] = b } }
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(listener, 1), 0)
        var master: Int32 = -1
        let got = expectation(description: "pty master received")
        Thread.detachNewThread {
            let conn = accept(listener, nil, nil)
            master = sb_recv_fd(conn)
            close(conn)
            got.fulfill()
        }
        let c = sb(["create", "--bundle", b, "--console-socket", path, id])
        XCTAssertEqual(c.status, 0, c.err)
        wait(for: [got], timeout: 10)
        XCTAssertGreaterThanOrEqual(master, 0)
        defer { close(master) }
        XCTAssertEqual(sb(["start", id]).status, 0)
        var output = ""
        var buf = [UInt8](repeating: 0, count: 1024)
        let deadline = Date().addingTimeInterval(10)
        while !output.contains("hello-from-pty") && Date() < deadline {
            let n = read(master, &buf, buf.count)
            if n <= 0 { break }
            output += String(decoding: buf[0..<n], as: UTF8.self)
        }
        XCTAssertTrue(output.contains("/dev/pts/0"), output)
        XCTAssertTrue(output.contains("console=88"), "/dev/console is the pty (136 = 0x88): \(output)")
        XCTAssertTrue(output.contains("hello-from-pty"), output)
    }

    func testTerminalWithoutConsoleSocketIsRefused() throws {
        let id = newID()
        let b = try bundle(["true"]) { c in
            var p = c["process"] as! [String: Any]
            p["terminal"] = true
            c["process"] = p
        }
        let r = sb(["create", "--bundle", b, id])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--console-socket"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateRoot + "/" + id))
    }
}
