// The engine's containers on disk:
//   <root>/containers/<id>/config.json   what was asked (written once)
//   <root>/containers/<id>/state.json    what happened (monitor, stop, rm)
//   <root>/containers/<id>/<id>-json.log the container's output, Docker's json-file format
//   <root>/containers/<id>/{upper,work,rootfs}  the overlay rootfs
//   <root>/names/<name>                  holds the ID; made with link(2), so names are
//                                        unique, and flock'd until the record is whole
//                                        (EngineStore+Incomplete)
// Every record is replaced with rename(2): concurrent CLIs and monitors never read half
// a file, and a process killed mid-write leaves the old version.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel
import SwiftboxOCI

public enum EngineError: Error, Equatable, CustomStringConvertible {
    case nameInUse(String, String)
    case invalidName(String)
    case noSuchContainer(String)
    case ambiguous(String)
    case notRunning(String)
    case running(String)
    case failed(String)
    /// A record that exists but cannot be decoded: its path and why.
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .nameInUse(let n, let id):
            return "Conflict. The container name \"/\(n)\" is already in use by container \"\(id)\". You have to remove (or rename) that container to be able to reuse that name."
        case .invalidName(let n):
            return "Invalid container name (\(n)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
                + (n.utf8.count > EngineStore.maxNameLength ? " (at most \(EngineStore.maxNameLength) characters)" : "")
        case .noSuchContainer(let n): return "No such container: \(n)"
        case .ambiguous(let n): return "multiple containers match \"\(n)\"; use more of the ID"
        case .notRunning(let n): return "container \(n) is not running"
        case .running(let n): return "cannot remove container \"\(n)\": container is running: stop the container before removing or force remove"
        case .failed(let m): return m
        case .unreadable(let path, let reason): return "\(path): \(reason)"
        }
    }
}

