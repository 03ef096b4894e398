// Unpacks one layer (a tar stream, gzip/zstd/xz or plain — libarchive detects the
// filter) into its own directory, in the form overlayfs stacks: OCI whiteouts become
// overlay whiteouts (`.wh.NAME` → a 0/0 character device NAME; `.wh..wh..opq` → the
// `trusted.overlay.opaque=y` xattr on the directory, which hides only the *lower*
// layers' entries, wherever the marker sits in the tar stream).
//
// Safety: libarchive only reads; every file is created by us, relative to its parent
// directory, and that parent is resolved with openat2(RESOLVE_IN_ROOT) — so no entry,
// symlink or hardlink can reach outside the layer directory. The choices per hostile
// input (tested in ImageUnpackTests):
//   - absolute path "/etc/x": contained — unpacked as "etc/x" (what tar does);
//   - a ".." component: the layer is rejected (an image that does this is broken or hostile);
//   - a symlink pointing outside, then an entry written through it: contained — the
//     symlink is followed with the layer directory as "/";
//   - a hardlink whose target has "..": rejected; an absolute target is resolved inside.
#if canImport(Glibc)
import Glibc
#endif
import CArchive
import CShim
import SwiftboxKernel

public struct LayerUnpacker {
    public struct Stats: Equatable, Sendable {
        public var entries = 0
        public var bytes: Int64 = 0
        public var whiteouts = 0
    }

    // File type bits (AE_IF* are C casts, not importable).
    static let IFMT: UInt32 = 0o170000, IFREG: UInt32 = 0o100000, IFDIR: UInt32 = 0o040000
    static let IFLNK: UInt32 = 0o120000, IFCHR: UInt32 = 0o020000, IFBLK: UInt32 = 0o060000, IFIFO: UInt32 = 0o010000

    /// Unpack the layer file at `layer` into the existing, empty directory `root`.
    /// With `diffID`, the uncompressed stream must hash to it (checked in the same pass).
    public static func unpack(layer: String, into root: String, diffID: Digest? = nil) throws -> Stats {
        let rootFD = open(root, SB_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw KernelError("open", [root, "O_PATH"]) }
        defer { close(rootFD) }
        guard let a = archive_read_new() else { throw ImageError.layer("libarchive: out of memory") }
        defer { archive_read_free(a) }
        // gzip and zstd are decoded by DecompressingReader (which hashes the tar stream);
        // the filters stay on for other compressions, whose diff ID is then checked apart.
        archive_read_support_filter_all(a)
        archive_read_support_format_tar(a)
        let reader = try DecompressingReader(path: layer)
        let client = Unmanaged.passUnretained(reader).toOpaque()
        guard archive_read_open(a, client, nil, decompressingReaderCallback, nil) == ARCHIVE_OK else {
            throw ImageError.layer("layer \(layer): \(reader.failure ?? errorString(a))")
        }
        var stats = Stats()
        var dirTimes: [(String, timespec)] = []
        // Files are created with their exact mode (set-id bits included); no umask.
        let savedUmask = umask(0)
        defer { umask(savedUmask) }
        let parents = ParentCache()
        defer { parents.clear() }
        var entry: OpaquePointer?
        while true {
            let rc = archive_read_next_header(a, &entry)
            if rc == ARCHIVE_EOF { break }
            guard rc == ARCHIVE_OK || rc == ARCHIVE_WARN, let entry else {
                throw ImageError.layer("layer \(layer): \(reader.failure ?? errorString(a))")
            }
            stats.entries += 1
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            guard let comps = try components(name, layer: layer) else { continue }
            try write(entry: entry, comps: comps, archive: a, root: root, rootFD: rootFD, parents: parents,
                      stats: &stats, dirTimes: &dirTimes, layer: layer)
        }
        if let diffID {
            let actual = reader.codec == .plain && archive_filter_count(a) > 1
                ? try LayerUnpacker.diffID(layer: layer)   // compressed with something we pass through
                : try reader.finish()
            if actual != diffID {
                throw ImageError.layer("layer \(layer): uncompressed digest \(actual) does not match the image's diff_id \(diffID)")
            }
        }
        // Directory times last: creating their children changed them.
        for (path, mtime) in dirTimes.reversed() {
            let fd = sb_open_in_root(rootFD, path, SB_O_PATH | O_DIRECTORY | O_NOFOLLOW)
            if fd >= 0 {
                var times = [mtime, mtime]
                futimens(fd, &times)
                close(fd)
            }
        }
        return stats
    }

