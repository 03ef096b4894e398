// The calling process's mount table (/proc/self/mountinfo, proc(5)): field 5 is the
// mount point, with spaces and other odd bytes escaped as \040 etc.
#if canImport(Glibc)
import Glibc
#endif
import CShim

public enum MountTable {
    /// Is `path` (absolute, no trailing slash) a mount point in our mount namespace?
    /// One statx(2) where the kernel can tell (STATX_ATTR_MOUNT_ROOT); reading and
    /// splitting the whole mount table costs a hundred times more (~0.15 ms here).
    public static func isMountPoint(_ path: String) -> Bool {
        let root = sb_is_mount_root(path)
        if root >= 0 { return root == 1 }
        return listed(path)
    }

    /// Is `path` a mount point in /proc/self/mountinfo? (Field 5; paths with spaces
    /// appear escaped there, as \040, and are not found.)
    static func listed(_ path: String) -> Bool {
        let info = (try? FileSystem.readString("/proc/self/mountinfo")) ?? ""
        return info.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4] == Substring(path)
        }
    }

    /// Detach every mount stacked on `path` (umount2(2) with MNT_DETACH, until `path` is
    /// no longer a mount point or the kernel refuses).
    public static func unmountAll(_ path: String) {
        while isMountPoint(path) { if umount2(path, Int32(MNT_DETACH)) != 0 { break } }
    }
}
