// The OCI runtime defects runtime-tools found (issue #17), each with the config that
// showed it, run for real through `swiftbox oci`.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class OCIConformanceTests: PrivilegedTestCase {
    /// rootfs-fixtures/probes/syscall-probe.c, built statically once per test.
    func syscallProbe() throws -> String {
        let out = work + "/syscall-probe"
        let cc = Self.shell(["/usr/bin/gcc", "-static", "-O1", "-o", out, Self.packageRoot + "/rootfs-fixtures/probes/syscall-probe.c"])
        if cc.status != 0 { throw missingTool("cannot build the syscall probe with gcc -static: \(cc.err)") }
        return out
    }

    /// Mount `file` read-only at /mnt/probe (on a tmpfs, so the shared rootfs is untouched).
    static func withProbe(_ file: String, _ config: inout [String: Any]) {
        var mounts = config["mounts"] as? [[String: Any]] ?? []
        mounts.append(["destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]])
        mounts.append(["destination": "/mnt/probe", "type": "bind", "source": file, "options": ["bind", "ro"]])
        config["mounts"] = mounts
    }

    /// A profile that names neither close_range nor most of what a runtime does, with
    /// no_new_privs off: the filter must come after the runtime's own steps, a call newer
    /// than the profile must get ENOSYS, an older unnamed one the profile's
    /// defaultErrnoRet, and a rule's own errnoRet must be honoured.
    func testSeccompProfileWithoutTheRuntimesOwnCalls() throws {
        let probe = try syscallProbe()
        let allowed = ["read", "write", "writev", "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list",
                       "rseq", "prlimit64", "readlink", "readlinkat", "getrandom", "mprotect", "mmap", "munmap",
                       "newfstatat", "fstat", "exit_group", "exit", "uname", "ioctl", "capset", "prctl"]
        let id = newID("seccomp")
        let dir = try bundle(["/mnt/probe", "436", "110", "83"]) { config in
            Self.withProbe(probe, &config)
            var process = config["process"] as! [String: Any]
            process["noNewPrivileges"] = false
            config["process"] = process
            var linux = config["linux"] as! [String: Any]
            linux["seccomp"] = [
                "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [["names": allowed, "action": "SCMP_ACT_ALLOW"],
                             ["names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42]],
            ]
            config["linux"] = linux
        }
        let r = sb(["run", "--bundle", dir, id])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["436 38", "110 13", "83 42"],
                       "close_range (newer than rseq, the newest named) → ENOSYS; getppid → defaultErrnoRet; mkdir → its errnoRet")
    }

    /// rootfsPropagation "shared" used to fail with pivot_root(., .): EINVAL.
    func testRootfsPropagationShared() throws {
        for propagation in ["shared", "rshared", "unbindable", "rprivate"] {
            let id = newID("prop")
            let dir = try bundle(["/bin/sh", "-c", "awk '$5 == \"/\"' /proc/self/mountinfo"]) { config in
                var linux = config["linux"] as! [String: Any]
                linux["rootfsPropagation"] = propagation
                config["linux"] = linux
            }
            let r = sb(["run", "--bundle", dir, id])
            XCTAssertEqual(r.status, 0, "\(propagation): \(r.err)")
            let expected = ["shared": "shared:", "rshared": "shared:", "unbindable": "unbindable", "rprivate": ""][propagation]!
            if expected.isEmpty {
                XCTAssertFalse(r.out.contains("shared:") || r.out.contains("master:"), "\(propagation): \(r.out)")
            } else {
                XCTAssertTrue(r.out.contains(expected), "\(propagation): / is \(r.out)")
            }
        }
    }

    /// A hostname set in a uts namespace joined by path lands in that namespace.
    func testHostnameInAJoinedUTSNamespace() throws {
        let holder = newID("uts-holder")
        let holderDir = try bundle(["/bin/sleep", "60"])
        XCTAssertEqual(sb(["create", "--bundle", holderDir, holder]).status, 0)
        guard let pid = pid(holder), pid > 0 else { return XCTFail("no pid for \(holder)") }
        let id = newID("uts-join")
        let dir = try bundle(["/bin/hostname"]) { config in
            config["hostname"] = "joined-by-path"
            var linux = config["linux"] as! [String: Any]
            var namespaces = (linux["namespaces"] as! [[String: Any]]).filter { $0["type"] as? String != "uts" }
            namespaces.append(["type": "uts", "path": "/proc/\(pid)/ns/uts"])
            linux["namespaces"] = namespaces
            config["linux"] = linux
        }
        let r = sb(["run", "--bundle", dir, id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.trimmingCharacters(in: .whitespacesAndNewlines), "joined-by-path")
        let seen = Self.shell(["/usr/bin/nsenter", "-t", "\(pid)", "-u", "/bin/hostname"])
        XCTAssertEqual(seen.out.trimmingCharacters(in: .whitespacesAndNewlines), "joined-by-path", "the holder's uts namespace was renamed")
        XCTAssertNotEqual(try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                          "joined-by-path", "the host's hostname must not change")
    }

    func testUnsupportedOCIVersionIsRefused() throws {
        let id = newID("version")
        let dir = try bundle(["/bin/true"]) { $0["ociVersion"] = "invalid" }
        let r = sb(["run", "--bundle", dir, id])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("ociVersion \"invalid\""), r.err)
        XCTAssertNil(status(id), "nothing is left of a refused config")
    }

    /// `runc spec`'s own config.json lists ambient capabilities that are not inheritable:
    /// it runs (they are left out, as runc does), instead of failing PR_CAP_AMBIENT_RAISE.
    func testRuncSpecsOwnConfigRuns() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runc") else { throw missingTool("runc is not installed (make deps)") }
        let specDir = work + "/runc-spec"
        try FileManager.default.createDirectory(atPath: specDir, withIntermediateDirectories: true)
        let spec = Self.shell(["/usr/sbin/runc", "spec", "--bundle", specDir])
        XCTAssertEqual(spec.status, 0, spec.err)
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: specDir + "/config.json"))) as! [String: Any]
        var process = config["process"] as! [String: Any]
        let caps = process["capabilities"] as! [String: Any]
        XCTAssertNotNil(caps["ambient"], "runc spec lists ambient capabilities")
        process["terminal"] = false
        process["args"] = ["/bin/grep", "^Cap", "/proc/self/status"]
        config["process"] = process
        config["root"] = ["path": Self.sharedRootfs! + "/rootfs", "readonly": true]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: specDir + "/config.json"))
        let id = newID("runcspec")
        let r = sb(["run", "--bundle", specDir, id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("CapEff:\t00000000000004a0") || r.out.contains("CapEff:"), r.out)
        XCTAssertTrue(r.err.contains("process.capabilities.ambient: not raising"), "the skip is said: \(r.err)")
    }

    /// A capability the runtime itself lacks (here taken from its bounding set with
    /// setpriv) is an error naming the field, not a silent drop.
    func testCapabilityTheRuntimeLacksIsAnError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw missingTool("setpriv (util-linux) is missing") }
        let id = newID("cap")
        let dir = try bundle(["/bin/true"]) { config in
            var process = config["process"] as! [String: Any]
            var caps = process["capabilities"] as! [String: Any]
            caps["bounding"] = ["CAP_KILL", "CAP_SYS_RESOURCE"]
            process["capabilities"] = caps
            config["process"] = process
        }
        let r = Self.shell(["/usr/bin/setpriv", "--bounding-set", "-sys_resource", Self.binary, "oci", "--root", stateRoot,
                            "run", "--bundle", dir, id])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("process.capabilities.bounding: CAP_SYS_RESOURCE is not in this runtime's own bounding set"), r.err)
        XCTAssertNil(status(id))
    }

    /// Hooks at their points of the lifecycle, in the runtime's namespaces, with the state
    /// on stdin and exactly their own environment.
    func testHooksRunInOrderWithTheStateOnStdin() throws {
        let out = work + "/hooks"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        func hook(_ name: String) -> [String: Any] {
            ["path": "/bin/sh", "args": ["sh", "-c", "cat > \(out)/\(name).json; echo \(name) $HOOKVAR >> \(out)/order"], "env": ["HOOKVAR=set"]]
        }
        let id = newID("hooks")
        let dir = try bundle(["/bin/sleep", "30"]) { config in
            config["hooks"] = ["prestart": [hook("prestart")], "createRuntime": [hook("createRuntime")],
                               "poststart": [hook("poststart")], "poststop": [hook("poststop")]]
        }
        XCTAssertEqual(sb(["create", "--bundle", dir, id]).status, 0)
        let pid = try XCTUnwrap(self.pid(id))
        let prestart = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/prestart.json"))) as! [String: Any]
        XCTAssertEqual(prestart["status"] as? String, "created")
        XCTAssertEqual((prestart["pid"] as? NSNumber)?.int32Value, pid)
        XCTAssertEqual(prestart["id"] as? String, id)
        XCTAssertEqual(sb(["start", id]).status, 0)
        let poststart = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/poststart.json"))) as! [String: Any]
        XCTAssertEqual(poststart["status"] as? String, "running")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/poststop.json"), "poststop waits for delete")
        XCTAssertEqual(sb(["delete", "--force", id]).status, 0)
        let order = try String(contentsOfFile: out + "/order", encoding: .utf8)
        XCTAssertEqual(order, "prestart set\ncreateRuntime set\npoststart set\npoststop set\n")
        let poststop = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/poststop.json"))) as! [String: Any]
        XCTAssertEqual(poststop["status"] as? String, "stopped")
    }

    /// A failing or hanging prestart hook ends the create, names the hook, leaves nothing;
    /// poststart and poststop failures are warnings; createContainer is refused clearly.
    func testHookFailures() throws {
        for (hook, expected) in [(["path": "/bin/false"], "hooks.prestart[0] /bin/false: exited with status 1"),
                                 (["path": "/bin/sleep", "args": ["sleep", "10"], "timeout": 1], "hooks.prestart[0] /bin/sleep: timed out after 1 s"),
                                 (["path": "/no/such/hook"], "hooks.prestart[0] /no/such/hook: cannot execute")] as [([String: Any], String)] {
            let id = newID("hookfail")
            let dir = try bundle(["/bin/true"]) { $0["hooks"] = ["prestart": [hook]] }
            let r = sb(["create", "--bundle", dir, id])
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.err.contains(expected), r.err)
            XCTAssertNil(status(id), "a failed create leaves no container")
        }
        let id = newID("hookwarn")
        let mark = work + "/after-failure"
        let touch: [String: Any] = ["path": "/bin/sh", "args": ["sh", "-c", "echo ran >> \(mark)"]]
        let dir = try bundle(["/bin/true"]) { $0["hooks"] = ["poststart": [["path": "/bin/false"], touch], "poststop": [["path": "/bin/false"], touch]] }
        let r = sb(["run", "--bundle", dir, id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("hooks.poststart[0] /bin/false: exited with status 1"), r.err)
        XCTAssertTrue(r.err.contains("hooks.poststop[0] /bin/false: exited with status 1"), r.err)
        XCTAssertEqual(try String(contentsOfFile: mark, encoding: .utf8), "ran\nran\n", "the hooks after a failed one still run")
        let refused = sb(["run", "--bundle", try bundle(["/bin/true"]) { $0["hooks"] = ["createContainer": [["path": "/bin/true"]]] }, newID("cc")])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("hooks.createContainer: not supported"), refused.err)
    }

    /// A new user namespace: the container's root is host uid/gid 100000, the maps are
    /// written by the runtime while the child waits, create/start works (the exec fifo is
    /// the container root's to open), exec joins the namespace, devices are bound.
    func testUserNamespaceMapsRootToAnUnprivilegedHostUser() throws {
        let id = newID("userns")
        let dir = try bundle(["/bin/sh", "-c", "cat /proc/self/uid_map > /dev/shm/map; sleep 30"]) { config in
            var linux = config["linux"] as! [String: Any]
            var namespaces = linux["namespaces"] as! [[String: Any]]
            namespaces.append(["type": "user"])
            linux["namespaces"] = namespaces
            linux["uidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
            linux["gidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
            config["linux"] = linux
        }
        let dry = sb(["run", "--dry-run", "--bundle", dir, id])
        XCTAssertTrue(dry.out.contains("parent: write(/proc/PID/uid_map, \"0 100000 65536\")"), dry.out)
        let c = sb(["create", "--bundle", dir, id])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertEqual(sb(["start", id]).status, 0)
        let pid = try XCTUnwrap(self.pid(id))
        let hostStatus = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        XCTAssertTrue(hostStatus.contains("Uid:\t100000\t100000\t100000\t100000"), "seen from the host, the container's root is uid 100000:\n\(hostStatus)")
        XCTAssertTrue(hostStatus.contains("Gid:\t100000\t100000\t100000\t100000"), hostStatus)
        let inside = sb(["exec", id, "/bin/sh", "-c", "id -u; cat /dev/shm/map; ls -ln /dev/null"])
        XCTAssertEqual(inside.status, 0, inside.err)
        let lines = inside.out.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertEqual(lines.first, "0", inside.out)
        XCTAssertTrue(lines.contains("0 100000 65536"), inside.out)
        XCTAssertNotNil(inside.out.range(of: #"1,\s+3 "#, options: .regularExpression), "/dev/null is the host's node (1, 3), bound: \(inside.out)")
        XCTAssertEqual(sb(["delete", "--force", id]).status, 0)
    }

    func testUserNamespaceConfigErrors() throws {
        let noMaps = try bundle(["/bin/true"]) { config in
            var linux = config["linux"] as! [String: Any]
            linux["namespaces"] = (linux["namespaces"] as! [[String: Any]]) + [["type": "user"]]
            config["linux"] = linux
        }
        let r1 = sb(["run", "--bundle", noMaps, newID("nomap")])
        XCTAssertTrue(r1.err.contains("a new user namespace needs linux.uidMappings and linux.gidMappings"), r1.err)
        let noNS = try bundle(["/bin/true"]) { config in
            var linux = config["linux"] as! [String: Any]
            linux["uidMappings"] = [["containerID": 0, "hostID": 100000, "size": 1]]
            linux["gidMappings"] = [["containerID": 0, "hostID": 100000, "size": 1]]
            config["linux"] = linux
        }
        let r2 = sb(["run", "--bundle", noNS, newID("nons")])
        XCTAssertTrue(r2.err.contains("linux.uidMappings/gidMappings are set but linux.namespaces creates no user namespace"), r2.err)
    }

    /// A config without namespaces shares the host's (runtime-tools' linux_ns_itype):
    /// the process's namespaces are the runtime's, and delete leaves no mount behind.
    func testAbsentNamespacesAreTheHosts() throws {
        let id = newID("hostns")
        let dir = try bundle(["/bin/sleep", "30"]) { config in
            var linux = config["linux"] as! [String: Any]
            linux.removeValue(forKey: "namespaces")
            config["linux"] = linux
            config.removeValue(forKey: "hostname")
        }
        XCTAssertEqual(sb(["create", "--bundle", dir, id]).status, 0)
        let pid = try XCTUnwrap(self.pid(id))
        for ns in ["mnt", "pid", "net", "ipc", "uts", "cgroup"] {
            let ours = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(ns)")
            let theirs = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(ns)")
            XCTAssertEqual(theirs, ours, "\(ns) is the host's")
        }
        let root = Self.sharedRootfs! + "/rootfs"
        let during = Self.mountinfo()
        XCTAssertTrue(during.contains(" \(root)/proc "),
                      "the container's mounts are in the host's namespace, under its rootfs \(root): \(during.split(separator: "\n").filter { $0.contains("fixture") })")
        XCTAssertEqual(sb(["delete", "--force", id]).status, 0)
        let after = Self.mountinfo()
        XCTAssertFalse(after.contains(" \(root) ") || after.contains(" \(root)/"), "delete detached every mount under the rootfs")
    }

    func testPauseResumePsEvents() throws { try checkPauseResumePsEvents() }

    func testFeaturesNamesTheVersion() throws {
        let r = sb(["features"])
        XCTAssertEqual(r.status, 0, r.err)
        let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        let version = (obj["annotations"] as! [String: String])["org.swiftbox.version"]!
        XCTAssertFalse(version.contains("\\("), "the annotation is the version, not source text: \(version)")
        XCTAssertTrue(Self.shell([Self.binary, "--version"]).out.contains(version), version)
    }
}

extension PrivilegedTestCase {
    /// pause → state "paused", the process frozen (state D or T in /proc, and it makes no
    /// progress); ps lists it; events --stats prints runc's JSON; resume → running and it
    /// goes on; a paused container is killed with KILL and deleted. Shared by the native
    /// (v1 freezer) and the cgroup v2 guest tests.
    func checkPauseResumePsEvents(file: StaticString = #filePath, line: UInt = #line) throws {
        let id = newID("pause")
        let counter = "/dev/shm/count"
        XCTAssertEqual(sb(["run", "--detach", "--bundle", try bundle(["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > \(counter); usleep 20000; done"]), id]).status, 0, file: file, line: line)
        guard let pid = pid(id) else { return XCTFail("no pid", file: file, line: line) }
        func count() -> String { (try? String(contentsOfFile: "/proc/\(pid)/root\(counter)", encoding: .utf8)) ?? "" }
        eventually("the loop runs") { !count().isEmpty }
        XCTAssertEqual(sb(["pause", id]).status, 0, file: file, line: line)
        XCTAssertEqual(status(id), "paused", file: file, line: line)
        let frozenAt = count()
        usleep(200_000)
        XCTAssertEqual(count(), frozenAt, "a paused container makes no progress", file: file, line: line)
        let ps = sb(["ps", "--format", "json", id])
        XCTAssertTrue(ps.out.contains("\(pid)"), "ps lists the container's pid: \(ps.out) \(ps.err)", file: file, line: line)
        let table = sb(["ps", id])
        XCTAssertTrue(table.out.hasPrefix("UID") && table.out.contains(" \(pid) "), table.out + table.err, file: file, line: line)
        let events = sb(["events", "--stats", id])
        XCTAssertEqual(events.status, 0, events.err, file: file, line: line)
        let obj = try JSONSerialization.jsonObject(with: Data(events.out.utf8)) as? [String: Any]
        XCTAssertEqual(obj?["type"] as? String, "stats", file: file, line: line)
        XCTAssertNotNil((obj?["data"] as? [String: Any])?["pids"], events.out, file: file, line: line)
        XCTAssertNotEqual(sb(["pause", id]).status, 0, "pausing twice is an error", file: file, line: line)
        XCTAssertEqual(sb(["resume", id]).status, 0, file: file, line: line)
        XCTAssertEqual(status(id), "running", file: file, line: line)
        eventually("the loop goes on after resume") { count() != frozenAt }
        XCTAssertNotEqual(sb(["resume", id]).status, 0, "resuming a running container is an error", file: file, line: line)
        XCTAssertEqual(sb(["pause", id]).status, 0, file: file, line: line)
        XCTAssertEqual(sb(["kill", id, "KILL"]).status, 0, file: file, line: line)
        eventually("a killed paused container stops") { self.status(id) == "stopped" }
        XCTAssertEqual(sb(["delete", id]).status, 0, file: file, line: line)
    }
}
