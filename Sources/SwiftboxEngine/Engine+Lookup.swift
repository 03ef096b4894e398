// What the engine's callers ask about containers, as typed calls: the CLI (and the API
// to come) name containers and read their records through the engine, never through
// its on-disk store (EngineStore), whose layout stays the engine's business.
import SwiftboxKernel

extension Engine {
    /// The ID of the container a user named: its name, its ID or an unambiguous prefix.
    public func containerID(_ ref: String) throws -> String { try store.resolve(ref) }

    /// Every container's ID, readable records or not.
    public func containerIDs() -> [String] { store.ids() }

    /// The container's record: what was asked when it was created.
    public func container(_ id: String) throws -> EngineContainer { try store.config(id) }

    /// What the container's state.json says (observedState also asks the kernel).
    public func recordedState(_ id: String) -> EngineState { store.state(id) }

    /// The container still exists (its record was not removed).
    public func exists(_ id: String) -> Bool { store.exists(id) }

    /// The container's output as logged so far (json-file, rotated files first).
    public func logEntries(_ id: String) -> [LogEntry] { LogReader.allEntries(store.logPath(id)) }

    /// The current log file through a descriptor, to follow new output; `create`: made
    /// empty when missing, so a caller can hold it from before the container starts.
    public func logTail(_ id: String, create: Bool = false) -> LogTail { LogTail(path: store.logPath(id), create: create) }

    /// Bytes in the container's writable layer (`system df`).
    public func writableLayerSize(_ id: String) -> Int64 { DiskUsage.bytes(store.dir(id) + "/upper") }

    /// Remove the claim of a name whose create was killed before it wrote the record;
    /// false when the claim is a create at work or not there (EngineStore+Incomplete).
    public func removeIncompleteClaim(_ name: String) -> Bool { store.removeIfIncomplete(claim: name) }
}
