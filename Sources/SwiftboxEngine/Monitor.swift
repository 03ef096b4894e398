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

        // Output pipes; the container gets their write ends as stdout and stderr.
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        guard sb_pipe_cloexec(&out) == 0, sb_pipe_cloexec(&err) == 0 else { fail(KernelError("pipe2")) }
        let pid: Int32
        do {
            let bundle = try engine.prepareBundle(id)
            let saved1 = dup(1), saved2 = dup(2)
            dup2(out[1], 1)
            dup2(err[1], 2)
            defer { dup2(saved1, 1); dup2(saved2, 2); close(saved1); close(saved2) }
            close(out[1]); close(err[1])
            _ = try engine.runtime().run(id: id, options: .init(bundle: bundle), detach: true)
            // From the record, not `state`: a process that already exited reports pid 0 there.
            pid = try engine.runtime().store.load(id).pid
        } catch {
            fail(error)
        }
        state.status = .running
        state.pid = pid
        state.monitorPid = getpid()
        state.monitorStartTime = Processes.stat(getpid())?.startTime
        state.startedAt = Clock.rfc3339Nano()
        state.error = nil
        try? store.save(state, id: id)
        ready("ok\n")

        copyOutput(stdout: out[0], stderr: err[0])
        let code = reap(pid)
        try? engine.runtime().delete(id: id, force: true)
        engine.unmountRootfs(id)
        state = store.state(id)   // stop may have recorded that it was asked to stop
        state.status = .exited
        state.exitCode = code
        state.finishedAt = Clock.rfc3339Nano()
        try? store.save(state, id: id)
        if (try? store.config(id))?.autoRemove == true && !state.attached {
            try? engine.remove(id, force: true)
        }
        exit(0)
    }

    /// Copy both pipes into the log until both are closed (the container and everything
    /// it started have exited or closed them).
    func copyOutput(stdout: Int32, stderr: Int32) {
        let c = try? engine.store.config(id)
        guard let writer = try? LogWriter(path: engine.store.logPath(id), maxSize: c?.logMaxSize, maxFiles: c?.logMaxFiles ?? 1) else { return }
        var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buf = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if poll(&fds, 2, -1) < 0 { if errno == EINTR { continue }; break }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buf.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    buf.withUnsafeBytes { writer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n]), stream: i == 0 ? "stdout" : "stderr") }
                } else if n == 0 || errno != EINTR {
                    close(fds[i].fd)
                    fds[i].fd = -1
                    open -= 1
                }
            }
        }
        writer.flush()
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
