// The monitor: one small process per running container (`swiftbox monitor`, hidden),
// started detached by `start`/`run`. It is the container's parent and a subreaper. It
// mounts the overlay rootfs, starts the container through the OCI runtime with stdout
// and stderr on pipes, tells the CLI it is up (or why not) on the ready pipe, copies the
// output into the json-file log, and when the container's first process exits records
// the exit status, tears down the runtime state and unmounts the rootfs.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxErrors
import SwiftboxImage
import SwiftboxKernel
import SwiftboxOCI
import SwiftboxRuntime

public struct Monitor {
    public let engine: Engine
    public let id: String

    public init(engine: Engine, id: String) {
        self.engine = engine
        self.id = id
    }

    /// Never returns. `readyFD`: the ready pipe, on which the monitor reports (MonitorMessage)
    /// that the container started or why not, then closes it.
    /// The monitor lives as long as the container does, across restarts by its policy,
    /// and exits with the container's last exit code: the command that started it (its
    /// parent: `run`, `start -a`, `compose run`) learns the code from waitpid even when a
    /// --rm container's record is gone.
    public func run(readyFD: Int32) -> Never {
        _ = sb_set_subreaper()
        signal(SIGPIPE, SIG_IGN)
        let store = engine.store
        var readyFD = readyFD
        var network: NetworkSetup?
        let log = MonitorLog(path: store.dir(id) + "/monitor.log")
        // A message on the ready pipe; the last one (started or failed) closes it.
        func report(_ message: MonitorMessage) {
            guard readyFD >= 0 else { return }
            _ = message.line().withUnsafeBytes { write(readyFD, $0.baseAddress, $0.count) }
            if message == .awaitingAttach { return }
            close(readyFD)
            readyFD = -1
        }
        func fail(_ error: Error, at stage: MonitorFailure.Stage) -> Never {
            let failure = MonitorFailure(stage: stage, error: error)
            let code = SwiftboxError(failure).exitCode(otherwise: 125)
            log("could not start the container (stage \(failure.stage.rawValue), errno \(failure.errno)): \(failure.detail); exit status \(code)")
            _ = try? store.update(id) { state in
                state.status = .exited
                state.exitCode = code
                state.error = failure.detail
                state.finishedAt = Clock.rfc3339Nano()
            }
            if let network { engine.tearDownNetwork(id, network) }
            engine.unmountRootfs(id)
            engine.removeSockets(id)
            report(.failed(failure))
            exit(1)
        }

        let config = try? store.config(id)
        // Health probes enter the running container from this process, for its whole
        // life: run from a sealed executable (SealedExecutable). A forked monitor starts
        // over as `swiftbox monitor`; fd 3 is its ready pipe in both.
        if config?.healthcheck != nil {
            _ = fcntl(readyFD, F_SETFD, 0)
            do { try SealedExecutable.ensure(rerun: [engine.executable, "monitor", "--root", engine.root, id]) } catch { fail(error, at: .monitor) }
        }
        // One monitor per container at a time: the lock is held for this monitor's whole
        // life (released by the kernel when it exits). A second monitor — a `start`
        // racing one whose command was killed while its monitor went on starting the
        // container (compose up -d killed half-way, then up again) — waits: once the
        // first has the container running it has nothing to do and says so; if the
        // first dies, it takes over. Without this both reached the runtime and the
        // second failed with "container <id> already exists".
        let lock = open(store.dir(id) + "/monitor.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if lock >= 0 {
            let deadline = WallTime.monotonic() + 30 * GoDuration.second
            while flock(lock, LOCK_EX | LOCK_NB) != 0 {
                if case let s = store.state(id), s.status == .running && engine.isRunning(id) {
                    log("another monitor started the container (pid \(s.pid)): nothing to do")
                    report(.started(pid: s.pid))
                    exit(0)
                }
                if WallTime.monotonic() > deadline {
                    fail(EngineError.failed("container \(id.prefix(12)) is being started by another monitor that did not finish within 30 s"), at: .monitor)
                }
                usleep(10_000)
            }
        }
        let tty = config?.tty == true
        let interactive = config?.interactive == true
        // -i/-t: serve attach, and wait for the first client before starting, so it sees
        // everything the container prints.
        var listener: Int32 = -1
        var clients: [Int32] = []
        if tty || interactive {
            do {
                listener = try engine.listenInRunDirectory(engine.attachPath(id))
            } catch { fail(error, at: .monitor) }
            if store.state(id).attached {
                log("waiting for an attach client on \(engine.attachPath(id))")
                report(.awaitingAttach)
                // (A peer refused by accept does not count: wait on for the real client.)
                let deadline = WallTime.monotonic() + 10 * GoDuration.second
                while clients.isEmpty {
                    let left = deadline - WallTime.monotonic()
                    if left <= 0 { break }
                    var p = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
                    if poll(&p, 1, Int32(left / GoDuration.millisecond) + 1) > 0 {
                        let c = UnixSocket.accept(listener)
                        if c >= 0 { clients.append(c) }
                    }
                }
            }
        }
        // Traced (Narrator): the wait and the clean-up after the exit, timed here.
        var waitStart: Int64 = 0, exitStart: Int64 = 0
        var cgroupPath: String?
        var restarts = RestartTracker(policy: config?.restartPolicy ?? .no, restartCount: store.state(id).restartCount ?? 0)
        var lastCode: Int32 = 0

        while true {
            // The container's stdio: a pseudo-terminal (-t), or pipes for stdout, stderr
            // and (with -i) stdin; /dev/null otherwise.
            var out: [Int32] = [-1, -1]
            var err: [Int32] = [-1, -1]
            var input: [Int32] = [-1, -1]
            var console: (Int32, Int32) = (-1, -1)
            var master: Int32 = -1
            let pid: Int32
            var stage = MonitorFailure.Stage.prepare
            do {
                if tty { console = try UnixSocket.socketPair() } else {
                    guard sb_pipe_cloexec(&out) == 0, sb_pipe_cloexec(&err) == 0 else { throw KernelError("pipe2") }
                }
                if interactive && !tty { guard sb_pipe_cloexec(&input) == 0 else { throw KernelError("pipe2") } }
                // The network namespace is ready (links, addresses, routes, ports) before
                // the container's first process exists; made again for each restart.
                let prepared = try engine.prepareStart(id, config: config)
                network = prepared.network
                let bundle = prepared.bundle
                let saved = (dup(0), dup(1), dup(2))
                if !tty {
                    dup2(out[1], 1)
                    dup2(err[1], 2)
                    close(out[1]); close(err[1])
                    if input[0] >= 0 { dup2(input[0], 0); close(input[0]) }
                }
                defer { dup2(saved.0, 0); dup2(saved.1, 1); dup2(saved.2, 2); close(saved.0); close(saved.1); close(saved.2) }
                stage = .create
                var options = OCIRuntime.CreateOptions(bundle: bundle.path)
                options.spec = bundle.spec
                options.whileChildStarts = { try engine.writeBundleConfig(bundle.path, bundle.spec) }
                if tty { options.consoleSocketFD = console.1 }
                _ = try engine.runtime().run(id: id, options: options, detach: true)
                // From the record, not `state`: a process that already exited reports pid 0 there.
                let record = try engine.runtime().store.load(id)
                pid = record.pid
                cgroupPath = record.cgroupPath
                if tty {
                    close(console.1)
                    master = sb_recv_fd(console.0)
                    close(console.0)
                    guard master >= 0 else { throw KernelError("recvmsg", ["console socket"]) }
                }
            } catch {
                let failure = MonitorFailure(stage: stage, error: error)
                engine.event("die", id: id, ["exitCode": "\(SwiftboxError(failure).exitCode(otherwise: 125))"])
                fail(failure, at: stage)
            }
            let startedWall = WallTime.now()
            let startedMonotonic = WallTime.monotonic()
            _ = try? store.update(id) { state in
                state.status = .running
                state.pid = pid
                state.monitorPid = getpid()
                state.monitorStartTime = Processes.stat(getpid())?.startTime
                state.startedAt = Clock.rfc3339Nano()
                state.error = nil
                state.oomKilled = nil
                state.restartCount = restarts.restartCount
            }
            engine.event("start", id: id)
            // The log exists before the starter hears "started": it follows the file through a
            // descriptor (LogTail), which outlives a rotation or the removal.
            let writer = try? LogWriter(path: store.logPath(id), maxSize: config?.logMaxSize, maxFiles: config?.logMaxFiles ?? 1)
            // So is the resize socket (-t): `run -dit` returns with everything it serves in place.
            let resizer = tty ? ((try? UnixSocket.listen(path: engine.resizePath(id))) ?? -1) : -1
            if Narrator.current != nil { waitStart = Narrator.monotonicNanoseconds() }
            log("started the container: pid \(pid)" + (restarts.restartCount > 0 ? ", restart \(restarts.restartCount)" : ""))
            report(.started(pid: pid))

            let health = config?.healthcheck.map {
                HealthProbeRunner(engine: engine, id: id, config: $0, startedWall: startedWall, startedMonotonic: startedMonotonic)
            }
            var forceRestart = false
            health?.onChange = { status in
                engine.event("health_status: \(status.rawValue)", id: id)
                log("health: \(status.rawValue)")
                guard status == .unhealthy, let c = config, let action = c.healthOnFailure, action != .none else { return }
                forceRestart = self.onUnhealthy(action, config: c, health: health)
            }
            relay(outputs: tty ? [(master, "stdout")] : [(out[0], "stdout"), (err[0], "stderr")],
                  input: tty ? master : input[1], writer: writer, listener: listener, clients: clients, resizer: resizer, health: health)
            clients = []
            if resizer >= 0 { close(resizer); unlink(engine.resizePath(id)) }
            health?.cancel()   // the kernel killed it with the container's pid namespace: reap it first
            let code = reap(pid)
            lastCode = code
            log("the container exited with status \(code)")
            if let narrator = Narrator.current, let config {
                exitStart = Narrator.monotonicNanoseconds()
                narrator.record(StartSteps.monitorWait(config, engine: engine), start: waitStart, end: exitStart)
            }
            // Unmounting the overlay waits in the kernel for an RCU grace period: on a
            // thread while the cgroups, the runtime's record and the network go; joined
            // before the exit is recorded. (Measured: run --rm IMAGE true 1.4–1.6 ms
            // faster, when it also deleted the writable layer; that now goes with the
            // container's directory into the trash, Engine.remove.)
            let layer = BackgroundJob { engine.unmountRootfs(id) }
            let oomKilled = OOMObserver.check(engine: engine, id: id)   // before delete removes the cgroup
            try? engine.runtime().delete(id: id, force: true)
            if let n = network { engine.tearDownNetwork(id, n); network = nil }
            try? layer.wait()
            let ranFor = WallTime.monotonic() - startedMonotonic
            // Before the state says so: whoever waits for the exit then finds the event.
            engine.event("die", id: id, ["exitCode": "\(code)"])
            // stop/kill may have recorded that the user asked for this exit.
            var delay: Int64?
            let state = try? store.update(id) { state in
                state.status = .exited
                state.exitCode = code
                state.oomKilled = oomKilled
                state.finishedAt = Clock.rfc3339Nano()
                delay = forceRestart && !state.stoppedByUser ? restarts.forceRestart(ranFor: ranFor)
                    : restarts.decide(exitCode: code, stoppedByUser: state.stoppedByUser, ranFor: ranFor)
                if delay != nil {
                    state.status = .restarting
                    state.restartCount = restarts.restartCount
                }
            }
            guard let delay, state != nil else { break }
            log("restarting it in \(delay / GoDuration.millisecond) ms (restart policy \(config?.restartPolicy ?? .no)\(forceRestart ? ", unhealthy" : ""))")
            guard waitBeforeRestart(delay) else { log("restart cancelled: stopped or removed meanwhile"); break }
            engine.event("restart", id: id)
        }
        if listener >= 0 { close(listener); engine.removeSockets(id) }
        // A --rm container is removed here, as Docker's daemon does, whoever is attached:
        // a foreground `run` reads the rest of the log through its descriptor and the
        // code from our exit status. The removal empties the trash afterwards; otherwise
        // (and when a `restart` keeps the container) the runtime's record waits there.
        if config?.autoRemove == true && store.state(id).keepOnExit != true {
            log("removing the container (--rm); exit status \(lastCode & 0xff)")
            try? engine.remove(id, force: true)
        } else {
            engine.emptyTrashInBackground()
        }
        if let narrator = Narrator.current, let config, exitStart > 0 {
            narrator.record(StartSteps.monitorExit(config, engine: engine, cgroupPath: cgroupPath), start: exitStart)
        }
        if config?.autoRemove != true { log("exiting with status \(lastCode & 0xff)") }
        exit(lastCode & 0xff)
    }

