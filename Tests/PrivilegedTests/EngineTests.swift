// The docker-run family end to end: images from the fixture, a monitor per container,
// json-file logs, exec, stop/kill/rm, names, exit codes — and that nothing is left.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class EngineTests: EngineTestCase {
    func testForegroundStatusAndOutputStreams() {
        let r = run(["--rm", "busybox-image:latest", "sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(r.out, "out\n")
        XCTAssertEqual(r.err, "err\n")
        XCTAssertEqual(run(["--rm", "busybox-image:latest", "true"]).status, 0)
        XCTAssertEqual(run(["--rm", "busybox-image:latest", "no-such-command"]).status, 127)
        XCTAssertEqual(run(["--rm", "busybox-image:latest", "/etc/passwd"]).status, 126)
        XCTAssertEqual(run(["--rm", "no-such-image"]).status, 125)
        // A container that exits at once is removed by its monitor at once: its output
        // still all arrives (the CLI holds the log open from before the start).
        for round in 1...10 {
            XCTAssertEqual(run(["--rm", "busybox-image:latest", "printf", "no newline \(round)"]).out, "no newline \(round)")
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "--rm leaves no container")
        // Its directory left with it (into the trash, which a background process empties);
        // no name is still claimed.
        XCTAssertEqual(entries(engineRoot + "/containers"), [])
        XCTAssertEqual(entries(engineRoot + "/names"), [])
        eventually("the trash is emptied") { self.entries(self.engineRoot + "/trash").isEmpty }
    }

    func testDetachedLogsFollowExecAndStop() throws {
        let d = run(["-d", "--name", "ticker", "busybox-image:latest", "sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done"])
        XCTAssertEqual(d.status, 0, d.err)
        let id = d.out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(id.count, 64)
        XCTAssertTrue(sbx(["ps"]).out.contains("ticker"))
        eventually("log lines appear") { self.sbx(["logs", "ticker"]).out.contains("tick 3") }
        XCTAssertEqual(sbx(["logs", "--tail", "1", "ticker"]).out.split(separator: "\n").count, 1)
        // exec joins the container's namespaces: same hostname and pid namespace (pid 1 is the shell).
        let e = sbx(["exec", "ticker", "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '"])
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertTrue(e.out.hasPrefix(String(id.prefix(12)) + "\n"), e.out)
        XCTAssertTrue(e.out.contains("sh -c i=0"), e.out)
        XCTAssertEqual(sbx(["exec", "ticker", "sh", "-c", "exit 5"]).status, 5)
        // The shell ignores SIGTERM (pid 1 without a handler): stop falls back to SIGKILL.
        let start = Date()
        XCTAssertEqual(sbx(["stop", "-t", "1", "ticker"]).status, 0)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1 + 5, "stop took far longer than its timeout")
        let ps = sbx(["ps", "-a", "--format", "json"]).out
        XCTAssertTrue(ps.contains("\"State\":\"exited\"") && ps.contains("Exited (137)"), ps)
        XCTAssertEqual(sbx(["wait", "ticker"]).out, "137\n")
        XCTAssertEqual(sbx(["rm", "ticker"]).status, 0)
    }

    func testNameConflictAndRemovingARunningContainer() {
        XCTAssertEqual(run(["-d", "--name", "one", "busybox-image:latest", "sleep", "100"]).status, 0)
        let dup = run(["-d", "--name", "one", "busybox-image:latest", "true"])
        XCTAssertEqual(dup.status, 125)
        XCTAssertTrue(dup.err.contains("The container name \"/one\" is already in use"), dup.err)
        let rm = sbx(["rm", "one"])
        XCTAssertEqual(rm.status, 125)
        XCTAssertTrue(rm.err.contains("container is running"), rm.err)
        XCTAssertEqual(sbx(["rm", "-f", "one"]).status, 0)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(run(["-d", "--name", "one", "busybox-image:latest", "true"]).status, 0, "the name is free again")
    }

    /// `restart` of a --rm container is not its end (as Docker): it runs again, with the
    /// files it wrote (its volatile overlay mounted a second time); `stop` then removes it.
    func testRestartKeepsARemoveOnExitContainer() {
        XCTAssertEqual(run(["-d", "--rm", "--name", "again", "busybox-image:latest", "sh", "-c", "echo $$ >> /count; sleep 100"]).status, 0)
        eventually("the first start wrote its line") { self.sbx(["exec", "again", "cat", "/count"]).out.split(separator: "\n").count == 1 }
        let r = sbx(["restart", "-t", "1", "again"])
        XCTAssertEqual(r.status, 0, r.err)
        eventually("the second start added its line to the same writable layer") {
            self.sbx(["exec", "again", "cat", "/count"]).out.split(separator: "\n").count == 2
        }
        XCTAssertEqual(sbx(["stop", "-t", "1", "again"]).status, 0)
        eventually("stopped, the --rm container is removed") { self.sbx(["ps", "-aq"]).out.isEmpty }
    }

    /// The monitor removes a --rm container after its exit, as Docker's daemon does:
    /// `logs -f` and `wait` end with it (and `wait` still knows the code, from the
    /// journal), and a foreground `run --rm` whose CLI was killed leaves nothing behind.
    func testRemoveOnExitContainerEndsItsFollowersAndOutlivesItsCLI() throws {
        XCTAssertEqual(run(["-d", "--rm", "--name", "brief", "busybox-image:latest", "sh", "-c", "echo one; sleep 0.5; echo two"]).status, 0)
        // (Bounded: before, `logs -f` waited forever once the container was gone.)
        let follow = Self.shell(["/usr/bin/timeout", "10", Self.binary, "logs", "--root", engineRoot, "-f", "brief"])
        XCTAssertEqual(follow.status, 0, "logs -f ended with the container: \(follow.err)")
        XCTAssertEqual(follow.out, "one\ntwo\n", follow.err)
        XCTAssertEqual(run(["-d", "--rm", "--name", "seven", "busybox-image:latest", "sh", "-c", "sleep 0.3; exit 7"]).status, 0)
        XCTAssertEqual(sbx(["wait", "seven"]).out, "7\n")
        killForegroundRunOnceRunning(["--rm", "--name", "orphan", "busybox-image:latest", "sleep", "1"], name: "orphan")
        eventually("its monitor removed it when it exited") { self.sbx(["ps", "-aq"]).out.isEmpty }
    }

    func testImageInUseIsNotRemovedUnlessForced() {
        XCTAssertEqual(run(["--name", "user", "busybox-image:latest", "true"]).status, 0)
        let r = sbx(["rmi", "busybox-image:latest"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("must force") && r.err.contains("is using its referenced image"), r.err)
        let prune = Self.shell([Self.binary, "image", "prune", "-a", "-f", "--root", engineRoot])
        XCTAssertEqual(prune.status, 0, prune.err)
        XCTAssertEqual(sbx(["images", "-q"]).out.split(separator: "\n").count, 1, "prune -a keeps an image a container uses")
        XCTAssertEqual(sbx(["rm", "user"]).status, 0)
        XCTAssertEqual(sbx(["rmi", "busybox-image:latest"]).status, 0)
    }

    /// The security probe (rootfs-fixtures/probes/security-probe.c), built statically and
    /// added to the busybox rootfs as an image.
    func probeImage() throws -> String {
        let rootfs = work + "/probe-rootfs"
        XCTAssertEqual(Self.shell(["/bin/cp", "-a", Self.sharedRootfs! + "/rootfs", rootfs]).status, 0)
        let cc = Self.shell(["/usr/bin/gcc", "-static", "-O1", "-o", rootfs + "/bin/probe", Self.packageRoot + "/rootfs-fixtures/probes/security-probe.c"])
        if cc.status != 0 { throw missingTool("cannot build the probe with gcc -static: \(cc.err)") }
        let tar = work + "/probe.tar"
        XCTAssertEqual(Self.shell(["/bin/tar", "-C", rootfs, "-cf", tar, "."]).status, 0)
        XCTAssertEqual(sbx(["import", tar, "probe:1"]).status, 0)
        return "probe:1"
    }

    func probe(_ flags: [String]) throws -> [String: String] {
        let r = run(["--rm"] + flags + [try probeImage(), "/bin/probe", "\(getpid())"])
        XCTAssertEqual(r.status, 0, r.err)
        var out: [String: String] = [:]
        for line in r.out.split(separator: "\n") {
            let p = line.split(separator: " ")
            if p.count == 2 { out[String(p[0])] = String(p[1]) }
        }
        return out
    }

    func testDefaultContainerCannotEscape() throws {
        let hostname = try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
        let results = try probe([])
        for name in ["mount", "unshare", "setns", "keyctl", "add_key", "bpf", "userfaultfd", "kexec_load", "init_module",
                     "open_by_handle_at", "sethostname", "reboot", "write_proc_sys", "read_kcore", "ptrace_host"] {
            XCTAssertNotNil(results[name], "\(name) was not tried")
            XCTAssertNotEqual(results[name], "ok", "\(name) must fail in a default container")
        }
        XCTAssertEqual(results["raw_socket"], "ok", "NET_RAW is one of Docker's default capabilities")
        XCTAssertEqual(try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8), hostname)
        XCTAssertNotEqual(try probe(["--cap-drop", "NET_RAW"])["raw_socket"], "ok", "no raw sockets without NET_RAW")
        // Control: with --privileged the same probe can do these, so the checks above can fail.
        let privileged = try probe(["--privileged"])
        XCTAssertEqual(privileged["mount"], "ok")
        XCTAssertEqual(privileged["unshare"], "ok")
        XCTAssertEqual(privileged["sethostname"], "ok")
        // seccomp=unconfined keeps the capabilities' limits: mount still fails without CAP_SYS_ADMIN.
        let unconfined = try probe(["--security-opt", "seccomp=unconfined"])
        XCTAssertNotEqual(unconfined["mount"], "ok")
    }

    func testInitReapsZombiesAndForwardsSignals() throws {
        // Without --init, the shell at PID 1 leaves its orphaned grandchildren as zombies.
        let script = "sh -c 'sleep 0.1 &' ; sleep 0.5; echo zombies=$(grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)"
        let plain = run(["--rm", "busybox-image:latest", "sh", "-c", script])
        let withInit = run(["--rm", "--init", "busybox-image:latest", "sh", "-c", script])
        XCTAssertEqual(withInit.out, "zombies=0\n", withInit.err)
        XCTAssertEqual(plain.status, 0)
        // PID 1 is the init, the command runs as its child, and a stop signal reaches it.
        let d = run(["-d", "--init", "--name", "inited", "busybox-image:latest", "sh", "-c", "trap 'exit 9' TERM; while true; do sleep 0.1; done"])
        XCTAssertEqual(d.status, 0, d.err)
        let ps = sbx(["exec", "inited", "cat", "/proc/1/comm"])
        XCTAssertEqual(ps.out, "swiftbox\n")
        XCTAssertEqual(sbx(["stop", "-t", "5", "inited"]).status, 0)
        XCTAssertEqual(sbx(["wait", "inited"]).out, "9\n", "SIGTERM was forwarded to the shell, which exited 9")
    }

    func testUlimitAndSecurityOptBadInput() {
        XCTAssertEqual(run(["--rm", "--ulimit", "nofile=77:88", "busybox-image:latest", "sh", "-c", "ulimit -n"]).out, "77\n")
        let bad = run(["--rm", "--ulimit", "nofile=9:1", "busybox-image:latest", "true"])
        XCTAssertEqual(bad.status, 125)
        XCTAssertTrue(bad.err.contains("soft limit must be less than or equal"), bad.err)
        XCTAssertEqual(run(["--rm", "--security-opt", "no-new-privileges", "busybox-image:latest", "grep", "-q", "NoNewPrivs:.1", "/proc/self/status"]).status, 0)
        let opt = run(["--rm", "--security-opt", "apparmor=x", "busybox-image:latest", "true"])
        XCTAssertEqual(opt.status, 125)
        XCTAssertTrue(opt.err.contains("invalid --security-opt"), opt.err)
        let net = run(["--rm", "--network", "no-such-net", "busybox-image:latest", "true"])
        XCTAssertEqual(net.status, 125)
        XCTAssertTrue(net.err.contains("network no-such-net not found"), net.err)
        let name = run(["--rm", "--name", "bad name", "busybox-image:latest", "true"])
        XCTAssertEqual(name.status, 125)
        XCTAssertTrue(name.err.contains("Invalid container name"), name.err)
        let missing = sbx(["logs", "no-such-container"])
        XCTAssertEqual(missing.status, 125)
        XCTAssertTrue(missing.err.contains("No such container: no-such-container"), missing.err)
        let flag = run(["--rm", "--no-such-flag", "busybox-image:latest", "true"])
        XCTAssertEqual(flag.status, 125, "a usage error exits 125, as Docker's")
        XCTAssertTrue(flag.err.contains("no-such-flag"), flag.err)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "no failed run left a container behind")
    }

    func testLogRotationRenamePruneCidfile() throws {
        let cid = work + "/cid"
        let d = run(["-d", "--name", "chatty", "--cidfile", cid, "--log-opt", "max-size=2k", "--log-opt", "max-file=2",
                     "busybox-image:latest", "sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done"])
        XCTAssertEqual(d.status, 0, d.err)
        XCTAssertEqual(try String(contentsOfFile: cid, encoding: .utf8), d.out.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(sbx(["wait", "chatty"]).out, "0\n")
        let id = d.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let dir = engineRoot + "/containers/\(id)"
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("-json.log") }.sorted()
        XCTAssertEqual(logs, ["\(id)-json.log", "\(id)-json.log.1"], "rotated into at most max-file files")
        for f in logs {
            let size = (try FileManager.default.attributesOfItem(atPath: dir + "/" + f)[.size] as? Int) ?? 0
            XCTAssertLessThan(size, 2048 + 200, "\(f) stays near max-size")
        }
        let out = sbx(["logs", "chatty"]).out
        XCTAssertTrue(out.hasSuffix("line-299\n"), "the newest lines are kept")
        XCTAssertFalse(out.contains("line-0\n"), "the oldest were rotated away")
        XCTAssertEqual(sbx(["rename", "chatty", "quiet"]).status, 0)
        XCTAssertTrue(sbx(["ps", "-a"]).out.contains("quiet"))
        XCTAssertEqual(run(["-d", "--name", "chatty", "busybox-image:latest", "true"]).status, 0, "the old name is free")
        XCTAssertEqual(run(["-d", "--name", "keep", "busybox-image:latest", "sleep", "30"]).status, 0)
        let prune = Self.shell([Self.binary, "container", "prune", "--root", engineRoot, "-f"])
        XCTAssertEqual(prune.status, 0, prune.err)
        XCTAssertEqual(sbx(["ps", "-a", "--format", "json"]).out.split(separator: "\n").count, 1, "only the running container is left")
        let bad = run(["--rm", "--log-opt", "max-size=lots", "busybox-image:latest", "true"])
        XCTAssertEqual(bad.status, 125)
    }

    /// Start a foreground `run` with `args`, and SIGKILL it once `ps` shows `name`.
    func killForegroundRunOnceRunning(_ args: [String], name: String) {
        let argv = [Self.binary, "run", "--root", engineRoot] + args
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        XCTAssertEqual(posix_spawn(&pid, argv[0], nil, nil, &cargs, environ), 0)
        eventually("the container runs") { self.sbx(["ps"]).out.contains(name) }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    func testKilledCLIDuringForegroundRun() throws {
        // SIGKILL the foreground `run` while its container runs: the container goes on under
        // its monitor, ps tells the truth, and rm -f / system prune clean everything.
        killForegroundRunOnceRunning(["--name", "fg", "busybox-image:latest", "sleep", "100"], name: "fg")
        XCTAssertTrue(sbx(["ps"]).out.contains("Up "), "still running under its monitor")
        XCTAssertTrue(sbx(["top", "fg"]).out.contains("sleep 100"))
        XCTAssertEqual(sbx(["rm", "-f", "fg"]).status, 0)
        XCTAssertEqual(run(["--name", "done", "busybox-image:latest", "true"]).status, 0)
        let df = Self.shell([Self.binary, "system", "df", "--root", engineRoot])
        XCTAssertTrue(df.out.contains("Containers") && df.out.contains("Images"), df.out)
        let prune = Self.shell([Self.binary, "system", "prune", "-a", "-f", "--root", engineRoot])
        XCTAssertEqual(prune.out, "Deleted 1 containers and 1 images\n", prune.err)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(sbx(["images", "-q"]).out, "")
    }

    func testInteractiveStdinAndTTY() throws {
        // -i: our stdin reaches the container, its end closes the container's stdin.
        let input = work + "/input"
        try "hello via stdin\n".write(toFile: input, atomically: true, encoding: .utf8)
        let r = Self.shell(["/bin/sh", "-c", "\(Self.binary) run --root \(engineRoot) --rm -i busybox-image:latest sh -c 'cat; echo done; exit 4' < \(input)"])
        XCTAssertEqual(r.status, 4, r.err)
        XCTAssertEqual(r.out, "hello via stdin\ndone\n")

        // -it driven through a pseudo-terminal, as a user at a terminal would.
        var name = [CChar](repeating: 0, count: 128)
        let master = sb_open_pty(&name, name.count)
        XCTAssertGreaterThanOrEqual(master, 0)
        defer { close(master) }
        let slave = String(cString: name)
        var size = winsize(ws_row: 33, ws_col: 111, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, slave, O_RDWR, 0) }
        let argv = [Self.binary, "run", "--root", engineRoot, "--rm", "-it", "busybox-image:latest", "sh"]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        XCTAssertEqual(posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ), 0)
        var output = ""
        func readUntil(_ text: String, seconds: Double = 15) {
            let deadline = Date().addingTimeInterval(seconds)
            var buf = [UInt8](repeating: 0, count: 4096)
            while !output.contains(text) && Date() < deadline {
                var p = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
                guard poll(&p, 1, 200) > 0 else { continue }
                let n = read(master, &buf, buf.count)
                if n <= 0 { break }
                output += String(decoding: buf[0..<n], as: UTF8.self)
            }
        }
        readUntil("# ")
        _ = "tty; stty size; echo $((6*7))\n".withCString { write(master, $0, strlen($0)) }
        readUntil("42")
        XCTAssertTrue(output.contains("33 111"), "the container's terminal has the size of ours: \(output)")
        // Our terminal is resized: the CLI gets SIGWINCH and passes the size on.
        size = winsize(ws_row: 44, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        kill(pid, SIGWINCH)
        // The resize travels CLI → monitor → pty asynchronously: ask until it shows.
        for _ in 0..<50 where !output.contains("44 120") {
            _ = "stty size\n".withCString { write(master, $0, strlen($0)) }
            readUntil("44 120", seconds: 0.2)
        }
        XCTAssertTrue(output.contains("44 120"), "resized: \(output)")
        XCTAssertTrue(output.contains("/dev/pts/0"), "the shell has a terminal: \(output)")
        XCTAssertTrue(output.contains("42"), output)
        _ = "exit 5\n".withCString { write(master, $0, strlen($0)) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual(sb_wexitstatus(status), 5, output)
    }

    func testAttachToADetachedInteractiveContainer() throws {
        XCTAssertEqual(run(["-di", "--name", "catter", "busybox-image:latest", "sh", "-c", "cat; echo bye; exit 6"]).status, 0)
        let input = work + "/attach-input"
        try "through attach\n".write(toFile: input, atomically: true, encoding: .utf8)
        let r = Self.shell(["/bin/sh", "-c", "\(Self.binary) attach --root \(engineRoot) catter < \(input)"])
        XCTAssertEqual(r.out, "through attach\nbye\n", r.err)
        XCTAssertEqual(r.status, 6)
    }

    func testKilledMonitorIsReportedAndCleanedUp() throws {
        let d = run(["-d", "--name", "orphan", "busybox-image:latest", "sleep", "100"])
        XCTAssertEqual(d.status, 0, d.err)
        let id = d.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: engineRoot + "/containers/\(id)/state.json"))) as! [String: Any]
        let monitor = (state["monitorPid"] as! NSNumber).int32Value
        let pid = (state["pid"] as! NSNumber).int32Value
        kill(monitor, SIGKILL)
        kill(pid, SIGKILL)
        eventually("ps tells the truth") { self.sbx(["ps", "-a"]).out.contains("Dead") }
        XCTAssertEqual(sbx(["rm", "-f", "orphan"]).status, 0)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
    }

    /// The monitor of a foreground `run --rm` is killed: the CLI (its parent) sees it die
    /// without an exit code, reports 255, and removes the container itself.
    func testKilledMonitorOfAForegroundRemoveOnExitRun() throws {
        let argv = [Self.binary, "run", "--root", engineRoot, "--rm", "--name", "fgrm", "busybox-image:latest", "sleep", "100"]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var cli: pid_t = 0
        XCTAssertEqual(posix_spawn(&cli, argv[0], nil, nil, &cargs, environ), 0)
        eventually("the container runs") { self.sbx(["ps"]).out.contains("fgrm") }
        let id = sbx(["ps", "-q", "--no-trunc"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: engineRoot + "/containers/\(id)/state.json"))) as! [String: Any]
        kill((state["monitorPid"] as! NSNumber).int32Value, SIGKILL)
        var status: Int32 = 0
        waitpid(cli, &status, 0)
        XCTAssertEqual((status >> 8) & 0xff, 255, "the CLI reports the lost container")
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "and removed it")
    }

    func testConcurrentRunsGiveDistinctContainers() {
        let group = DispatchGroup()
        let lock = NSLock()
        var ids: [String] = []
        for i in 0..<20 {
            group.enter()
            DispatchQueue.global().async {
                let r = self.run(["-d", "--name", "c\(i)", "busybox-image:latest", "sleep", "30"])
                lock.lock(); ids.append(r.out.trimmingCharacters(in: .whitespacesAndNewlines)); lock.unlock()
                group.leave()
            }
        }
        group.wait()
        XCTAssertEqual(Set(ids).count, 20)
        XCTAssertTrue(ids.allSatisfy { $0.count == 64 }, "\(ids)")
        XCTAssertEqual(sbx(["ps", "-q"]).out.split(separator: "\n").count, 20)
    }

    func testImageConfigIsHonoured() throws {
        let tar = work + "/rootfs.tar"
        XCTAssertEqual(Self.shell(["/bin/tar", "-C", Self.sharedRootfs! + "/rootfs", "-cf", tar, "."]).status, 0)
        XCTAssertEqual(sbx(["import", "--change", "ENTRYPOINT [\"echo\", \"from-entrypoint\"]", "--change", "CMD [\"default-arg\"]",
                            "--change", "ENV GREETING=hi", "--change", "WORKDIR /etc", "--change", "USER nobody", tar, "cfg:1"]).status, 0)
        XCTAssertEqual(run(["--rm", "cfg:1"]).out, "from-entrypoint default-arg\n")
        XCTAssertEqual(run(["--rm", "cfg:1", "given"]).out, "from-entrypoint given\n")
        let r = run(["--rm", "--entrypoint", "sh", "cfg:1", "-c", "echo $GREETING $(pwd) $(id -u)"])
        XCTAssertEqual(r.out, "hi /etc 65534\n", r.err)
        XCTAssertEqual(run(["--rm", "-e", "GREETING=bye", "-u", "0", "-w", "/", "--entrypoint", "sh", "cfg:1", "-c", "echo $GREETING $(pwd) $(id -u)"]).out, "bye / 0\n")
    }
}
