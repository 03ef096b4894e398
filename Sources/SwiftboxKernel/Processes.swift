// Processes by pid: liveness that survives pid reuse, signals by name, waiting.
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
        guard let text = try? FileSystem.readString("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); field 22 is rest[19].
        guard rest.count > 19, let state = rest[0].first, let start = UInt64(rest[19]) else { return nil }
        return (state, start)
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
        var waited = 0
        while waited <= timeoutMs {
            if condition() { return true }
            usleep(UInt32(intervalMs * 1000))
            waited += intervalMs
        }
        return condition()
    }
}