    /// --health-on-failure, once the container turned unhealthy. kill: SIGKILL, and the
    /// restart policy decides; stop: as `swiftbox stop` (the policy never undoes it);
    /// restart: the stop signal, SIGKILL after the stop timeout, then a restart whatever
    /// the policy. Returns whether to restart regardless of the policy.
    func onUnhealthy(_ action: HealthFailureAction, config c: EngineContainer, health: HealthProbeRunner?) -> Bool {
        let runtime = engine.runtime()
        let id = self.id
        switch action {
        case .none: return false
        case .kill:
            engine.event("kill", id: id, ["signal": "\(SIGKILL)"])
            try? runtime.kill(id: id, signal: "SIGKILL", all: true)
            return false
        case .stop, .restart:
            if action == .stop { _ = try? engine.store.update(id) { $0.stoppedByUser = true } }
            engine.event("kill", id: id, ["signal": "\(Processes.signalNumber(c.stopSignal) ?? SIGTERM)"])
            try? runtime.kill(id: id, signal: c.stopSignal, all: false)
            health?.schedule(at: WallTime.monotonic() + Int64(c.stopTimeout) * GoDuration.second) {
                try? runtime.kill(id: id, signal: "SIGKILL", all: true)
            }
            return action == .restart
        }
    }

    /// The restart policy's backoff, cut short by a stop, kill or rm meanwhile (they
    /// set stoppedByUser, or remove the container). True: restart now.
    func waitBeforeRestart(_ delay: Int64) -> Bool {
        let until = WallTime.monotonic() + delay
        while true {
            guard FileSystem.exists(engine.store.dir(id) + "/config.json") else { return false }
            if engine.store.state(id).stoppedByUser {
                _ = try? engine.store.update(id) { $0.status = .exited }
                return false
            }
            let left = until - WallTime.monotonic()
            if left <= 0 { return true }
            usleep(UInt32(min(left, 50 * GoDuration.millisecond) / 1000))
        }
    }

