// --userns-remap: the container's root is not the host's root. The container gets a
// user namespace whose uid and gid 0..COUNT-1 are host IDs BASE..BASE+COUNT-1, IDs no
// host user owns: a process that escapes its mounts is an unprivileged stranger on the
// host, and files it writes into a volume or its layer are owned by BASE, not by root.
//
// As Docker's daemon option, per run or as a default for the whole root (daemon.json):
//   default          the range /etc/subuid and /etc/subgid give "swiftbox-remap"
//                    (added there, after every range already given out, if missing)
//   NAME[:GROUP]     the ranges /etc/subuid and /etc/subgid give that user and group
//   UID:GID:COUNT    host uid UID and gid GID are the container's 0, COUNT IDs each
//   host (or "")     no remapping (overrides a root's default)
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel
import SwiftboxOCI

public struct UsernsRemap: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The host uid and gid the container's 0 is; COUNT IDs from there.
    public var uid: UInt32
    public var gid: UInt32
    public var count: UInt32

    public init(uid: UInt32, gid: UInt32, count: UInt32) throws {
        guard count > 0 else { throw EngineError.failed("--userns-remap: the range must hold at least one ID (COUNT is 0)") }
        // The container's 0 must not be the host's 0, nor any range reach past the last ID.
        guard uid > 0, gid > 0 else {
            throw EngineError.failed("--userns-remap: \(uid):\(gid):\(count) maps the container's root to the host's root; choose an unprivileged range (as 100000:100000:65536)")
        }
        guard UInt64(uid) + UInt64(count) <= UInt64(UInt32.max), UInt64(gid) + UInt64(count) <= UInt64(UInt32.max) else {
            throw EngineError.failed("--userns-remap: \(uid):\(gid):\(count) runs past the last ID (4294967295)")
        }
        self.uid = uid
        self.gid = gid
        self.count = count
    }

    public var description: String { "\(uid):\(gid):\(count)" }

    public var uidMappings: [RuntimeSpec.IDMapping] { [.init(containerID: 0, hostID: uid, size: count)] }
    public var gidMappings: [RuntimeSpec.IDMapping] { [.init(containerID: 0, hostID: gid, size: count)] }

    /// /proc/PID/uid_map and gid_map text.
    public var uidMapText: String { "0 \(uid) \(count)" }
    public var gidMapText: String { "0 \(gid) \(count)" }

    /// The host uid/gid of a container uid/gid; IDs outside the range have none (the
    /// kernel shows them as the overflow ID, 65534).
    public func hostUID(_ inside: UInt32) -> UInt32? { inside < count ? uid + inside : nil }
    public func hostGID(_ inside: UInt32) -> UInt32? { inside < count ? gid + inside : nil }

    /// The user named by `default` in the subordinate ID files (Docker's is "dockremap").
    public static let defaultUser = "swiftbox-remap"
    /// The size of a range `default` adds: 65536, as useradd and Docker give.
    public static let defaultCount: UInt32 = 65536

    /// The remapping a value asks for; nil for "host" or "" (none).
    public static func resolve(_ value: String, files: SubordinateIDs = .system) throws -> UsernsRemap? {
        let text = value.trimmed()
        if text.isEmpty || text == "host" { return nil }
        if text == "default" { return try files.range(user: defaultUser, group: defaultUser, addIfMissing: true) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3 {
            guard let u = UInt32(parts[0]), let g = UInt32(parts[1]), let n = UInt32(parts[2]) else {
                throw EngineError.failed("invalid --userns-remap \"\(value)\": UID:GID:COUNT takes three numbers (as 100000:100000:65536)")
            }
            return try UsernsRemap(uid: u, gid: g, count: n)
        }
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
            throw EngineError.failed("invalid --userns-remap \"\(value)\": expected default, host, NAME[:GROUP] or UID:GID:COUNT")
        }
        return try files.range(user: parts[0], group: parts.count == 2 ? parts[1] : parts[0], addIfMissing: false)
    }
}

/// /etc/subuid and /etc/subgid (subuid(5)): "NAME:START:COUNT" per line; NAME may be a
/// number. SWIFTBOX_SUBUID and SWIFTBOX_SUBGID name other files (tests).
public struct SubordinateIDs: Sendable {
    public var uidFile: String
    public var gidFile: String

    public init(uidFile: String, gidFile: String) {
        self.uidFile = uidFile
        self.gidFile = gidFile
    }

    public static var system: SubordinateIDs {
        SubordinateIDs(uidFile: getenv("SWIFTBOX_SUBUID").map { String(cString: $0) } ?? "/etc/subuid",
                       gidFile: getenv("SWIFTBOX_SUBGID").map { String(cString: $0) } ?? "/etc/subgid")
    }

    struct Entry: Equatable { var name: String; var start: UInt32; var count: UInt32 }

