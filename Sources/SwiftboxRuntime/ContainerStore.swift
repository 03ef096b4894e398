// The runtime's state directory (`--root`, default /run/swiftbox-oci): one directory
// per container holding state.json and, between create and start, exec.fifo.
// Records are replaced with rename(2), so a reader — or a runtime killed mid-write —
// never sees half a record. mkdir(2) of the container directory is the lock that
// makes container IDs unique.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel
import SwiftboxOCI

/// What the runtime remembers about a container.
public struct ContainerRecord: Codable, Equatable, Sendable {
    public var id: String
    public var bundle: String
    public var rootfs: String
    /// The container's init process (in the runtime's pid namespace); 0 while creating.
    public var pid: Int32
    /// /proc/PID/stat start time: tells our process from a later one with the same pid.
    public var pidStartTime: UInt64?
    public var created: String
    public var annotations: [String: String]?
    public var cgroupPath: String?
    /// Cgroup directories this runtime created (removed on delete; nothing else is).
    public var cgroupDirectories: [String]
    /// Set once `start` has released the container (or for `run`).
    public var started: Bool
    public var exitStatus: Int32?
    /// Set by `pause`, cleared by `resume`: the container's cgroup is frozen.
    public var paused: Bool?
    /// config.json's poststart and poststop hooks, kept for `start` and `delete` (the
    /// bundle may have changed or be gone by then, and start need not read it again).
    public var poststart: [RuntimeSpec.Hook]?
    public var poststop: [RuntimeSpec.Hook]?
    /// The rootfs, when the container had no mount namespace: its mounts are the host's,
    /// and delete detaches them (LaunchPlan.hostMountRoot).
    public var hostMountRoot: String?
}

public enum StoreError: Error, Equatable, CustomStringConvertible {
    case invalidID(String)
    case exists(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .invalidID(let id): return "invalid container ID \"\(id)\": use letters, digits, '_', '.', '-' (not starting with '.' or '-')"
        case .exists(let id): return "container \"\(id)\" already exists"
        case .notFound(let id): return "container \"\(id)\" does not exist"
        }
    }
}

public struct ContainerStore: Sendable {
    public var root: String
    /// Where a deleted container's directory goes when the caller has a trash (the
    /// engine: a detached process deletes it later). Nil: deleted in place.
    public var trash: Trash?

    public init(root: String) { self.root = root }

    public func directory(_ id: String) -> String { root + "/" + id }
    public func execFifo(_ id: String) -> String { directory(id) + "/exec.fifo" }

    public static func validate(id: String) throws {
        let ok = !id.isEmpty && id.count <= 1024 && !id.hasPrefix(".") && !id.hasPrefix("-")
            && id.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "_.-+".unicodeScalars.contains($0) }
        if !ok { throw StoreError.invalidID(id) }
    }

    /// Reserve the ID: fails if a container with this ID exists.
    public func reserve(_ id: String) throws {
        try ContainerStore.validate(id: id)
        // The root goes when its last container does (an engine removes it in the
        // background): made again, and once more if it went between the two mkdirs.
        for attempt in 1...3 {
            try FileSystem.makeDirectories(root, mode: 0o711)
            if mkdir(directory(id), 0o711) == 0 { return }
            if errno == EEXIST { throw StoreError.exists(id) }
            if errno != ENOENT || attempt == 3 { throw KernelError("mkdir", [directory(id)]) }
        }
    }

    public func save(_ record: ContainerRecord) throws {
        let data = Array(try JSONEncoder().encode(record))
        // State under /run is on tmpfs: rename alone is atomic; fsync would only cost time.
        try FileSystem.writeAtomically(directory(record.id) + "/state.json", data, fsync: false)
        DecodedFiles.wrote(record, as: data, to: directory(record.id) + "/state.json")
    }

    public func load(_ id: String) throws -> ContainerRecord {
        try ContainerStore.validate(id: id)
        let path = directory(id) + "/state.json"
        // Read by the runtime, the engine's monitor and its CLI, several times per start.
        do {
            return try DecodedFiles.read(path) { try JSONDecoder().decode(ContainerRecord.self, from: Data($0)) }
        } catch is KernelError {
            throw StoreError.notFound(id)
        }
    }

    public func remove(_ id: String) throws {
        if let trash { try trash.remove(directory(id)) } else { try FileSystem.removeTree(directory(id)) }
    }

    public func ids() -> [String] {
        FileSystem.listDirectory(root).filter { FileSystem.exists(directory($0) + "/state.json") }
    }

    /// The spec's status, derived from the record and the live process.
    public func status(of record: ContainerRecord) -> ContainerStatus {
        if record.pid == 0 { return .creating }
        guard Processes.isAlive(record.pid, startTime: record.pidStartTime) else { return .stopped }
        if record.paused == true { return .paused }
        return FileSystem.exists(execFifo(record.id)) && !record.started ? .created : .running
    }
}
