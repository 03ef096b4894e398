// Run a helper program (nft; Graphviz's dot for diagrams) with input on stdin and its
// stderr captured, its stdout to /dev/null or a file: posix_spawn(3), so nothing of
// ours runs in the child.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel

public enum Subprocess {
    public static func run(_ argv: [String], input: [UInt8], stdout: String? = nil) throws -> (status: Int32, stderr: String) {
        var inPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard sb_pipe_cloexec(&inPipe) == 0 else { throw KernelError("pipe2") }
        guard sb_pipe_cloexec(&errPipe) == 0 else { close(inPipe[0]); close(inPipe[1]); throw KernelError("pipe2") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | (stdout == nil ? 0 : O_CREAT | O_TRUNC), 0o600)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
        close(inPipe[0])
        close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(errPipe[0])
            throw KernelError("posix_spawn", [argv[0]], errno: rc)
        }
        var off = 0
        while off < input.count {
            let n = input[off...].withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; break }
            off += n
        }
        close(inPipe[1])
        var err: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(errPipe[0], &buf, buf.count)
            if n > 0 { err += buf[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(errPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = sb_wifexited(status) != 0 ? sb_wexitstatus(status) : 128 + sb_wtermsig(status)
        return (code, String(decoding: err, as: UTF8.self))
    }
}
