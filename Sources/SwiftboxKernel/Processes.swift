// Processes by pid: liveness that survives pid reuse, signals by name, waiting.
import CShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public enum Processes {
    /// Field 22 of /proc/PID/stat (start time in clock ticks since boot) together with
    /// the state letter. A pid plus its start time names one process for good: a
    /// recycled pid has a different start time.
    public static func stat(_ pid: Int32) -> (state: Character, startTime: UInt64)? {
        // rest[0] is field 3 (state); field 22 is rest[19].
        guard let rest = statFields("\(pid)"), rest.count > 19, let state = rest[0].first, let start = UInt64(rest[19]) else { return nil }
        return (state, start)
    }

    /// The fields of /proc/PID/stat from field 3 on. The command name (field 2) may
    /// contain spaces and parentheses: split after the last ')'.
    static func statFields(_ pid: String) -> [Substring]? {
        guard let text = try? FileSystem.readString("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// How many threads this process has now (field 20 of /proc/self/stat); 0 if unknown.
    public static func threadCount() -> Int {
        // rest[0] is field 3; field 20 (num_threads) is rest[17].
        guard let rest = statFields("self"), rest.count > 17 else { return 0 }
        return Int(rest[17]) ?? 0
    }

    /// True if `pid` is the same process we recorded and it has not exited.
    public static func isAlive(_ pid: Int32, startTime: UInt64?) -> Bool {
        guard pid > 0, let s = stat(pid) else { return false }
        if s.state == "Z" || s.state == "X" { return false }
        if let startTime, startTime != s.startTime { return false }
        return true
    }

    /// Signals by name as `kill` and runc accept them: "KILL", "SIGKILL", "9".
    public static func signalNumber(_ text: String) -> Int32? {
        if let n = Int32(text) { return (1...64).contains(n) ? n : nil }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        return signalNames[name]
    }

    public static let signalNames: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT,
        "IOT": SIGIOT, "BUS": SIGBUS, "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV,
        "USR2": SIGUSR2, "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM, "STKFLT": SIGSTKFLT,
        "CHLD": SIGCHLD, "CONT": SIGCONT, "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN,
        "TTOU": SIGTTOU, "URG": SIGURG, "XCPU": SIGXCPU, "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM,
        "PROF": SIGPROF, "WINCH": SIGWINCH, "IO": SIGIO, "POLL": SIGPOLL, "PWR": SIGPWR, "SYS": SIGSYS,
    ]

    /// Poll until `condition` holds or the deadline passes.
    public static func waitUntil(timeoutMs: Int, intervalMs: Int = 5, _ condition: () -> Bool) -> Bool {
        // The deadline is on the monotonic clock: on a busy machine a check can take
        // longer than the interval, so counting intervals would wait far too long.
        let deadline = monotonicMs() + timeoutMs
        while monotonicMs() <= deadline {
            if condition() { return true }
            usleep(UInt32(intervalMs * 1000))
        }
        return condition()
    }

    /// Wait for a process that is not our child to exit (ProcessWatch). `startTime`
    /// guards against a recycled pid. True once it is gone.
    @discardableResult
    public static func waitForExit(_ pid: Int32, startTime: UInt64?, timeoutMs: Int) -> Bool {
        guard let watch = ProcessWatch(pid: pid, startTime: startTime) else { return true }
        return watch.wait(timeoutMs: timeoutMs)
    }

    public static func monotonicMs() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int(ts.tv_sec) * 1000 + Int(ts.tv_nsec) / 1_000_000
    }
}

/// A process that is not our child, watched through its pidfd (pidfd_open(2)): poll(2)
/// wakes the moment it exits. Where pidfds are missing, its pid is polled every 1 ms.
public final class ProcessWatch {
    public let pid: Int32
    let startTime: UInt64?
    let fd: Int32
    public private(set) var exited = false

    /// Nil when the process is already gone (or `pid` is not a pid).
    public init?(pid: Int32, startTime: UInt64?) {
        guard pid > 0, Processes.isAlive(pid, startTime: startTime) else { return nil }
        self.pid = pid
        self.startTime = startTime
        fd = sb_pidfd_open(pid)
        // Opened after the start-time check: if the pid was reused in between, the new
        // process is not the one we watch; check once more.
        guard Processes.isAlive(pid, startTime: startTime) else {
            if fd >= 0 { close(fd) }
            return nil
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Block until the process exits or `timeoutMs` passes; true once it has exited.
    public func wait(timeoutMs: Int) -> Bool {
        if exited { return true }
        guard fd >= 0 else {
            exited = Processes.waitUntil(timeoutMs: timeoutMs, intervalMs: 1) { !Processes.isAlive(pid, startTime: startTime) }
            return exited
        }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Processes.monotonicMs() + timeoutMs
        while true {
            let left = deadline - Processes.monotonicMs()
            let r = poll(&p, 1, Int32(max(0, min(left, Int(Int32.max)))))
            if r > 0 { exited = true; return true }
            if r == 0 { return false }   // the timeout passed
            if errno != EINTR { exited = !Processes.isAlive(pid, startTime: startTime); return exited }
        }
    }
}
