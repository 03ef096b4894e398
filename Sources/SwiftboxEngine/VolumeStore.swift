// Named volumes on disk. The layout is stable across swiftbox versions (docs/volumes.md):
//   <root>/volumes/<name>/volume.json   Docker-shaped metadata (Name, Driver, Labels, Options…)
//   <root>/volumes/<name>/_data         the files; what containers see
//   <root>/volumes/.lock                flock(2): create, remove and "is it in use?" are
//                                       decided under it, as is saving a container that
//                                       references volumes, so `volume rm` never races a
//                                       `run -v`.
//   <root>/volumes/.creating-<name>-<pid>  a create in progress: made whole there (the
//                                       _data directory, volume.json), then renamed to
//                                       <name> in one step, so a killed create leaves no
//                                       half volume under the name. A staging (or
//                                       .trash-) directory whose process is gone is
//                                       deleted by the next list (ls, prune, inspect).
// A volume directory without volume.json (a create interrupted before creates were
// atomic) is not listed; an empty one is deleted like a staging directory, and
// creating the name again replaces it.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

public struct Volume: Codable, Equatable, Sendable {
    public var Name: String
    public var Driver: String = "local"
    public var Mountpoint: String
    public var CreatedAt: String
    public var Labels: [String: String]
    public var Options: [String: String]
    public var Scope: String = "local"

    public var isAnonymous: Bool { Labels[VolumeStore.anonymousLabel] != nil }
}

public enum VolumeName {
    /// Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters).
    public static func validate(_ name: String) throws {
        let chars = Array(name.utf8)
        func ok(_ c: UInt8, first: Bool) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (!first && (c == 0x5f || c == 0x2e || c == 0x2d))
        }
        guard chars.count >= 2, ok(chars[0], first: true), chars.dropFirst().allSatisfy({ ok($0, first: false) }) else {
            throw VolumeError.invalidName(name)
        }
    }
}

public enum VolumeError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case noSuchVolume(String)
    case inUse(String, [String])
    case invalidOption(String)

    public var description: String {
        switch self {
        case .invalidName(let n):
            return "create \(n): \"\(n)\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
        case .noSuchVolume(let n): return "get \(n): no such volume"
        case .inUse(let n, let ids): return "remove \(n): volume is in use - [\(ids.joined(separator: ", "))]"
        case .invalidOption(let m): return m
        }
    }
}

public struct VolumeStore: Sendable {
    public static let anonymousLabel = "com.docker.volume.anonymous"
    public let root: String
    public init(root: String) { self.root = root }

    public var dir: String { root + "/volumes" }
    public func volumeDir(_ name: String) -> String { dir + "/" + name }
    public func dataDir(_ name: String) -> String { volumeDir(name) + "/_data" }

    /// Run `body` holding the volumes lock (exclusive).
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.makeDirectories(dir, mode: 0o700)
        let lock = try FileLock(path: dir + "/.lock")
        defer { lock.unlock() }
        return try body()
    }

    public func get(_ name: String) -> Volume? {
        guard let bytes = try? FileSystem.read(volumeDir(name) + "/volume.json") else { return nil }
        return try? JSONDecoder().decode(Volume.self, from: Data(bytes))
    }

    public func list() -> [Volume] {
        let entries = FileSystem.listDirectory(dir)
        removeIncomplete(entries)
        return entries.filter { !$0.hasPrefix(".") }.compactMap(get)
    }

    /// What killed creates and removals left: staging and trash directories of processes
    /// that are gone, and (from older versions) empty volume directories that never got
    /// their volume.json. Needs no lock: no live process owns any of them.
    func removeIncomplete(_ entries: [String]) {
        for entry in entries {
            if entry.hasPrefix(".creating-") || entry.hasPrefix(".trash-") {
                guard let pid = entry.split(separator: "-").last.flatMap({ Int32($0) }), !Processes.isAlive(pid, startTime: nil) else { continue }
                try? FileSystem.removeTree(dir + "/" + entry)
            } else if !entry.hasPrefix("."), !FileSystem.exists(volumeDir(entry) + "/volume.json"),
                      FileSystem.listDirectory(dataDir(entry)).isEmpty, !MountTable.isMountPoint(dataDir(entry)) {
                try? FileSystem.removeTree(volumeDir(entry))
            }
        }
    }

    /// Create (or return the existing) volume. Call under `withLock`.
    @discardableResult
    public func create(_ name: String, labels: [String: String] = [:], options: [String: String] = [:]) throws -> Volume {
        try VolumeName.validate(name)
        if let existing = get(name) { return existing }
        try VolumeOptions.validate(options)
        let volume = Volume(Name: name, Mountpoint: dataDir(name), CreatedAt: Clock.rfc3339(), Labels: labels, Options: options)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Made whole aside, then renamed into place: the name exists complete or not at all.
        let staging = dir + "/.creating-\(name)-\(getpid())"
        try? FileSystem.removeTree(staging)
        do {
            try FileSystem.makeDirectories(staging + "/_data")
            try FileSystem.writeAtomically(staging + "/volume.json", Array(try encoder.encode(volume)))
            // An incomplete directory of an older version's killed create: an empty one is
            // replaced; one holding files is completed in place, as that version did.
            if FileSystem.exists(volumeDir(name)) {
                if !FileSystem.listDirectory(dataDir(name)).isEmpty || MountTable.isMountPoint(dataDir(name)) {
                    try FileSystem.writeAtomically(volumeDir(name) + "/volume.json", Array(try encoder.encode(volume)))
                    try? FileSystem.removeTree(staging)
                    return volume
                }
                try FileSystem.removeTree(volumeDir(name))
            }
            guard rename(staging, volumeDir(name)) == 0 else { throw KernelError("rename", [staging, volumeDir(name)]) }
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        return volume
    }

    /// A new anonymous volume (64 hex name), as for `-v /path` and image VOLUMEs.
    public func createAnonymous() throws -> Volume {
        try create(EngineStore.newID(), labels: [Self.anonymousLabel: ""])
    }

    /// Remove a volume that no container uses; call under `withLock` with the users found.
    public func remove(_ name: String, users: [String]) throws {
        guard get(name) != nil || FileSystem.exists(volumeDir(name)) else { throw VolumeError.noSuchVolume(name) }
        guard users.isEmpty else { throw VolumeError.inUse(name, users) }
        MountTable.unmountAll(dataDir(name))
        // Rename out of the way first: a crash mid-delete leaves no half-volume under its name.
        let trash = dir + "/.trash-\(name)-\(getpid())"
        guard rename(volumeDir(name), trash) == 0 else { throw KernelError("rename", [volumeDir(name), trash]) }
        try FileSystem.removeTree(trash)
    }

    /// The host directory a container binds for this volume, mounting the volume's own
    /// file system first if it was created with options (type=tmpfs, device=…, o=…).
    public func prepareForUse(_ name: String) throws -> String {
        guard let v = get(name) else { throw VolumeError.noSuchVolume(name) }
        if !v.Options.isEmpty { try VolumeMounter.mount(v.Options, at: dataDir(name)) }
        return dataDir(name)
    }
}
