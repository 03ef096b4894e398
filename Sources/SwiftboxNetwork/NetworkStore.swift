// Networks on disk:
//   <root>/networks/<id>.json    one NetworkRecord each (configuration + endpoints)
//   <root>/networks/ports.json   the host ports running containers publish
//   <root>/networks/lock         flock(2) held by every read-modify-write
// Records are replaced with rename(2), so readers without the lock never see half a
// file and a process killed mid-update leaves the previous version. The flock dies
// with its holder, so a crash never leaves the store locked.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

public struct NetworkStore: Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    public var dir: String { root + "/networks" }
    func path(_ id: String) -> String { dir + "/" + id + ".json" }
    var portsPath: String { dir + "/ports.json" }

    /// Run `body` holding the store's lock (exclusive; waits for other processes).
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.makeDirectories(dir, mode: 0o700)
        let fd = open(dir + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KernelError("open", [dir + "/lock"]) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw KernelError("flock", [dir + "/lock", "LOCK_EX"]) } }
        return try body()
    }

    /// The networks, without the records of creates still under way or killed half-way.
    public func all() -> [NetworkRecord] { allRecords().filter { $0.creating != true } }

    /// Every record, those of unfinished creates too.
    public func allRecords() -> [NetworkRecord] {
        FileSystem.listDirectory(dir).filter { $0.hasSuffix(".json") && $0 != "ports.json" }.compactMap { file in
            guard let bytes = try? FileSystem.read(dir + "/" + file) else { return nil }
            return try? JSONDecoder().decode(NetworkRecord.self, from: Data(bytes))
        }.sorted { $0.created < $1.created }
    }

    /// By name, full ID or unique ID prefix (as Docker accepts).
    public func find(_ ref: String) throws -> NetworkRecord {
        let networks = all()
        if let n = networks.first(where: { $0.name == ref || $0.id == ref }) { return n }
        let matches = networks.filter { $0.id.hasPrefix(ref) }
        if matches.count == 1 && !ref.isEmpty { return matches[0] }
        throw NetworkError.notFound(ref)
    }

    public func save(_ n: NetworkRecord) throws {
        try FileSystem.makeDirectories(dir, mode: 0o700)
        try FileSystem.writeAtomically(path(n.id), Array(try NetworkStore.encoder.encode(n)), mode: 0o600)
    }

    public func remove(_ id: String) { unlink(path(id)) }

    // MARK: published ports of running containers

    public func ports() -> [String: [PublishedPort]] {
        guard let bytes = try? FileSystem.read(portsPath),
              let p = try? JSONDecoder().decode([String: [PublishedPort]].self, from: Data(bytes)) else { return [:] }
        return p
    }

    public func savePorts(_ p: [String: [PublishedPort]]) throws {
        try FileSystem.makeDirectories(dir, mode: 0o700)
        try FileSystem.writeAtomically(portsPath, Array(try NetworkStore.encoder.encode(p)), mode: 0o600, fsync: false)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return e
    }()

    /// 64 hex characters from getrandom(2), as Docker's network IDs.
    public static func newID() -> String {
        var rng = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef")
        return String((0..<64).map { _ in hex[Int.random(in: 0..<16, using: &rng)] })
    }

    public static func validate(name: String) throws {
        let ok = name.first.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
        if !ok { throw NetworkError.invalidName(name) }
    }
}
