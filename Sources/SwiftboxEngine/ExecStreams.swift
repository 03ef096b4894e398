// The stdio of a process `exec` starts in a container: pipes that this process copies,
// never this process's own descriptors. A descriptor handed into the container is a
// way out of it: the process can reopen /proc/self/fd/1 and reach whatever the caller's
// stdout is on the host — a file (`exec … > /host/file`), a terminal, a socket — with
// the caller's access to it, outside the container's root and mount namespace. So, as
// `run` does with the monitor's streams, the process writes into pipes, and threads of
// this process copy them to its own stdout and stderr, and its own stdin into the
// process's (until it ends). `exec -d`: /dev/null for all three, since nothing reads.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel

enum ExecStreams {
    /// Run `launch` — which starts the process and waits for its exit — with this
    /// process's fds 0, 1 and 2 swapped for the pipes (the launcher hands 0-2 to the
    /// child), and copy until the process and whatever it left holding the pipes are
    /// done; then this process's own streams are back. The exit code `launch` returned.
    static func attached(_ launch: () throws -> Int32) throws -> Int32 {
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1], stop: [Int32] = [-1, -1]
        guard sb_pipe_cloexec(&input) == 0, sb_pipe_cloexec(&output) == 0, sb_pipe_cloexec(&errors) == 0,
              sb_pipe_cloexec(&stop) == 0 else { throw KernelError("pipe2") }
        // Writing to a process that ended, or to a reader of ours that left: EPIPE, not death.
        signal(SIGPIPE, SIG_IGN)
        let own = (fcntl(0, F_DUPFD_CLOEXEC, 3), fcntl(1, F_DUPFD_CLOEXEC, 3), fcntl(2, F_DUPFD_CLOEXEC, 3))
        let stdoutCopy = BackgroundJob { copy(from: output[0], to: own.1, until: stop[0]) }
        let stderrCopy = BackgroundJob { copy(from: errors[0], to: own.2, until: stop[0]) }
        // Never joined: it may wait on our stdin for ever (a terminal); it ends with us.
        let inputEnd = input[1]
        _ = BackgroundJob { () -> Void in
            copy(from: own.0, to: inputEnd, until: -1)
            close(inputEnd)
        }
        dup2(input[0], 0); dup2(output[1], 1); dup2(errors[1], 2)
        close(input[0]); close(output[1]); close(errors[1])
        let result = Result { try launch() }
        // Ours again; the pipes' write ends now live only in the container.
        dup2(own.0, 0); dup2(own.1, 1); dup2(own.2, 2)
        // The process has exited: copy what it wrote, and stop at once if something it
        // started in the background keeps the pipes open (as `docker exec` returns).
        close(stop[1])
        _ = try? stdoutCopy.wait()
        _ = try? stderrCopy.wait()
        close(output[0]); close(errors[0]); close(stop[0]); close(own.1); close(own.2)
        return try result.get()
    }

    /// `exec -d`: /dev/null as the process's 0, 1 and 2, this process's own ones after.
    static func detached(_ launch: () throws -> Int32) throws -> Int32 {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw KernelError("open", ["/dev/null"]) }
        let own = (fcntl(0, F_DUPFD_CLOEXEC, 3), fcntl(1, F_DUPFD_CLOEXEC, 3), fcntl(2, F_DUPFD_CLOEXEC, 3))
        dup2(null, 0); dup2(null, 1); dup2(null, 2)
        close(null)
        defer {
            dup2(own.0, 0); dup2(own.1, 1); dup2(own.2, 2)
            close(own.0); close(own.1); close(own.2)
        }
        return try launch()
    }

    /// Copy `source` to `target` until `source` ends, or — once `stop` is readable (its
    /// write end closed) — until `source` has nothing more right now.
    static func copy(from source: Int32, to target: Int32, until stop: Int32) {
        var buf = [UInt8](repeating: 0, count: 65536)
        var stopping = false
        while true {
            var fds = [pollfd(fd: source, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            // Once stopping, only the source, without waiting.
            let ready = poll(&fds, stop >= 0 && !stopping ? 2 : 1, stopping ? 0 : -1)
            if ready < 0 { if errno == EINTR { continue }; return }
            if ready == 0 { return }   // stopping, and nothing left
            if stop >= 0 && !stopping && fds[1].revents != 0 { stopping = true }
            guard fds[0].revents != 0 else { continue }
            let n = buf.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            var done = 0
            while done < n {
                let w = buf.withUnsafeBytes { write(target, $0.baseAddress! + done, n - done) }
                if w < 0 && errno == EINTR { continue }
                if w <= 0 { break }   // our reader left: keep draining the process's side
                done += w
            }
        }
    }
}
