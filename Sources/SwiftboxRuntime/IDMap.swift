// User namespace ID maps (user_namespaces(7)): "ID-inside-ns ID-outside-ns length" per
// line, written once to /proc/PID/uid_map and gid_map by a process with CAP_SETUID /
// CAP_SETGID in the parent namespace — here the runtime, while the child waits on its
// sync pipe, since the child (in the new namespace) may not map IDs it does not own.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel
import SwiftboxOCI

public enum IDMap {
    public typealias Mapping = RuntimeSpec.IDMapping

    /// The file's text: one line per mapping, in the config's order.
    public static func text(_ mappings: [Mapping]) -> String {
        mappings.map { "\($0.containerID) \($0.hostID) \($0.size)" }.joined(separator: "\n")
    }

    /// The host ID that `id` inside the namespace maps to, if any.
    public static func hostID(_ id: UInt32, in mappings: [Mapping]) -> UInt32? {
        for m in mappings where id >= m.containerID && id - m.containerID < m.size { return m.hostID + (id - m.containerID) }
        return nil
    }

    /// Whether `id` inside the namespace is mapped.
    public static func maps(_ id: UInt32, in mappings: [Mapping]) -> Bool { hostID(id, in: mappings) != nil }

    /// Write both maps of `pid` (UserNamespaceMaps: gid first, one write(2) each).
    public static func write(pid: Int32, uid: [Mapping], gid: [Mapping]) throws {
        try UserNamespaceMaps.write(pid: pid, uidMap: text(uid), gidMap: text(gid))
    }
}
