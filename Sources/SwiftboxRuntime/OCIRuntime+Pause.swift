// runc's verbs beyond the spec's five that engines call: pause and resume (the cgroup
// freezer), ps (the container's processes) and events (stats and OOM kills).
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxCgroup
import SwiftboxKernel
import SwiftboxOCI

extension OCIRuntime {
    public enum PauseError: Error, Equatable, CustomStringConvertible {
        case noCgroup(String)
        public var description: String {
            switch self {
            case .noCgroup(let id): return "container \(id) has no cgroup to freeze"
            }
        }
    }

    func freezer(_ record: ContainerRecord) throws -> CgroupFreezer {
        guard let path = record.cgroupPath else { throw PauseError.noCgroup(record.id) }
        return try CgroupFreezer(path: path, hierarchies: cgroups.hierarchies)
    }

    /// `pause`: freeze every process of a running container.
    public func pause(id: String) throws {
        var record = try store.load(id)
        let status = store.status(of: record)
        guard status == .running else { throw RuntimeError.notRunning(id, status) }
        try freezer(record).set(frozen: true)
        record.paused = true
        try store.save(record)
    }

    /// `resume`: thaw a paused container.
    public func resume(id: String) throws {
        var record = try store.load(id)
        let status = store.status(of: record)
        guard status == .paused else { throw RuntimeError.notPaused(id, status) }
        try freezer(record).set(frozen: false)
        record.paused = nil
        try store.save(record)
    }

    /// After a SIGKILL to a paused container: thaw it, or (cgroup v1) the frozen tasks
    /// could not act on the signal and die; the record then tells the truth again.
    func thawAfterKill(_ record: ContainerRecord) {
        guard record.paused == true else { return }
        try? freezer(record).set(frozen: false)
        var r = record
        r.paused = nil
        try? store.save(r)
    }

    /// `ps`: the pids in the container's cgroups (the host's pid numbers, as runc gives).
    public func processes(id: String) throws -> [Int32] {
        let record = try store.load(id)
        guard let path = record.cgroupPath else { return Processes.isAlive(record.pid, startTime: record.pidStartTime) ? [record.pid] : [] }
        return cgroups.processes(at: path)
    }

    /// The usage figures `events --stats` prints.
    public func usage(id: String) throws -> CgroupUsage {
        let record = try store.load(id)
        guard let path = record.cgroupPath else { return CgroupUsage() }
        return cgroups.usage(at: path)
    }
}
