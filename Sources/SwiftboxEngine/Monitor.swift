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

    /// Never returns. `readyFD`: write "ok\n" or "error <code> <message>\n", then close.
    public func run(readyFD: Int32) -> Never {
        _ = sb_set_subreaper()
        signal(SIGPIPE, SIG_IGN)
        let store = engine.store
        var state = store.state(id)
        func ready(_ text: String) {
            _ = text.withCString { write(readyFD, $0, strlen($0)) }
            close(readyFD)
        }
        func fail(_ error: Error) -> Never {
            let code = Engine.exitCode(for: error)
            state.status = .exited
            state.exitCode = code
            state.error = "\(error)"
            state.finishedAt = Clock.rfc3339Nano()
            try? store.save(state, id: id)
            engine.unmountRootfs(id)
            ready("error \(code) \(error)\n")
            exit(1)
        }

        let config = try? store.config(id)
        let tty = config?.tty == true
        let interactive = config?.interactive == true
        // -i/-t: serve attach, and wait for the first client before starting, so it sees
        // everything the container prints.
        var listener: Int32 = -1
        var clients: [Int32] = []
        if tty || interactive {
            do { listener = try UnixSocket.listen(Engine.attachAddress(id)) } catch { fail(error) }
            if state.attached {
                _ = "attach\n".withCString { write(readyFD, $0, strlen($0)) }
                var p = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
                if poll(&p, 1, 10_000) > 0 { let c = UnixSocket.accept(listener); if c >= 0 { clients.append(c) } }
            }
        }

        // The container's stdio: a pseudo-terminal (-t), or pipes for stdout, stderr
        // and (with -i) stdin; /dev/null otherwise.
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        var input: [Int32] = [-1, -1]
        var console: (Int32, Int32) = (-1, -1)
        var master: Int32 = -1
        let pid: Int32
        do {
            if tty { console = try UnixSocket.socketPair() } else {
                guard sb_pipe_cloexec(&out) == 0, sb_pipe_cloexec(&err) == 0 else { throw KernelError("pipe2") }
            }
            if interactive && !tty { guard sb_pipe_cloexec(&input) == 0 else { throw KernelError("pipe2") } }
            let bundle = try engine.prepareBundle(id)
            let saved = (dup(0), dup(1), dup(2))
            if !tty {
                dup2(out[1], 1)
                dup2(err[1], 2)
                close(out[1]); close(err[1])
                if input[0] >= 0 { dup2(input[0], 0); close(input[0]) }
            }
            defer { dup2(saved.0, 0); dup2(saved.1, 1); dup2(saved.2, 2); close(saved.0); close(saved.1); close(saved.2) }
            var options = OCIRuntime.CreateOptions(bundle: bundle)
            if tty { options.consoleSocketFD = console.1 }
            _ = try engine.runtime().run(id: id, options: options, detach: true)
            // From the record, not `state`: a process that already exited reports pid 0 there.
            pid = try engine.runtime().store.load(id).pid
            if tty {
                close(console.1)
                master = sb_recv_fd(console.0)
                close(console.0)
                guard master >= 0 else { throw KernelError("recvmsg", ["console socket"]) }
            }
        } catch {
            fail(error)
        }
        state.status = .running
        state.pid = pid
        state.monitorPid = getpid()
        state.monitorStartTime = Processes.stat(getpid())?.startTime
        state.startedAt = Clock.rfc3339Nano()
        state.error = nil
        state.oomKilled = nil
        try? store.save(state, id: id)
        ready("ok\n")

        let resizer = tty ? ((try? UnixSocket.listen(Engine.resizeAddress(id))) ?? -1) : -1
        relay(outputs: tty ? [(master, "stdout")] : [(out[0], "stdout"), (err[0], "stderr")],
              input: tty ? master : input[1], listener: listener, clients: clients, resizer: resizer)
        if resizer >= 0 { close(resizer) }
        let code = reap(pid)
        let oomKilled = OOMObserver.check(engine: engine, id: id)   // before delete removes the cgroup
        try? engine.runtime().delete(id: id, force: true)
        engine.unmountRootfs(id)
        state = store.state(id)   // stop may have recorded that it was asked to stop
        state.status = .exited
        state.exitCode = code
        state.oomKilled = oomKilled
        state.finishedAt = Clock.rfc3339Nano()
        try? store.save(state, id: id)
        if (try? store.config(id))?.autoRemove == true && !state.attached {
            try? engine.remove(id, force: true)
        }
        exit(0)
    }

    /// Copy the container's output into the log and to attached clients, and clients'
    /// input to the container, until the outputs close (the container and everything it
    /// started have exited). A pty master reports the end as EIO.
    func relay(outputs: [(Int32, String)], input: Int32, listener: Int32, clients initial: [Int32], resizer: Int32 = -1) {
        let c = try? engine.store.config(id)
        guard let writer = try? LogWriter(path: engine.store.logPath(id), maxSize: c?.logMaxSize, maxFiles: c?.logMaxFiles ?? 1) else { return }
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
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; break }
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
        if listener >= 0 { close(listener) }
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
