// Read-modify-write of state.json under a lock, for the writers that race: the monitor
// deciding whether to restart, and `stop`/`kill` marking that the user asked for the
// exit. Without it a monitor could write back a state read just before `stop` set
// stoppedByUser, and the restart policy would undo a manual stop.
//   <root>/containers/<id>/state.lock   flock(2), exclusive, held for one update
//   <root>/containers/<id>/health.json  State.Health, written by the monitor alone
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

extension EngineStore {
    /// Apply `change` to the current state and save it, all under the container's lock.
    @discardableResult
    public func update(_ id: String, _ change: (inout EngineState) throws -> Void) throws -> EngineState {
        let fd = open(dir(id) + "/state.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KernelError("open", [dir(id) + "/state.lock"]) }
        defer { close(fd) }   // closing releases the lock
        while flock(fd, LOCK_EX) != 0 { guard errno == EINTR else { throw KernelError("flock", [dir(id) + "/state.lock"]) } }
        var s = state(id)
        try change(&s)
        try save(s, id: id)
        return s
    }

    /// A separate file, so probe results (every few seconds) never contend with the
    /// lifecycle writes in state.json.
    public func saveHealth(_ h: HealthRecord, id: String) throws {
        try FileSystem.writeAtomically(dir(id) + "/health.json", Array(try EngineStore.encoder.encode(h)), fsync: false)
    }

    public func health(_ id: String) -> HealthRecord? {
        guard let bytes = try? FileSystem.read(dir(id) + "/health.json") else { return nil }
        return try? JSONDecoder().decode(HealthRecord.self, from: Data(bytes))
    }
}

extension EngineState {
    func with(health: HealthRecord?) -> EngineState {
        var s = self
        s.health = health
        return s
    }
}
