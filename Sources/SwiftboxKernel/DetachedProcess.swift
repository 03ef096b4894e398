// Starting a helper that outlives the command that starts it (a container's monitor, a
// network's DNS server): posix_spawn(3) with a session of its own (setsid, so it keeps
// running when the terminal goes), stdin/stdout/stderr on /dev/null, and the write end
// of a fresh pipe as its fd 3, on which it reports that it is ready.
#if canImport(Glibc)
import Glibc
#endif
import CShim

public enum DetachedProcess {
    /// Spawn `argv` (argv[0] is `executable`); returns its pid and the pipe's read end.
    /// The read end is close-on-exec: only the dup at fd 3 may reach the child, or it
    /// would hold the read end open too and the reader would never see EOF.
    public static func spawn(_ executable: String, _ argv: [String]) throws -> (pid: pid_t, reader: Int32) {
        var fds: [Int32] = [0, 0]
        guard sb_pipe_cloexec(&fds) == 0 else { throw KernelError("pipe2") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 3)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(sb_spawn_setsid_flag()))
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, &cargs, environ)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw KernelError("posix_spawn", [executable], errno: rc) }
        return (pid, fds[0])
    }

    /// The same helper without an execve, when the caller is single-threaded: fork and
    /// run `body` in the child, which never returns. A fork shares the parent's warm
    /// state — the Swift runtime's type caches, the parsed configuration — that an
    /// exec'd helper would build again from nothing (a third of `run`'s time, measured).
    /// With other threads alive a fork is unsafe (a lock one of them holds stays held
    /// in the child forever): then this returns nil and the caller spawns.
    /// `argv` is what `ps` shows for the child: the command line it would have had.
    public static func fork(as argv: [String], _ body: () -> Never) throws -> (pid: pid_t, reader: Int32)? {
        guard Processes.threadCount() == 1 else { return nil }
        var fds: [Int32] = [0, 0]
        guard sb_pipe_cloexec(&fds) == 0 else { throw KernelError("pipe2") }
        let pid = sb_fork_detached(fds[1])
        if pid == 0 {
            let args: [UInt8] = argv.flatMap { Array($0.utf8) + [0] }
            args.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) {
                sb_set_cmdline($0.baseAddress, $0.count)
            } }
            body()
        }
        close(fds[1])
        guard pid > 0 else { close(fds[0]); throw KernelError("fork") }
        return (pid, fds[0])
    }

    /// The exit code of a helper this process started (spawn or fork return its pid),
    /// once it exits: for a container's monitor, the container's exit code. Nil when it
    /// did not exit normally (killed) or is not our child.
    public static func exitCode(of pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 { if errno != EINTR { return nil } }
        // WIFEXITED / WEXITSTATUS (macros Swift does not import).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }
}
