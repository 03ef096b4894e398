// ID-mapped mounts (mount_setattr(2), MOUNT_ATTR_IDMAP): a view of a directory tree in
// which every owner is shifted through a user namespace's mapping, without touching a
// byte on disk. `--userns-remap` uses them to show an image's layers, owned by root on
// disk, as owned by the container's unprivileged host range: file owner 0 is seen as
// host uid 100000 through the mount, and the container's user namespace maps 100000
// back to its own 0.
//
// The kernel takes the mapping from a user namespace, so one is made for the purpose:
//   1. clone(CLONE_NEWUSER) a child that only waits       (sb_spawn_userns_holder)
//   2. write its /proc/PID/gid_map and uid_map             (UserNamespaceMaps.write)
//   3. open /proc/PID/ns/user: the descriptor keeps the namespace after the child ends
//   4. per tree: open_tree(OPEN_TREE_CLONE) → mount_setattr(MOUNT_ATTR_IDMAP, ns fd)
//      → move_mount to a directory                          (sb_idmapped_bind)
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// A user namespace that exists only to carry a mapping (for idmapped mounts).
public final class MappingNamespace {
    public let fd: Int32

    /// `uidMap` and `gidMap` in /proc/PID/uid_map's text ("0 100000 65536").
    public init(uidMap: String, gidMap: String) throws {
        var release: Int32 = -1
        let pid = sb_spawn_userns_holder(&release)
        guard pid > 0 else { throw KernelError("clone", ["CLONE_NEWUSER"]) }
        defer {
            close(release)   // the holder's read returns: it exits
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        try UserNamespaceMaps.write(pid: pid, uidMap: uidMap, gidMap: gidMap)
        let path = "/proc/\(pid)/ns/user"
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KernelError("open", [path]) }
    }

    deinit { close(fd) }

    /// Attach at `target` (an existing directory) an idmapped clone of the mount tree at
    /// `source`. EINVAL when the file system cannot be idmapped (KernelError.errno).
    public func bind(_ source: String, at target: String) throws {
        guard sb_idmapped_bind(source, target, fd) == 0 else {
            throw KernelError("mount_setattr", [source, "MOUNT_ATTR_IDMAP", "→ " + target])
        }
    }

    /// Would `bind` work for `source`? The same open_tree and mount_setattr, the clone
    /// then dropped unattached: nil, or the errno `bind` would throw (a dry run's answer).
    public func refusal(_ source: String) -> Int32? {
        sb_idmapped_bind(source, nil, fd) == 0 ? nil : errno
    }
}

/// /proc/PID/uid_map and gid_map: written once each, by a process with CAP_SETUID and
/// CAP_SETGID over the parent namespace, one write(2) per file (user_namespaces(7)).
public enum UserNamespaceMaps {
    /// Gid first: a uid map alone does not let the child change its gids.
    public static func write(pid: Int32, uidMap: String, gidMap: String) throws {
        for (file, text) in [("gid_map", gidMap), ("uid_map", uidMap)] where !text.isEmpty {
            let path = "/proc/\(pid)/\(file)"
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw KernelError("open", [path]) }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
                throw KernelError("write", [path, text])
            }
        }
    }
}
