// A layer copied for a remapped user namespace (--userns-remap, when its layers cannot
// be idmapped mounts): every owner moved up by the range's start, so that file owner 0
// is host uid 100000, which the container's user namespace shows as its 0. Unlike a
// volume's copy-up, a layer's xattrs come along: overlayfs's `trusted.overlay.opaque`
// marks, and file capabilities, which are rewritten for the namespace (below).
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// The host IDs a user namespace's 0 is, and how many IDs it maps.
public struct OwnerShift: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var count: UInt32
    public init(uid: UInt32, gid: UInt32, count: UInt32) {
        self.uid = uid
        self.gid = gid
        self.count = count
    }

    /// IDs past the range are unmapped inside: they stay what the kernel shows
    /// unmapped IDs as (the overflow ID, 65534), never another host user's ID.
    public func uid(_ id: uid_t) -> uid_t { id < count ? uid + id : 65534 }
    public func gid(_ id: gid_t) -> gid_t { id < count ? gid + id : 65534 }
}

extension TreeCopy {
    /// Copy the snapshot directory `source` to `destination` (which must not exist)
    /// with owners shifted and xattrs kept.
    public static func copyLayer(_ source: String, to destination: String, shift: OwnerShift) throws {
        guard mkdir(destination, 0o700) == 0 else { throw KernelError("mkdir", [destination]) }
        guard try copy(rootfs: source, path: "/", to: destination, shift: shift) else {
            throw KernelError("open", [source], errno: ENOENT)
        }
    }
}

extension TreeCopy.Walk {
    func owner(_ st: stat) -> (uid_t, gid_t) {
        guard let shift else { return (st.st_uid, st.st_gid) }
        return (shift.uid(st.st_uid), shift.gid(st.st_gid))
    }

    /// Every xattr of `name` in `src` onto `name` in `dst` (only when shifting: a
    /// volume's copy-up keeps what it always copied). Through /proc/self/fd paths, so
    /// whiteouts (device nodes) and symlinks, which cannot be opened, are covered.
    func copyXattrs(_ src: Int32, _ dst: Int32, _ name: String, what: String) throws {
        guard let shift else { return }
        let from = "/proc/self/fd/\(src)/\(name)", to = "/proc/self/fd/\(dst)/\(name)"
        for (key, value) in Xattrs.list(from) {
            let bytes = key == "security.capability" ? FileCapability.rootedAt(shift.uid, value) : value
            guard lsetxattr(to, key, bytes, bytes.count, 0) == 0 else { throw KernelError("lsetxattr", [what, key]) }
        }
    }
}

/// security.capability (capabilities(7), "File capability extended attribute
/// versioning"): a v2 value (20 bytes) grants its capabilities only to a process
/// whose user namespace's root is host root; a v3 value (24 bytes) names the root
/// it is for. Rewritten as v3 for the remapped root, `ping`'s cap_net_raw works there.
enum FileCapability {
    static func rootedAt(_ rootUID: UInt32, _ value: [UInt8]) -> [UInt8] {
        guard value.count >= 20 else { return value }
        let revision = value[3]   // little-endian magic: revision in the top byte
        guard revision == 2 || revision == 3 else { return value }
        var out = Array(value[0..<20])
        out[3] = 3
        withUnsafeBytes(of: rootUID.littleEndian) { out += $0 }
        return out
    }
}
