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
        try FileSystem.makeDirectories(root, mode: 0o711)
        if mkdir(directory(id), 0o711) != 0 {
            if errno == EEXIST { throw StoreError.exists(id) }
            throw KernelError("mkdir", [directory(id)])
        }
    }

    public func save(_ record: ContainerRecord) throws {
        let data = try JSONEncoder().encode(record)
        // State under /run is on tmpfs: rename alone is atomic; fsync would only cost time.
        try FileSystem.writeAtomically(directory(record.id) + "/state.json", Array(data), fsync: false)
    }

    public func load(_ id: String) throws -> ContainerRecord {
        try ContainerStore.validate(id: id)
        let path = directory(id) + "/state.json"
        guard let bytes = try? FileSystem.read(path) else { throw StoreError.notFound(id) }
        return try JSONDecoder().decode(ContainerRecord.self, from: Data(bytes))
    }

    public func remove(_ id: String) throws {
        try FileSystem.removeTree(directory(id))
    }

    public func ids() -> [String] {
        FileSystem.listDirectory(root).filter { FileSystem.exists(directory($0) + "/state.json") }
    }

    /// The spec's status, derived from the record and the live process.
    public func status(of record: ContainerRecord) -> ContainerStatus {
        if record.pid == 0 { return .creating }
        guard Processes.isAlive(record.pid, startTime: record.pidStartTime) else { return .stopped }
        return FileSystem.exists(execFifo(record.id)) && !record.started ? .created : .running
    }
}