    static func errorString(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unreadable archive"
    }

    /// The entry's path as components inside the layer; nil for the root itself.
    static func components(_ name: String, layer: String) throws -> [String]? {
        let comps = name.split(separator: "/").map(String.init).filter { $0 != "." && !$0.isEmpty }
        if comps.contains("..") {
            throw ImageError.layer("layer \(layer): entry \"\(name)\" contains \"..\"; refusing a layer that reaches outside its root")
        }
        return comps.isEmpty ? nil : comps
    }

    /// Parent directories already opened (up to 256): files of one directory, even when
    /// the tar interleaves directories, share one openat2 walk. Anything but a regular
    /// file may change what a path resolves to, so those entries clear the cache.
    final class ParentCache {
        var fds: [String: Int32] = [:]
        func get(_ path: String) -> Int32? { fds[path] }
        func put(_ path: String, _ fd: Int32) {
            if fds.count >= 256 { clear() }
            fds[path] = fd
        }
        func clear() {
            fds.values.forEach { close($0) }
            fds = [:]
        }
    }

    static let euid = geteuid()
    static let egid = getegid()

    static func write(entry: OpaquePointer, comps: [String], archive a: OpaquePointer, root: String, rootFD: Int32,
                      parents: ParentCache, stats: inout Stats, dirTimes: inout [(String, timespec)], layer: String) throws {
        let base = comps.last!
        let parentPath = comps.dropLast().joined(separator: "/")
        let full = comps.joined(separator: "/")
        let type = UInt32(archive_entry_filetype(entry))
        let plainFile = type == IFREG && archive_entry_hardlink(entry) == nil && !base.hasPrefix(".wh.")
        if !plainFile || parents.get(full) != nil { parents.clear() }
        if plainFile, let cached = parents.get(parentPath) {
            try writeFile(entry: entry, archive: a, parentFD: cached, base: base, full: full, stats: &stats, layer: layer)
            return
        }
        var parentFD = parentPath.isEmpty ? sb_open_in_root(rootFD, "/", SB_O_PATH | O_DIRECTORY)
            : sb_mkdir_all_in_root(rootFD, parentPath, 0)
        if parentFD < 0 && errno == ENOENT {
            // The parent goes through a dangling symlink: create its target, resolved
            // with the layer directory as "/".
            let resolved = RootfsPath.resolve("/" + parentPath, in: root).resolved
            parentFD = sb_mkdir_all_in_root(rootFD, resolved, 0)
        }
        guard parentFD >= 0 else { throw KernelError("openat2", [parentPath, "RESOLVE_IN_ROOT"]) }
        if plainFile {
            parents.put(parentPath, parentFD)
            try writeFile(entry: entry, archive: a, parentFD: parentFD, base: base, full: full, stats: &stats, layer: layer)
            return
        }
        defer { close(parentFD) }

        // Whiteouts.
        if base == ".wh..wh..opq" {
            stats.whiteouts += 1
            let dir = sb_open_in_root(rootFD, parentPath.isEmpty ? "/" : parentPath, O_RDONLY | O_DIRECTORY)
            guard dir >= 0 else { throw KernelError("open", [parentPath]) }
            defer { close(dir) }
            guard sb_fsetxattr(dir, "trusted.overlay.opaque", "y", 1) == 0 else {
                throw KernelError("fsetxattr", [parentPath, "trusted.overlay.opaque"])
            }
            return
        }
        if base.hasPrefix(".wh..wh.") { return }   // AUFS bookkeeping entries: nothing to do
        if base.hasPrefix(".wh.") {
            stats.whiteouts += 1
            let target = String(base.dropFirst(4))
            removeExisting(parentFD, target)
            guard mknodat(parentFD, target, S_IFCHR | 0, 0) == 0 else { throw KernelError("mknodat", [full, "S_IFCHR", "0:0"]) }
            return
        }

        let perm = mode_t(archive_entry_perm(entry))
        let uid = uid_t(truncatingIfNeeded: archive_entry_uid(entry))
        let gid = gid_t(truncatingIfNeeded: archive_entry_gid(entry))
        let mtime = timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry))

        if let hard = archive_entry_hardlink(entry) {
            let targetName = String(cString: hard)
            guard let t = try components(targetName, layer: layer) else { throw ImageError.layer("layer \(layer): hardlink \(full) has an empty target") }
            let tParent = t.dropLast().joined(separator: "/")
            let tFD = sb_open_in_root(rootFD, tParent.isEmpty ? "/" : tParent, SB_O_PATH | O_DIRECTORY)
            guard tFD >= 0 else { throw ImageError.layer("layer \(layer): hardlink \(full) -> \(targetName): target not found") }
            defer { close(tFD) }
            removeExisting(parentFD, base)
            guard linkat(tFD, t.last!, parentFD, base, 0) == 0 else {
                throw ImageError.layer("layer \(layer): hardlink \(full) -> \(targetName): \(Errno.message(errno))")
            }
            stats.bytes += 0
            return
        }

        switch type {
        case IFDIR:
            var st = stat()
            if fstatat(parentFD, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && (UInt32(st.st_mode) & IFMT) != IFDIR {
                removeExisting(parentFD, base)
            }
            if mkdirat(parentFD, base, 0o700) != 0 && errno != EEXIST { throw KernelError("mkdirat", [full]) }
            let fd = openat(parentFD, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw KernelError("openat", [full, "O_DIRECTORY|O_NOFOLLOW"]) }
            defer { close(fd) }
            try finish(fd: fd, entry: entry, uid: uid, gid: gid, perm: perm, mtime: nil, path: full)
            dirTimes.append((full, mtime))
        case IFREG:
            try writeFile(entry: entry, archive: a, parentFD: parentFD, base: base, full: full, stats: &stats, layer: layer)
        case IFLNK:
            removeExisting(parentFD, base)
            let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? ""
            guard symlinkat(target, parentFD, base) == 0 else { throw KernelError("symlinkat", [target, full]) }
            fchownat(parentFD, base, uid, gid, AT_SYMLINK_NOFOLLOW)
            try setXattrs(entry: entry, path: full) { key, value, len in sb_setxattr_at(parentFD, base, key, value, len) }
            var times = [mtime, mtime]
            utimensat(parentFD, base, &times, AT_SYMLINK_NOFOLLOW)
        case IFCHR, IFBLK, IFIFO:
            removeExisting(parentFD, base)
            let dev = archive_entry_rdev(entry)
            guard mknodat(parentFD, base, mode_t(type) | perm, dev) == 0 else { throw KernelError("mknodat", [full]) }
            let fd = openat(parentFD, base, SB_O_PATH | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                fchownat(parentFD, base, uid, gid, AT_SYMLINK_NOFOLLOW)
                fchmodat(parentFD, base, perm, 0)
                var times = [mtime, mtime]
                utimensat(parentFD, base, &times, AT_SYMLINK_NOFOLLOW)
                close(fd)
            }
        default:
            throw ImageError.layer("layer \(layer): \(full): unsupported entry type 0\(String(type, radix: 8))")
        }
    }

    /// A regular file: created with O_EXCL (an existing entry is removed only when there is
    /// one), its data written at the offsets libarchive gives (holes stay holes).
    static func writeFile(entry: OpaquePointer, archive a: OpaquePointer, parentFD: Int32, base: String, full: String,
                          stats: inout Stats, layer: String) throws {
        let perm = mode_t(archive_entry_perm(entry))
        let uid = uid_t(truncatingIfNeeded: archive_entry_uid(entry))
        let gid = gid_t(truncatingIfNeeded: archive_entry_gid(entry))
        let mtime = timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry))
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var fd = openat(parentFD, base, flags, perm)
        if fd < 0 && errno == EEXIST {
            removeExisting(parentFD, base)
            fd = openat(parentFD, base, flags, perm)
        }
        guard fd >= 0 else { throw KernelError("openat", [full, "O_CREAT|O_EXCL|O_NOFOLLOW"]) }
        defer { close(fd) }
        var end: Int64 = 0
        try ArchiveData.forEachBlock(a, "layer \(layer): \(full)") { block, offset in
            var done = 0
            while done < block.count {
                let n = pwrite(fd, block.baseAddress! + done, block.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == ENOSPC { throw ImageError.io("no space left on device while unpacking \(full)") }
                    throw KernelError("pwrite", [full])
                }
                done += n
            }
            stats.bytes += Int64(block.count)
            end = max(end, offset + Int64(block.count))
        }
        // A sparse file that ends in a hole: extend it to its size.
        if end < archive_entry_size(entry) {
            guard ftruncate(fd, off_t(archive_entry_size(entry))) == 0 else { throw KernelError("ftruncate", [full]) }
        }
        try finish(fd: fd, entry: entry, uid: uid, gid: gid, perm: perm, mtime: mtime, path: full, created: true)
    }

    /// Owner, then mode (chown clears set-id bits), then xattrs, then times.
    static func finish(fd: Int32, entry: OpaquePointer, uid: uid_t, gid: gid_t, perm: mode_t, mtime: timespec?, path: String,
                       created: Bool = false) throws {
        // A file we just created is ours and has its mode already (umask 0): only a
        // different owner needs fchown, and only then must the mode be set again.
        let chown = !created || uid != euid || gid != egid
        if chown { guard fchown(fd, uid, gid) == 0 else { throw KernelError("fchown", [path, "\(uid):\(gid)"]) } }
        if chown { guard fchmod(fd, perm) == 0 else { throw KernelError("fchmod", [path]) } }
        try setXattrs(entry: entry, path: path) { key, value, len in sb_fsetxattr(fd, key, value, len) }
        if let mtime {
            var times = [mtime, mtime]
            futimens(fd, &times)
        }
    }

    static func setXattrs(entry: OpaquePointer, path: String,
                          _ set: (UnsafePointer<CChar>, UnsafeRawPointer, Int) -> Int32) throws {
        guard archive_entry_xattr_reset(entry) > 0 else { return }
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK {
            guard let name, let value else { continue }
            if set(name, value, size) != 0 && errno != ENOTSUP {
                throw KernelError("setxattr", [path, String(cString: name)])
            }
        }
    }

    /// Remove whatever is at parent/name (a whole directory tree if need be).
    static func removeExisting(_ parentFD: Int32, _ name: String) {
        if unlinkat(parentFD, name, 0) == 0 || errno == ENOENT { return }
        if errno == EISDIR || errno == EPERM {
            let fd = openat(parentFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                if let dir = fdopendir(fd) {
                    var names: [String] = []
                    while let e = readdir(dir) {
                        let n = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
                        if n != "." && n != ".." { names.append(n) }
                    }
                    for n in names { removeExisting(dirfd(dir), n) }
                    closedir(dir)
                } else { close(fd) }
            }
            unlinkat(parentFD, name, AT_REMOVEDIR)
        }
    }

    /// The layer's diff ID: sha256 of its uncompressed tar stream.
    public static func diffID(layer: String) throws -> Digest {
        guard let a = archive_read_new() else { throw ImageError.layer("libarchive: out of memory") }
        defer { archive_read_free(a) }
        archive_read_support_filter_all(a)
        archive_read_support_format_raw(a)
        guard archive_read_open_filename(a, layer, 1 << 20) == ARCHIVE_OK else { throw ImageError.layer("layer \(layer): \(errorString(a))") }
        var entry: OpaquePointer?
        var hasher = SHA256Hasher()
        if archive_read_next_header(a, &entry) == ARCHIVE_OK {
            try ArchiveData.forEachBlock(a, "layer \(layer)") { block, _ in hasher.update(block) }
        }
        return hasher.finalize()
    }
}
