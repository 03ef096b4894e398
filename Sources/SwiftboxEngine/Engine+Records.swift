// What readers do with a container record they cannot read (issue #15): they say so,
// and `rm -f` can still remove it with everything it owns.
//   config.json unreadable  ps lists it as "unknown: <path>: <reason>" (name from its
//                           claim); inspect, start, … fail naming the file and reason
//   state.json unreadable   the status is `unknown` (EngineStore.state); whether it runs
//                           is asked of the runtime's record and the monitor's process
// What such a container owns is found without the record: its monitor by its command
// line (`swiftbox monitor --root ROOT ID`, forked or exec'd), its cgroups and process
// through the runtime's own record, its name claims by their content, its network
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
    public func unreadableContainers() -> [UnreadableContainer] {
        var out: [UnreadableContainer] = []
        var names: [String: [String]]?
        for id in store.ids() {
            do { _ = try store.config(id) } catch {
                if names == nil { names = nameClaims() }
                out.append(UnreadableContainer(id: id, name: names?[id]?.sorted().first ?? "", reason: "\(error)"))
            }
        }
        return out
    }

    /// The name claims, by the ID each holds.
    func nameClaims() -> [String: [String]] {
        var out: [String: [String]] = [:]
        for name in FileSystem.listDirectory(store.namesDir) where !name.hasPrefix(".") {
            if let id = (try? FileSystem.readString(store.namesDir + "/" + name))?.trimmed() { out[id, default: []].append(name) }
        }
        return out
    }

    /// The container's monitor, found by its command line: for when state.json, which
    /// records its pid, cannot be read. Nil when none is alive.
    func findMonitor(_ id: String) -> pid_t? {
        let tail = ["monitor", "--root", root, id]
        for entry in FileSystem.listDirectory("/proc") {
            guard let pid = pid_t(entry), pid != getpid(),
                  let bytes = try? FileSystem.read("/proc/\(entry)/cmdline") else { continue }
            let args = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            let trimmed = args.last == "" ? Array(args.dropLast()) : args
            if trimmed.count >= tail.count && Array(trimmed.suffix(tail.count)) == tail { return pid }
        }
        return nil
    }

    /// A container whose state cannot be read, after its process was killed: its
    /// monitor records the exit and leaves; one still there after `timeoutMs` (waiting to
    /// restart, say) is killed. Nothing of the container runs afterwards.
    func endMonitor(of id: String, timeoutMs: Int) {
        guard let pid = findMonitor(id), let start = Processes.stat(pid)?.startTime else { return }
        if !Processes.waitForExit(pid, startTime: start, timeoutMs: timeoutMs) {
            Glibc.kill(pid, SIGKILL)
            _ = Processes.waitForExit(pid, startTime: start, timeoutMs: timeoutMs)
        }
    }
}