    /// Copy the container's output into the log and to attached clients, and clients'
    /// input to the container, until the outputs close (the container and everything it
    /// started have exited). A pty master reports the end as EIO.
    func relay(outputs: [(Int32, String)], input: Int32, writer: LogWriter?, listener: Int32, clients initial: [Int32], resizer: Int32 = -1,
               health: HealthProbeRunner? = nil) {
        guard let writer else { return }
        var outs = outputs
        var clients = initial
        var inputFD = input
        var inputEnded = Set<Int32>()
        var buf = [UInt8](repeating: 0, count: 65536)
        while !outs.isEmpty {
            var fds = outs.map { pollfd(fd: $0.0, events: Int16(POLLIN), revents: 0) }
            if listener >= 0 { fds.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            if resizer >= 0 { fds.append(pollfd(fd: resizer, events: Int16(POLLIN), revents: 0)) }
            // A client whose input ended still gets the output: poll it for nothing.
            fds += clients.map { pollfd(fd: $0, events: inputEnded.contains($0) ? 0 : Int16(POLLIN), revents: 0) }
            // Last: the running health probe's output; the poll timeout is the next probe's time.
            let probeIndex = health.map { $0.pollFD >= 0 ? fds.count : -1 } ?? -1
            if let health, health.pollFD >= 0 { fds.append(pollfd(fd: health.pollFD, events: Int16(POLLIN), revents: 0)) }
            let next = health?.timeoutMs() ?? -1
            var ready: Int32
            if next < 0 || next > 1000 {
                // After a second with nothing to do, give back the executable's pages that
                // start-up touched (ResidentPages) and go straight back to sleep, touching
                // nothing in between: an idle monitor stays small.
                ready = poll(&fds, nfds_t(fds.count), 1000)
                if ready == 0 {
                    ResidentPages.releaseExecutablePages()
                    ready = poll(&fds, nfds_t(fds.count), next < 0 ? -1 : next - 1000)
                }
            } else {
                ready = poll(&fds, nfds_t(fds.count), next)
            }
            if ready < 0 { if errno == EINTR { continue }; break }
            health?.service(readable: probeIndex >= 0 && fds[probeIndex].revents != 0)
            var closedOutputs: [Int32] = []
            for (i, (fd, stream)) in outs.enumerated() where fds[i].revents != 0 {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    buf.withUnsafeBytes { writer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n]), stream: stream) }
                    for cl in clients { _ = buf.withUnsafeBytes { send(cl, $0.baseAddress, n, Int32(MSG_NOSIGNAL)) } }
                } else if n == 0 || errno != EINTR && errno != EAGAIN {
                    closedOutputs.append(fd)
                }
            }
            var index = outs.count
            if listener >= 0 {
                if fds[index].revents != 0 {
                    let cl = UnixSocket.accept(listener)
                    if cl >= 0 { clients.append(cl) }
                }
                index += 1
            }
            if resizer >= 0 {
                if fds[index].revents != 0 { resize(resizer, master: outs.first?.0 ?? -1) }
                index += 1
            }
            var gone: [Int32] = []
            for cl in clients where index < fds.count {
                defer { index += 1 }
                guard fds[index].revents != 0 else { continue }
                let n = buf.withUnsafeMutableBytes { read(cl, $0.baseAddress, $0.count) }
                if n > 0, inputFD >= 0 {
                    _ = buf.withUnsafeBytes { write(inputFD, $0.baseAddress, n) }
                } else if n == 0 {
                    // The client's stdin ended: so does the container's (a pipe; a pty has
                    // no end of input). The client keeps receiving output.
                    inputEnded.insert(cl)
                    if inputFD >= 0 && inputFD != outs.first?.0 { close(inputFD); inputFD = -1 }
                } else if n < 0 && errno != EINTR {
                    gone.append(cl)
                }
            }
            for cl in gone { close(cl); clients.removeAll { $0 == cl } }
            for fd in closedOutputs { close(fd); outs.removeAll { $0.0 == fd } }
        }
        writer.flush()
        for cl in clients { close(cl) }
        // The listener stays open: a restart by the policy serves attach on it again.
    }

    /// One resize request: "ROWS COLUMNS\n" → TIOCSWINSZ on the pty master (the kernel
    /// sends SIGWINCH to the container's foreground process group).
    func resize(_ listener: Int32, master: Int32) {
        let conn = UnixSocket.accept(listener)
        guard conn >= 0 else { return }
        defer { close(conn) }
        var buf = [UInt8](repeating: 0, count: 64)
        let n = read(conn, &buf, buf.count)
        guard n > 0 else { return }
        let parts = String(decoding: buf[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 2, let rows = UInt16(parts[0]), let cols = UInt16(parts[1]) else { return }
        var ws = winsize(ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
    }

    /// Wait for the container's first process (and reap any orphan handed to us).
    func reap(_ pid: Int32) -> Int32 {
        while true {
            var status: Int32 = 0
            let r = waitpid(-1, &status, 0)
            if r == pid { return OCIRuntime.exitCode(status) }
            if r < 0 && errno == ECHILD { return 255 }
        }
    }
}
