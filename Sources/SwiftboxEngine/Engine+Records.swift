// What readers do with a container record they cannot read (issue #15): they say so,
// and `rm -f` can still remove it with everything it owns.
//   config.json unreadable  ps lists it as "unknown: <path>: <reason>" (name from its
//                           claim); inspect, start, … fail naming the file and reason
//   state.json unreadable   the status is `unknown` (EngineStore.state); whether it runs
//                           is asked of the runtime's record and the monitor's process
// What such a container owns is found without the record: its monitor as the parent of
// its first process (findMonitor), its cgroups and process through the runtime's own
// record, its name claims by their content, its network
// endpoints by its ID. Only its anonymous volumes stay (their names were in the config).
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

/// A container whose config.json exists but does not decode.
public struct UnreadableContainer: Sendable {
    public var id: String
    /// From its name claim (empty when it holds none).
    public var name: String
    /// "<path>: <reason>"
    public var reason: String
    public var shortID: String { String(id.prefix(12)) }
}

extension Engine {
    /// Every container whose config.json cannot be read (list() holds the others).
    public func unreadableContainers() -> [UnreadableContainer] { listAll().unreadable }

    /// The name claims, by the ID each holds.
    func nameClaims() -> [String: [String]] {
        var out: [String: [String]] = [:]
        for name in FileSystem.listDirectory(store.namesDir) where !name.hasPrefix(".") {
            if let id = (try? FileSystem.readString(store.namesDir + "/" + name))?.trimmed() { out[id, default: []].append(name) }
        }
        return out
    }

    /// The container's monitor, for when its record cannot be fully read: the pid
    /// state.json recorded, if it can be read; else the parent of the container's first
    /// process (the runtime's record names it; the monitor is its parent); else a process
    /// whose command line is `… monitor --root ROOT ID` (an exec'd monitor's always is; a
    /// forked one's when the kernel let it set it whole). Nil when none is alive — a
    /// monitor waiting to restart a container it cannot find any more also sees its
    /// config.json gone after `rm` and leaves by itself.
    func findMonitor(_ id: String) -> pid_t? {
        let recorded = store.state(id)
        if recorded.status != .unknown, recorded.monitorPid > 0 {
            return Processes.isAlive(recorded.monitorPid, startTime: recorded.monitorStartTime) ? recorded.monitorPid : nil
        }
        if let record = try? runtime().store.load(id), record.pid > 0, Processes.isAlive(record.pid, startTime: record.pidStartTime),
           let parent = parentPid(record.pid), isMonitor(parent) {
            return parent
        }
        let tail = ["monitor", "--root", root, id]
        for entry in FileSystem.listDirectory("/proc") {
            guard let pid = pid_t(entry), pid != getpid() else { continue }
            let args = commandLine(pid)
            if args.count >= tail.count && Array(args.suffix(tail.count)) == tail { return pid }
        }
        return nil
    }

    func commandLine(_ pid: pid_t) -> [String] {
        guard let bytes = try? FileSystem.read("/proc/\(pid)/cmdline") else { return [] }
        let args = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        return args.last == "" ? Array(args.dropLast()) : args
    }

    /// A monitor of this root: `swiftbox monitor --root ROOT …`, the ID perhaps cut short.
    func isMonitor(_ pid: pid_t) -> Bool {
        let args = commandLine(pid)
        return args.count >= 4 && args[1] == "monitor" && args[2] == "--root" && args[3] == root
    }

    func parentPid(_ pid: pid_t) -> pid_t? {
        guard let status = try? FileSystem.readString("/proc/\(pid)/status") else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("PPid:") }
            .flatMap { pid_t(String($0.dropFirst(5)).trimmed()) }
    }

    /// The monitor of a container whose record cannot be read (found by findMonitor
    /// before its container was killed): it records the exit and leaves; one still there
    /// after `timeoutMs` (waiting to restart, say) is killed.
    func endMonitor(_ pid: pid_t, timeoutMs: Int) {
        guard let start = Processes.stat(pid)?.startTime else { return }
        if !Processes.waitForExit(pid, startTime: start, timeoutMs: timeoutMs) {
            Glibc.kill(pid, SIGKILL)
            _ = Processes.waitForExit(pid, startTime: start, timeoutMs: timeoutMs)
        }
    }
}
