// Copy-up: fill an empty volume with what the image has at the mount target, keeping
// owners, modes, timestamps, symlinks, device nodes and hard links.
//
// The source is a container's rootfs, which an image author controls, so the walk never
// follows a symlink: the starting directory is opened with openat2(RESOLVE_IN_ROOT)
// (an image whose /data is a symlink to /etc copies its own /etc, never the host's),
// and every entry below it is opened relative to its parent's descriptor with
// O_NOFOLLOW. Symlinks are copied as symlinks. The destination is a directory swiftbox
// just created, so creating entries with O_EXCL there cannot be redirected either.
#if canImport(Glibc)
import Glibc
#endif
import CShim

public enum TreeCopy {
    /// Copy the directory `path` (as the container sees it) of `rootfs` into
    /// `destination`. Returns false, copying nothing, when the image has no directory
    /// there.
    @discardableResult
    public static func copy(rootfs: String, path: String, to destination: String, shift: OwnerShift? = nil) throws -> Bool {
        let rootFD = open(rootfs, SB_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw KernelError("open", [rootfs, "O_PATH|O_DIRECTORY"]) }
        defer { close(rootFD) }
        let src = sb_open_in_root(rootFD, path, O_RDONLY | O_DIRECTORY)
        if src < 0 {
            if errno == ENOENT || errno == ENOTDIR { return false }
            throw KernelError("openat2", [rootfs, path, "RESOLVE_IN_ROOT"])
        }
        defer { close(src) }
        let dst = open(destination, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dst >= 0 else { throw KernelError("open", [destination, "O_DIRECTORY|O_NOFOLLOW"]) }
        defer { close(dst) }
        var walk = Walk(destinationRoot: dst, shift: shift)
        try walk.copyDirectory(src, dst, relative: "")
        // The volume's top directory takes the owner and mode of the image's directory
        // (a volume on /var/lib/postgresql stays owned by the postgres user).
        var st = stat()
        if fstat(src, &st) == 0 { try walk.applyAttributes(st, fd: dst, what: destination) }
        return true
    }

    /// True when `path` holds nothing but "." and "..".
    public static func isEmptyDirectory(_ path: String) -> Bool {
        FileSystem.isDirectory(path) && FileSystem.listDirectory(path).isEmpty
    }

    struct Walk {
        let destinationRoot: Int32
        /// Owners added to every copied entry, and xattrs copied (TreeCopy+Shift).
        let shift: OwnerShift?
        /// (device, inode) of files with several links → their first copy's relative path.
        var links: [String: String] = [:]

        mutating func copyDirectory(_ src: Int32, _ dst: Int32, relative: String) throws {
            for name in FileSystem.listDirectory(fd: src) {
                var st = stat()
                guard fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw KernelError("fstatat", [relative + "/" + name]) }
                let rel = relative.isEmpty ? name : relative + "/" + name
                let type = st.st_mode & S_IFMT
                if type != S_IFDIR && st.st_nlink > 1 {
                    let key = "\(st.st_dev):\(st.st_ino)"
                    if let first = links[key] {
                        guard linkat(destinationRoot, first, dst, name, 0) == 0 else { throw KernelError("linkat", [first, rel]) }
                        continue
                    }
                    links[key] = rel
                }
                switch type {
                case S_IFDIR:
                    guard mkdirat(dst, name, 0o700) == 0 || errno == EEXIST else { throw KernelError("mkdirat", [rel]) }
                    let s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard s >= 0 else { throw KernelError("openat", [rel, "O_DIRECTORY|O_NOFOLLOW"]) }
                    defer { close(s) }
                    let d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard d >= 0 else { throw KernelError("openat", [rel, "O_DIRECTORY|O_NOFOLLOW"]) }
                    defer { close(d) }
                    try copyDirectory(s, d, relative: rel)
                    try applyAttributes(st, fd: d, what: rel)
                    try copyXattrs(src, dst, name, what: rel)
                case S_IFREG:
                    let s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                    guard s >= 0 else { throw KernelError("openat", [rel, "O_RDONLY|O_NOFOLLOW"]) }
                    defer { close(s) }
                    let d = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                    guard d >= 0 else { throw KernelError("openat", [rel, "O_CREAT|O_EXCL"]) }
                    defer { close(d) }
                    try copyContents(s, d, what: rel)
                    try applyAttributes(st, fd: d, what: rel)
                    try copyXattrs(src, dst, name, what: rel)
                case S_IFLNK:
                    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                    let n = readlinkat(src, name, &buf, buf.count - 1)
                    guard n >= 0 else { throw KernelError("readlinkat", [rel]) }
                    buf[n] = 0
                    guard symlinkat(buf, dst, name) == 0 else { throw KernelError("symlinkat", [rel]) }
                    let (uid, gid) = owner(st)
                    _ = fchownat(dst, name, uid, gid, AT_SYMLINK_NOFOLLOW)
                    try copyXattrs(src, dst, name, what: rel)
                default:
                    // Device nodes, FIFOs and sockets: recreated, not opened.
                    guard mknodat(dst, name, st.st_mode, st.st_rdev) == 0 else { throw KernelError("mknodat", [rel]) }
                    let (uid, gid) = owner(st)
                    guard fchownat(dst, name, uid, gid, AT_SYMLINK_NOFOLLOW) == 0 else { throw KernelError("fchownat", [rel]) }
                    try copyXattrs(src, dst, name, what: rel)
                }
            }
        }

        func copyContents(_ s: Int32, _ d: Int32, what: String) throws {
            var buf = [UInt8](repeating: 0, count: 128 * 1024)
            while true {
                let n = read(s, &buf, buf.count)
                if n < 0 { if errno == EINTR { continue }; throw KernelError("read", [what]) }
                if n == 0 { return }
                var off = 0
                while off < n {
                    let w = buf.withUnsafeBytes { write(d, $0.baseAddress! + off, n - off) }
                    if w < 0 { if errno == EINTR { continue }; throw KernelError("write", [what]) }
                    off += w
                }
            }
        }
    }
}

extension TreeCopy.Walk {
    /// Owner first, then mode: chown(2) clears set-user-ID bits, so the mode must come after.
    func applyAttributes(_ st: stat, fd: Int32, what: String) throws {
        let (uid, gid) = owner(st)
        guard fchown(fd, uid, gid) == 0 else { throw KernelError("fchown", [what, "\(uid):\(gid)"]) }
        guard fchmod(fd, st.st_mode & 0o7777) == 0 else { throw KernelError("fchmod", [what]) }
        var times = [st.st_atim, st.st_mtim]
        _ = futimens(fd, &times)
    }
}