    static func entries(_ path: String) -> [Entry] {
        guard let text = try? FileSystem.readString(path) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count == 3, let s = UInt32(f[1]), let n = UInt32(f[2]), n > 0 else { return nil }
            return Entry(name: String(f[0]), start: s, count: n)
        }
    }

    /// The first range each file gives `user` / `group` (by name, or by number when the
    /// file names it so). With `addIfMissing`, a range of 65536 after the highest one
    /// given out in either file is appended to both (under a lock), as useradd would.
    func range(user: String, group: String, addIfMissing: Bool) throws -> UsernsRemap {
        // On /run, not next to the files: /etc gets no file of ours but the lines we add.
        let lock = try FileLock(path: "/run/swiftbox-subid.lock")
        defer { lock.unlock() }
        let u = SubordinateIDs.entries(uidFile).first { $0.name == user }
        let g = SubordinateIDs.entries(gidFile).first { $0.name == group }
        if let u, let g { return try UsernsRemap(uid: u.start, gid: g.start, count: min(u.count, g.count)) }
        guard addIfMissing else {
            let missing = u == nil ? "\(uidFile) has no range for \"\(user)\"" : "\(gidFile) has no range for \"\(group)\""
            throw EngineError.failed("--userns-remap \(user == group ? user : user + ":" + group): \(missing) (add one, as \"\(user):100000:65536\", or use UID:GID:COUNT)")
        }
        let taken = (SubordinateIDs.entries(uidFile) + SubordinateIDs.entries(gidFile)).map { UInt64($0.start) + UInt64($0.count) }
        let start = max(UInt64(100_000), taken.max() ?? 0)
        guard start + UInt64(UsernsRemap.defaultCount) <= UInt64(UInt32.max), let base = UInt32(exactly: start) else {
            throw EngineError.failed("--userns-remap default: no free range of \(UsernsRemap.defaultCount) IDs is left in \(uidFile) and \(gidFile)")
        }
        let uid = u?.start ?? base, gid = g?.start ?? base
        if u == nil { try append("\(user):\(uid):\(UsernsRemap.defaultCount)\n", to: uidFile) }
        if g == nil { try append("\(group):\(gid):\(UsernsRemap.defaultCount)\n", to: gidFile) }
        return try UsernsRemap(uid: uid, gid: gid, count: min(u?.count ?? UsernsRemap.defaultCount, g?.count ?? UsernsRemap.defaultCount))
    }

    /// A line at the end, after a newline if the file lacks its last one.
    private func append(_ line: String, to path: String) throws {
        let old = (try? FileSystem.readString(path)) ?? ""
        let text = (old.isEmpty || old.hasSuffix("\n") ? old : old + "\n") + line
        try FileSystem.writeAtomically(path, Array(text.utf8), mode: 0o644)
    }
}

extension Engine {
    /// The remapping a new container gets: its flag, or the root's default. Refused
    /// with what needs the host's user namespace, as Docker refuses them under a
    /// remapping daemon (its --userns=host is our `--userns-remap host`).
    func usernsRemap(_ o: RunOptions) throws -> UsernsRemap? {
        let value = try o.usernsRemap ?? EngineConfig.load(root: root).usernsRemap
        guard let value, let remap = try UsernsRemap.resolve(value) else { return nil }
        if o.privileged {
            throw EngineError.failed("--privileged is incompatible with --userns-remap: a privileged container runs in the host's user namespace (add --userns-remap host)")
        }
        if o.networks.contains("host") {
            throw EngineError.failed("--network host is incompatible with --userns-remap: the host's network namespace belongs to the host's user namespace (add --userns-remap host)")
        }
        return remap
    }

    /// Files the container's root must own to write them (/etc/hosts, resolv.conf,
    /// hostname), as Docker chowns them for a remapped root.
    func chownForRemap(_ c: EngineContainer, _ paths: [String]) throws {
        guard let remap = c.usernsRemap else { return }
        for p in paths where chown(p, remap.uid, remap.gid) != 0 { throw KernelError("chown", [p, "\(remap.uid):\(remap.gid)"]) }
    }
}

extension Engine {
    /// The runtime mounts the rootfs, /etc/hosts and the volumes from inside the
    /// container's user namespace, as its root: host uid BASE, which may not pass the
    /// root's 0700 directories. So, as Docker does for a remapping daemon's root: the root
    /// and containers/ (and volumes/) let others search them (0711: no listing, and
    /// each container's directory is closed again), the container's directory is
    /// root:GID 0710, and a volume's directory is searchable. Every directory above the
    /// root must let others search it already: otherwise a clear error, not EACCES
    /// from inside a clone.
    func grantRemapAccess(_ c: EngineContainer) throws {
        guard let remap = c.usernsRemap else { return }
        var above = root
        while let slash = above.lastIndex(of: "/"), slash != above.startIndex {
            above = String(above[..<slash])
            var st = stat()
            if stat(above, &st) == 0, st.st_mode & 0o001 == 0 {
                throw EngineError.failed("--userns-remap: the container's root (host uid \(remap.uid)) cannot reach \(root): \(above) does not let others search it (mode \(String(st.st_mode & 0o777, radix: 8))); chmod o+x it, or use a root whose parents allow it")
            }
        }
        let volumeDirs = (c.mounts ?? []).filter { $0.type == .volume }.map { volumes.volumeDir($0.source) }
        for dir in [root, store.containersDir] + (volumeDirs.isEmpty ? [] : [volumes.dir] + volumeDirs) {
            var st = stat()
            guard stat(dir, &st) == 0 else { throw KernelError("stat", [dir]) }
            if st.st_mode & 0o001 == 0 && chmod(dir, (st.st_mode & 0o7777) | 0o011) != 0 { throw KernelError("chmod", [dir, "o+x"]) }
        }
        let own = store.dir(c.id)
        guard chown(own, 0, remap.gid) == 0, chmod(own, 0o710) == 0 else { throw KernelError("chown", [own, "0:\(remap.gid)"]) }
    }

    /// A volume that nothing filled (no copy-up, or the image has nothing there) and
    /// root owns: given to the container's root, so that it can write it (Docker keeps
    /// a remapping daemon's volumes apart, owned by the remapped root).
    func giveEmptyVolume(_ data: String, to remap: UsernsRemap) throws {
        var st = stat()
        guard stat(data, &st) == 0, st.st_uid == 0, st.st_gid == 0, TreeCopy.isEmptyDirectory(data) else { return }
        guard chown(data, remap.uid, remap.gid) == 0 else { throw KernelError("chown", [data, "\(remap.uid):\(remap.gid)"]) }
    }
}
