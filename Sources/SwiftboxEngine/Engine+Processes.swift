// A running container's processes: listed (`top`, `compose top`) and frozen or thawed
// (`compose pause|unpause`) through the cgroup the runtime made for it — SwiftboxCgroup's
// CgroupFreezer (v1 freezer.state or v2 cgroup.freeze, waiting until the kernel says
// frozen) — not by re-reading /proc/PID/cgroup and mountinfo on the side.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxCgroup
import SwiftboxKernel

/// One row of `top`: what Docker's default `ps -ef` columns show that /proc tells.
public struct ContainerProcess: Equatable, Sendable {
    public var uid: String
    public var pid: Int32
    public var ppid: String
    public var command: String
}

extension Engine {
    /// The processes in the container's cgroups, from /proc/PID/status and cmdline
    /// (proc(5)); a process that exits meanwhile is left out.
    public func top(_ id: String) -> [ContainerProcess] {
        processes(id).compactMap { pid in
            guard let status = try? String(decoding: FileSystem.read("/proc/\(pid)/status"), as: UTF8.self) else { return nil }
            func field(_ name: String) -> String {
                status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                    .map { String($0.dropFirst(name.count + 1).split(separator: "\t").first ?? "").trimmed() } ?? "?"
            }
            // cmdline's arguments are NUL-separated.
            let cmd = (try? FileSystem.read("/proc/\(pid)/cmdline")).map { String(decoding: $0.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).trimmed() } ?? ""
            return ContainerProcess(uid: field("Uid"), pid: pid, ppid: field("PPid"), command: cmd)
        }
    }

    /// Freeze every process of a running container. The engine's state stays "running"
    /// (as Docker's, with Paused set): a paused container still runs, its monitor waits.
    public func pause(_ id: String) throws {
        let f = try freezer(id, "pause")
        if f.isFrozen { throw EngineError.failed("Container \(id) is already paused") }
        try f.set(frozen: true)
        event("pause", id: id)
    }

    public func unpause(_ id: String) throws {
        let f = try freezer(id, "unpause")
        if !f.isFrozen { throw EngineError.failed("Container \(id) is not paused") }
        try f.set(frozen: false)
        event("unpause", id: id)
    }

    /// After a signal to a paused container: thaw it, so the signal is acted on (a task
    /// frozen by the v1 freezer holds even SIGKILL until it runs again). Docker's kill,
    /// stop and rm -f do the same.
    func thawAfterSignal(_ id: String) {
        guard isPaused(id), let f = try? freezer(id, "unpause") else { return }
        try? f.set(frozen: false)
    }

    /// Whether the container's processes are frozen now.
    public func isPaused(_ id: String) -> Bool {
        guard let record = try? runtime().store.load(id), let path = record.cgroupPath,
              let freezer = try? CgroupFreezer(path: path, hierarchies: runtime().cgroups.hierarchies) else { return false }
        return freezer.isFrozen
    }

    private func freezer(_ id: String, _ verb: String) throws -> CgroupFreezer {
        guard isRunning(id) else { throw EngineError.notRunning(String(id.prefix(12))) }
        let runtime = runtime()
        guard let path = try runtime.store.load(id).cgroupPath else {
            throw EngineError.failed("cannot \(verb) \(id.prefix(12)): it has no cgroup")
        }
        return try CgroupFreezer(path: path, hierarchies: runtime.cgroups.hierarchies)
    }
}
