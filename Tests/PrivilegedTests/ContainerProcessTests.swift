// What the container's process sees: pid 1, its own hostname, /proc, the capability
// sets, no_new_privs and seccomp as config.json asks; exit statuses passed through.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class ContainerProcessTests: PrivilegedTestCase {
    func statusLines(_ out: String) -> [String: String] {
        var m: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { m[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return m
    }

    func testPidOneHostnameProcAndDefaultCapabilities() throws {
        let b = try bundle(["sh", "-c", "echo pid:$$; echo host:$(hostname); grep -E '^(CapEff|CapPrm|CapBnd|CapInh|NoNewPrivs|Seccomp):' /proc/self/status"])
        let r = sb(["run", "--bundle", b, newID()])
        XCTAssertEqual(r.status, 0, r.err)
        let m = statusLines(r.out)
        XCTAssertEqual(m["pid"], "1")
        XCTAssertEqual(m["host"], "swiftbox")
        // CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29).
        XCTAssertEqual(m["CapEff"], "0000000020000420")
        XCTAssertEqual(m["CapPrm"], "0000000020000420")
        XCTAssertEqual(m["CapBnd"], "0000000020000420")
        XCTAssertEqual(m["CapInh"], "0000000000000000")
        XCTAssertEqual(m["NoNewPrivs"], "1")
        XCTAssertEqual(m["Seccomp"], "0")
    }

    func testCapabilitiesNoNewPrivsAndSeccompFollowTheConfig() throws {
        let b = try bundle(["sh", "-c", "grep -E '^(CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status"]) { c in
            var p = c["process"] as! [String: Any]
            p["noNewPrivileges"] = false
            p["capabilities"] = ["bounding": ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_RAW"],
                                 "effective": ["CAP_CHOWN", "CAP_SYS_ADMIN"],
                                 "permitted": ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_RAW"],
                                 "inheritable": ["CAP_NET_RAW"], "ambient": ["CAP_NET_RAW"]]
            c["process"] = p
            var l = c["linux"] as! [String: Any]
            l["seccomp"] = ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [["names": ["reboot"], "action": "SCMP_ACT_ERRNO"]]]
            c["linux"] = l
        }
        let r = sb(["run", "--bundle", b, newID()])
        XCTAssertEqual(r.status, 0, r.err)
        let m = statusLines(r.out)
        XCTAssertEqual(m["CapEff"], "0000000000202001", "CHOWN|SYS_ADMIN, plus NET_RAW raised by the ambient set at execve")
        XCTAssertEqual(m["CapBnd"], "0000000000202001")
        XCTAssertEqual(m["CapAmb"], "0000000000002000")
        XCTAssertEqual(m["NoNewPrivs"], "0")
        XCTAssertEqual(m["Seccomp"], "2")
    }

    func withTmp(_ c: inout [String: Any]) {
        var mounts = c["mounts"] as! [[String: Any]]
        mounts.append(["destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]])
        c["mounts"] = mounts
    }

    func testSeccompDeniedSyscallGetsEPERM() throws {
        let script = ["sh", "-c", "mkdir /tmp/x && echo made"]
        // Control: without the profile, mkdir works (so the check below can fail).
        let plain = try bundle(script) { self.withTmp(&$0) }
        let ok = sb(["run", "--bundle", plain, newID()])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertEqual(ok.out, "made\n")
        let denied = try bundle(script) { c in
            self.withTmp(&c)
            var l = c["linux"] as! [String: Any]
            l["seccomp"] = ["defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                            "syscalls": [["names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"]]]
            c["linux"] = l
        }
        let r = sb(["run", "--bundle", denied, newID()])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.out.isEmpty)
        XCTAssertTrue(r.err.contains("Operation not permitted"), r.err)
    }

    func testMaskedAndReadonlyPathsAndReadonlyRoot() throws {
        let b = try bundle(["sh", "-c", """
            echo timer_list:$(wc -c < /proc/timer_list)
            echo firmware:$(ls -A /sys/firmware | wc -l)
            echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo procsys:writable || echo procsys:readonly
            touch /newfile 2>/dev/null && echo root:writable || echo root:readonly
            """])
        // /proc/timer_list is in the default maskedPaths and has content on the host.
        XCTAssertGreaterThan(try String(contentsOfFile: "/proc/timer_list", encoding: .utf8).count, 0)
        let r = sb(["run", "--bundle", b, newID()])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "timer_list:0\nfirmware:0\nprocsys:readonly\nroot:readonly\n")
    }

    func testExitStatusesArePassedThrough() throws {
        XCTAssertEqual(sb(["run", "--bundle", try bundle(["/bin/true"]), newID()]).status, 0)
        XCTAssertEqual(sb(["run", "--bundle", try bundle(["/bin/false"]), newID()]).status, 1)
        XCTAssertEqual(sb(["run", "--bundle", try bundle(["sh", "-c", "exit 3"]), newID()]).status, 3)
    }

    func testKilledContainerExitsWith137() throws {
        let id = newID()
        let b = try bundle(["sleep", "100"])
        var result: (status: Int32, out: String, err: String)?
        let done = expectation(description: "run returns")
        let argv = [Self.binary, "oci", "--root", stateRoot, "run", "--bundle", b, id]
        Thread.detachNewThread {
            result = PrivilegedTestCase.shell(argv)
            done.fulfill()
        }
        eventually("container running") { self.status(id) == "running" }
        XCTAssertEqual(sb(["kill", id, "KILL"]).status, 0)
        wait(for: [done], timeout: 20)
        XCTAssertEqual(result?.status, 137, result?.err ?? "")
    }

    func testRunForwardsSignalsToTheContainer() throws {
        let id = newID()
        let b = try bundle(["sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.05; done"])
        let out = work + "/run.out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [Self.binary, "oci", "--root", stateRoot, "run", "--bundle", b, id]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        XCTAssertEqual(posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ), 0)
        eventually("container says ready") { ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("ready") }
        XCTAssertEqual(kill(pid, SIGTERM), 0, "signal the runtime, not the container")
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, 0), pid)
        XCTAssertEqual(sb_wexitstatus(status), 7, "the container's trap ran and its status came back")
        XCTAssertTrue(try String(contentsOfFile: out, encoding: .utf8).contains("got-term"))
    }

    func testCommandNotFound() throws {
        let r = sb(["run", "--bundle", try bundle(["no-such-program"]), newID()])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("no-such-program") && r.err.contains("not found"), r.err)
    }

    func testUserCwdRlimitSysctl() throws {
        let b = try bundle(["sh", "-c", "id -u; id -g; id -G; pwd; ulimit -n; cat /proc/sys/net/ipv4/ip_unprivileged_port_start"]) { c in
            var p = c["process"] as! [String: Any]
            p["user"] = ["uid": 65534, "gid": 65534, "additionalGids": [5, 6]]
            p["cwd"] = "/etc"
            p["rlimits"] = [["type": "RLIMIT_NOFILE", "soft": 77, "hard": 88]]
            c["process"] = p
            var l = c["linux"] as! [String: Any]
            l["sysctl"] = ["net.ipv4.ip_unprivileged_port_start": "42"]
            c["linux"] = l
        }
        let r = sb(["run", "--bundle", b, newID()])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "65534\n65534\n65534 5 6\n/etc\n77\n42\n")
    }

    func testJoinNetworkNamespaceByPath() throws {
        let first = newID("net")
        XCTAssertEqual(sb(["run", "--detach", "--bundle", try bundle(["sleep", "60"]), first]).status, 0)
        guard let pid = pid(first), pid > 0 else { return XCTFail("no pid for \(first)") }
        let hostView = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
        let b = try bundle(["readlink", "/proc/self/ns/net"]) { c in
            var l = c["linux"] as! [String: Any]
            var ns = (l["namespaces"] as! [[String: Any]]).filter { $0["type"] as? String != "network" }
            ns.append(["type": "network", "path": "/proc/\(pid)/ns/net"])
            l["namespaces"] = ns
            c["linux"] = l
        }
        let r = sb(["run", "--bundle", b, newID()])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, hostView + "\n")
    }
}
