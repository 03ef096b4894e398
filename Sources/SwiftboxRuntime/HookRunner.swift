// Runs config.json's hooks (config.md, "POSIX-platform Hooks") in the runtime's
// namespaces: posix_spawn(3) of the hook's path with exactly its args and env, the
// container's state JSON on stdin, its output passed through to ours (runc does the
// same), and its timeout enforced with SIGKILL.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CShim
import SwiftboxKernel
import SwiftboxOCI

public struct HookError: Error, Equatable, CustomStringConvertible {
    public var stage: String
    public var index: Int
    public var path: String
    public var reason: String
    public var description: String { "hooks.\(stage)[\(index)] \(path): \(reason)" }
}

public enum HookRunner {
    /// Run `hooks` in order; the first failure stops the rest and is thrown (prestart,
    /// createRuntime: the create fails).
    public static func run(_ hooks: [RuntimeSpec.Hook], stage: String, state: ContainerState) throws {
        guard !hooks.isEmpty else { return }
        let input = Array(try JSONEncoder().encode(state))
        for (i, hook) in hooks.enumerated() {
            if let reason = runOne(hook, input: input) {
                throw HookError(stage: stage, index: i, path: hook.path, reason: reason)
            }
        }
    }

    /// Run every hook in order, whatever the others did (poststart, poststop: "the
    /// runtime MUST log a warning, but the remaining hooks and lifecycle continue").
    /// Returns the failures.
    public static func runAll(_ hooks: [RuntimeSpec.Hook], stage: String, state: ContainerState) -> [HookError] {
        guard !hooks.isEmpty, let input = try? Array(JSONEncoder().encode(state)) else { return [] }
        return hooks.enumerated().compactMap { i, hook in
            runOne(hook, input: input).map { HookError(stage: stage, index: i, path: hook.path, reason: $0) }
        }
    }

    /// nil on success, else why it failed.
    static func runOne(_ hook: RuntimeSpec.Hook, input: [UInt8]) -> String? {
        guard hook.path.hasPrefix("/") else { return "path must be absolute" }
        var stdinPipe: [Int32] = [-1, -1]
        guard sb_pipe_cloexec(&stdinPipe) == 0 else { return "pipe2: \(Errno.message(errno))" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        let argv = (hook.args?.isEmpty == false ? hook.args! : [hook.path]).map { strdup($0) } + [nil]
        let envp = (hook.env ?? []).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, hook.path, &actions, nil, argv, envp)
        close(stdinPipe[0])
        guard rc == 0 else { close(stdinPipe[1]); return "cannot execute: \(Errno.message(rc))" }
        // The state is small (well under a pipe's 64 KiB): one write cannot block. A hook
        // that does not read it gets EPIPE on our side, which is no failure of its own.
        signal(SIGPIPE, SIG_IGN)
        _ = input.withUnsafeBytes { write(stdinPipe[1], $0.baseAddress, $0.count) }
        close(stdinPipe[1])

        let deadline = hook.timeout.map { monotonicNanoseconds() + UInt64(max($0, 0)) * 1_000_000_000 }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, deadline == nil ? 0 : WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return "waitpid: \(Errno.message(errno))" }
            if let deadline, r == 0 {
                if monotonicNanoseconds() >= deadline {
                    _ = kill(pid, SIGKILL)
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    return "timed out after \(hook.timeout!) s (killed)"
                }
                usleep(2_000)
            }
        }
        if sb_wifexited(status) != 0 {
            let code = sb_wexitstatus(status)
            return code == 0 ? nil : "exited with status \(code)"
        }
        return "killed by signal \(sb_wtermsig(status))"
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
