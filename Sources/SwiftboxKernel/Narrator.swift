// The step recorder behind `swiftbox run --trace` (and SWIFTBOX_TRACE=1): the code that
// does the work of a start — the CLI, the monitor forked from it, the OCI runtime
// inside the monitor — wraps each piece in `Narrator.step`, naming it in the words a
// learner could type by hand (`ip link add …`, `mount -t overlay …`, `echo … > …`).
// `run --dry-run` prints steps built by the same describing functions without doing
// the work (Engine.dryRun), and a test holds the two lists equal.
//
// Why a file: a start spans processes (the CLI forks the monitor, which outlives it),
// so each records into one file opened O_APPEND, one write(2) per step — atomic for
// the short lines here, from any process or thread. The CLI reads it back at the end.
//
// Off (the everyday case) costs one load of a nil static per step: the title and the
// lines are autoclosures, never evaluated.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a step is about; the order is the order of the groups in the narration.
public enum StepSubject: String, CaseIterable, Sendable, Codable {
    case image, container, network, cgroups, launch, monitor
}

public struct NarratedStep: Equatable, Sendable, Codable {
    public var subject: StepSubject
    public var title: String
    /// Commands a learner could type to do the same by hand; `#` lines explain.
    public var lines: [String]
    /// When it was done (CLOCK_MONOTONIC ns) and how long it took; nil in a dry run.
    public var start: Int64?
    public var duration: Int64?
    public var pid: Int32?
    public var tid: Int32?
    /// Lines that are steps of their own, timed inside this one (the C executor's ops
    /// in clone → execve); nil in a dry run.
    public var lineTimes: [LineTime]?

    public init(_ subject: StepSubject, _ title: String, _ lines: [String] = []) {
        self.subject = subject
        self.title = title
        self.lines = lines
    }

    /// The step as it went when the work threw: the error after the title.
    public func failed(_ error: Error) -> NarratedStep {
        var s = self
        s.title += " — failed: \(error)"
        return s
    }
}

public final class Narrator: @unchecked Sendable {
    /// The recorder of this process; nil when nobody traces (a forked monitor inherits it).
    nonisolated(unsafe) public static var current: Narrator?
    /// Where the CLI asks an exec'd monitor (not forked: compose, health probes) to record.
    public static let environmentKey = "SWIFTBOX_TRACE_STEPS"

    public let path: String
    /// The file, opened by the process `owner`. A forked monitor finds the number
    /// closed (sb_fork_detached closes every fd above 3) and perhaps reused by another
    /// file: it opens its own, never touching the inherited number.
    var fd: Int32
    var owner: pid_t
    let lock = Lock()

    public init(path: String) throws {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KernelError("open", [path, "O_APPEND|O_CREAT"]) }
        self.path = path
        owner = getpid()
    }

    deinit { if owner == getpid() { close(fd) } }

    func descriptor() -> Int32 {
        lock.withLock {
            if owner != getpid() {
                fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
                owner = getpid()
            }
            return fd
        }
    }

    /// Do `body` and, when tracing, record it as one step with its duration.
    @inline(__always)
    public static func step<T>(_ step: @autoclosure () -> NarratedStep, _ body: () throws -> T) rethrows -> T {
        guard let narrator = current else { return try body() }
        let start = monotonicNanoseconds()
        do {
            let result = try body()
            narrator.record(step(), start: start)
            return result
        } catch {
            narrator.record(step().failed(error), start: start)
            throw error
        }
    }

    /// The same, for work whose description is known only from its result (the host
    /// port the kernel chose, the address IPAM gave).
    @inline(__always)
    public static func step<T>(_ body: () throws -> T, describe: (T) -> NarratedStep) rethrows -> T {
        guard let narrator = current else { return try body() }
        let start = monotonicNanoseconds()
        let result = try body()
        narrator.record(describe(result), start: start)
        return result
    }

    /// Record a step timed by the caller (a wait that began in another function).
    public func record(_ step: NarratedStep, start: Int64, end: Int64? = nil) {
        var s = step
        s.start = start
        s.duration = (end ?? Narrator.monotonicNanoseconds()) - start
        s.pid = getpid()
        s.tid = Narrator.threadID()
        let line = StepCoding.encode(s) + "\n"
        let fd = descriptor()
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }
    }

    /// The steps recorded in `path`, in the order they were written.
    public static func read(_ path: String) -> [NarratedStep] {
        guard let text = try? FileSystem.readString(path) else { return [] }
        return text.split(separator: "\n").compactMap { StepCoding.decode(String($0)) }
    }

    /// The kernel's id of the calling thread: /proc/thread-self links to "PID/task/TID"
    /// (gettid(2) is not imported into Swift here).
    static func threadID() -> Int32 {
        var buf = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/thread-self", &buf, buf.count - 1)
        guard n > 0 else { return getpid() }
        return Int32(String(cString: buf).split(separator: "/").last ?? "") ?? getpid()
    }

    public static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// One step per line in the steps file: tab-separated fields (subject, title, start,
/// duration, pid, tid, line times, then the lines), with `\`, tab and newline escaped. Not JSON:
/// this target has no Foundation, and the format never leaves swiftbox.
enum StepCoding {
    static func encode(_ s: NarratedStep) -> String {
        var fields = [s.subject.rawValue, s.title, s.start.map { String($0) } ?? "", s.duration.map { String($0) } ?? "",
                      s.pid.map { String($0) } ?? "", s.tid.map { String($0) } ?? "", LineTime.encode(s.lineTimes)]
        fields += s.lines
        return fields.map(escape).joined(separator: "\t")
    }

    static func decode(_ line: String) -> NarratedStep? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { unescape(String($0)) }
        guard fields.count >= 7, let subject = StepSubject(rawValue: fields[0]) else { return nil }
        var s = NarratedStep(subject, fields[1], Array(fields[7...]))
        s.start = Int64(fields[2])
        s.duration = Int64(fields[3])
        s.pid = Int32(fields[4])
        s.tid = Int32(fields[5])
        s.lineTimes = LineTime.decode(fields[6])
        return s
    }

    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c == "t" ? "\t" : c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