public struct EngineStore: Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    public var containersDir: String { root + "/containers" }
    public func dir(_ id: String) -> String { containersDir + "/" + id }
    /// The container still exists (its record was not removed).
    public func exists(_ id: String) -> Bool { FileSystem.exists(dir(id) + "/config.json") }
    public func logPath(_ id: String) -> String { dir(id) + "/\(id)-json.log" }
    var namesDir: String { root + "/names" }

    /// 64 hex characters from the system's random source (getrandom(2)), as Docker's IDs.
    public static func newID() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let hex = Array("0123456789abcdef")
        return String(bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }

    /// A name is a file name in <root>/names: NAME_MAX bytes at most (Docker has no
    /// limit of its own; a longer name was refused by open(2) with ENAMETOOLONG).
    public static let maxNameLength = 255

    /// Docker's characters, [a-zA-Z0-9][a-zA-Z0-9_.-]. (Docker also wants two of them at
    /// least; one is still accepted here, as before.)
    public static func validate(name: String) throws {
        let ok = name.utf8.count <= maxNameLength
            && name.first.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
        if !ok { throw EngineError.invalidName(name) }
    }

    /// Claim a name for an ID; fails if another container has it. The claim is locked
    /// (flock, exclusive) until the returned descriptor is closed: the caller closes it
    /// once the container's record is whole, and until then nobody takes the claim for
    /// the garbage of a killed create. A claim that is such garbage is taken over.
    @discardableResult
    public func reserve(name: String, id: String) throws -> Int32 {
        try EngineStore.validate(name: name)
        try FileSystem.makeDirectories(namesDir, mode: 0o700)
        // Made and locked under a name of its own, then linked to the claimed name in
        // one step (link(2) fails with EEXIST like O_EXCL): the claim is never seen
        // unlocked before its record exists. (Container names never begin with a dot.)
        let staging = namesDir + "/.claim-" + id
        let fd = try lockedStagingClaim(staging)
        defer { unlink(staging) }
        _ = id.withCString { write(fd, $0, strlen($0)) }
        for attempt in 0..<2 {
            if link(staging, namesDir + "/" + name) == 0 { return fd }
            let e = errno
            guard e == EEXIST else { close(fd); throw KernelError("link", [staging, namesDir + "/" + name], errno: e) }
            if attempt == 0 && removeIfIncomplete(claim: name) { continue }
            break
        }
        close(fd)
        let owner = (try? FileSystem.readString(namesDir + "/" + name))?.trimmed() ?? "?"
        throw EngineError.nameInUse(name, owner)
    }

    /// The staging claim, created and locked. Between open(2) and flock(2) the file
    /// exists unlocked, and a prune running then takes it for a dead creator's and
    /// unlinks it (seen in CI: link(2) then failed with ENOENT). So after the lock is
    /// ours, check the path still names this very file; if not, make it again.
    private func lockedStagingClaim(_ staging: String) throws -> Int32 {
        for _ in 0..<100 {
            let fd = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw KernelError("open", [staging, "O_CREAT"]) }
            while flock(fd, LOCK_EX) != 0 { guard errno == EINTR else { close(fd); throw KernelError("flock", [staging]) } }
            var held = stat(), named = stat()
            if fstat(fd, &held) == 0, lstat(staging, &named) == 0,
               held.st_ino == named.st_ino, held.st_dev == named.st_dev { return fd }
            close(fd)   // unlinked by a prune before our lock: start again
        }
        throw KernelError("flock", [staging], errno: EAGAIN)
    }

    public func release(name: String) { unlink(namesDir + "/" + name) }

    /// Free a name by moving its claim into the trash: the name is free at once, and the
    /// claim's disk block is freed later (Trash).
    public func release(name: String, into trash: Trash) {
        if !trash.take(namesDir + "/" + name) { release(name: name) }
    }

    /// fsync'd, so a container survives a crash of the machine — unless it is removed
    /// when it exits (--rm): such a record is not meant to outlive its command, and the
    /// flush cost ~0.5 ms of every `run --rm` here.
    public func save(_ c: EngineContainer) throws {
        try FileSystem.makeDirectories(dir(c.id), mode: 0o710)
        let bytes = Array(try EngineStore.encoder.encode(c))
        try FileSystem.writeAtomically(dir(c.id) + "/config.json", bytes, fsync: !c.autoRemove)
        DecodedFiles.wrote(c, as: bytes, to: dir(c.id) + "/config.json")
    }

    /// No fsync: state.json changes on every start and exit, and after a crash of the
    /// machine nothing is running anyway — the rename alone keeps it whole.
    public func save(_ s: EngineState, id: String) throws {
        let bytes = Array(try EngineStore.encoder.encode(s))
        try FileSystem.writeAtomically(dir(id) + "/state.json", bytes, fsync: false)
        DecodedFiles.wrote(s, as: bytes, to: dir(id) + "/state.json")
    }

    /// config.json and state.json are read by the CLI and by the monitor forked from it,
    /// several times in one start: each version is decoded once per process (DecodedFiles).
    /// A record that does not decode is reported by path and reason
    /// (EngineError.unreadable), never as a raw DecodingError.
    public func config(_ id: String) throws -> EngineContainer {
        let path = dir(id) + "/config.json"
        return try DecodedFiles.read(path) { bytes in
            try EngineStore.decode(EngineContainer.self, bytes, path: path)
        }
    }

    /// state.json; `created` when there is none yet (create writes it right after
    /// config.json). One that cannot be read is `unknown`, with the file and the reason
    /// in `error`: what the container is doing is then asked of the kernel (isRunning,
    /// the monitor's process), and the next update writes a whole file again.
    public func state(_ id: String) -> EngineState {
        let path = dir(id) + "/state.json"
        do {
            return try DecodedFiles.read(path) { bytes in try EngineStore.decode(EngineState.self, bytes, path: path) }
        } catch let e as KernelError where e.errno == ENOENT {
            return EngineState(status: .created)
        } catch {
            var s = EngineState(status: .unknown)
            s.error = "\(error)"
            return s
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw EngineError.unreadable(path, "not valid JSON")
        } catch let error as DecodingError {
            let described = SpecLoader.describe(error, file: path)
            if case .malformed(_, let key, let reason) = described {
                throw EngineError.unreadable(path, key.isEmpty ? reason : key + ": " + reason)
            }
            throw EngineError.unreadable(path, "\(described)")
        } catch {
            throw EngineError.unreadable(path, "\(error)")
        }
    }

    public func ids() -> [String] {
        FileSystem.listDirectory(containersDir).filter { FileSystem.exists(dir($0) + "/config.json") }
    }

    /// Find a container by full ID, unique ID prefix, or name (as Docker accepts).
    public func resolve(_ ref: String) throws -> String {
        if let named = try? FileSystem.readString(namesDir + "/" + ref), FileSystem.exists(dir(named.trimmed()) + "/config.json") {
            return named.trimmed()
        }
        let matches = ids().filter { $0.hasPrefix(ref) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw EngineError.ambiguous(ref) }
        throw EngineError.noSuchContainer(ref)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}
