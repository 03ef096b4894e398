// What ADD does beyond COPY:
//   - a local tar archive (plain, gzip, bzip2, xz or zstd) from the context is unpacked
//     into DEST instead of copied, owners and modes as the archive has them;
//   - an http(s) URL is downloaded (mode 0600, named after the URL's last path
//     component unless DEST names the file), and checked against --checksum.
// Unpacking goes entry by entry, each path cleaned and created inside the root
// (RESOLVE_IN_ROOT; no entry may climb out with ".." or an absolute path, nor write
// through a symlink the image or the archive itself planted).
#if canImport(Glibc)
import Glibc
#endif
import CArchive
import CShim
import SwiftboxImage
import SwiftboxKernel

/// Where an archive is unpacked: a build step's own layer directory (DirectLayer), or a
/// plain directory (the context given as a tar stream).
protocol UnpackTarget {
    /// The directory at `path` (O_RDONLY), made if missing.
    func directory(_ path: String) throws -> Int32
    /// An O_PATH descriptor of what this unpacking wrote at `path`, or -1 (hard links).
    func written(_ path: String) -> Int32
}

extension DirectLayer: UnpackTarget {
    /// Resolved in the view of the layers below, then made in the layer: a directory
    /// the archive made a symlink of is not a directory here, and refused (an archive
    /// cannot write through its own links).
    func directory(_ path: String) throws -> Int32 { try upperDirectory(canonical(path)).fd }
    func written(_ path: String) -> Int32 { sb_open_in_root(upperFD, canonical(path), SB_O_PATH) }
}

/// A plain directory: paths resolved inside it (RESOLVE_IN_ROOT).
struct DirectoryTarget: UnpackTarget {
    let rootFD: Int32
    func directory(_ path: String) throws -> Int32 {
        var created = false
        return try CopyInto.directoryInRoot(rootFD, path, created: &created)
    }
    func written(_ path: String) -> Int32 { sb_open_in_root(rootFD, path, SB_O_PATH) }
}

enum AddSources {
    /// Does the file start like an archive ADD unpacks?
    static func isArchive(_ fd: Int32) -> Bool {
        var head = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &head, head.count, 0)
        guard n > 0 else { return false }
        let magic: [[UInt8]] = [[0x1f, 0x8b], [0x42, 0x5a, 0x68], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x28, 0xb5, 0x2f, 0xfd]]
        if magic.contains(where: { head.starts(with: $0) }) { return true }
        // An uncompressed tar: "ustar" at offset 257.
        return n >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }

    /// Unpack the archive open at `fd` into `destination` (absolute, in the target).
    static func unpack(_ fd: Int32, into destination: String, target: UnpackTarget, owner: (uid: UInt32, gid: UInt32)?, what: String) throws {
        guard let a = archive_read_new() else { throw BuildError("libarchive: out of memory") }
        defer { archive_read_free(a) }
        archive_read_support_filter_all(a)
        archive_read_support_format_tar(a)
        archive_read_support_format_gnutar(a)
        lseek(fd, 0, SEEK_SET)
        guard archive_read_open_fd(a, fd, 64 * 1024) == ARCHIVE_OK else {
            throw BuildError("ADD \(what): not a readable archive: \(String(cString: archive_error_string(a)))")
        }
        var entry: OpaquePointer?
        var buffer = [UInt8](repeating: 0, count: 128 * 1024)
        while true {
            let rc = archive_read_next_header(a, &entry)
            if rc == ARCHIVE_EOF { break }
            guard rc == ARCHIVE_OK || rc == ARCHIVE_WARN, let entry else {
                throw BuildError("ADD \(what): \(String(cString: archive_error_string(a)))")
            }
            guard let raw = archive_entry_pathname(entry).map({ String(cString: $0) }), let rel = CopySources.clean(raw), !rel.isEmpty else {
                continue   // "./" itself, or an entry that climbs out: never written
            }
            let path = destination + "/" + rel
            let parentPath = CopyInto.parent(of: path)
            let name = String(rel.split(separator: "/").last!)
            let dir: Int32
            do { dir = try target.directory(parentPath) } catch let e as BuildError {
                throw BuildError("ADD \(what): \(raw): \(e.message)")
            }
            defer { close(dir) }
            let mode = mode_t(archive_entry_perm(entry))
            let uid = owner?.uid ?? UInt32(truncatingIfNeeded: archive_entry_uid(entry))
            let gid = owner?.gid ?? UInt32(truncatingIfNeeded: archive_entry_gid(entry))
            // Whatever is in the way goes, except a directory where a directory comes.
            var st = stat()
            let type = archive_entry_filetype(entry)
            let isDir = type == UInt32(Glibc.S_IFDIR)
            if fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0, !(isDir && st.st_mode & S_IFMT == S_IFDIR) {
                if st.st_mode & S_IFMT == S_IFDIR { try? FileSystem.removeTree("/proc/self/fd/\(dir)/\(name)") } else { unlinkat(dir, name, 0) }
            }
            if let link = archive_entry_hardlink(entry).map({ String(cString: $0) }) {
                guard let linked = CopySources.clean(link) else { continue }
                let src = target.written(destination + "/" + linked)
                guard src >= 0 else { throw BuildError("ADD \(what): \(raw) links to \(link), which is not in the archive before it") }
                defer { close(src) }
                guard linkat(src, "", dir, name, 0x1000 /* AT_EMPTY_PATH */) == 0 else { throw KernelError("linkat", [path]) }
                continue
            }
            switch type {
            case UInt32(Glibc.S_IFDIR):
                guard mkdirat(dir, name, 0o700) == 0 || errno == EEXIST else { throw KernelError("mkdirat", [path]) }
                _ = fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW)
                _ = fchmodat(dir, name, mode, 0)
            case UInt32(Glibc.S_IFLNK):
                guard let linkTarget = archive_entry_symlink(entry) else { continue }
                guard symlinkat(linkTarget, dir, name) == 0 else { throw KernelError("symlinkat", [path]) }
                _ = fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW)
            case UInt32(Glibc.S_IFREG):
                let out = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard out >= 0 else { throw KernelError("openat", [path]) }
                defer { close(out) }
                while true {
                    let n = buffer.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                    if n < 0 { throw BuildError("ADD \(what): \(String(cString: archive_error_string(a)))") }
                    if n == 0 { break }
                    let w = buffer.withUnsafeBytes { write(out, $0.baseAddress, n) }
                    guard w == n else { throw KernelError("write", [path]) }
                }
                guard fchown(out, uid, gid) == 0, fchmod(out, mode) == 0 else { throw KernelError("fchown", [path]) }
                var times = [timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry)),
                             timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry))]
                _ = futimens(out, &times)
            default:
                continue   // devices and FIFOs in an ADDed archive are left out, as rootless builders do
            }
        }
    }

    /// Download `url` into `directory` as `name`; its SHA-256 ("sha256:…"), checked
    /// against `checksum` when given.
    static func download(_ url: String, to directory: String, name: String, checksum: String?) throws -> String {
        guard let parsed = HTTPURL(url) else { throw BuildError("ADD \(url): not a URL") }
        let path = directory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KernelError("open", [path]) }
        defer { close(fd) }
        var hasher = SHA256Hasher()
        let response: HTTPResponse
        do {
            response = try HTTPClient().send("GET", parsed) { chunk in
                hasher.update(chunk)
                guard write(fd, chunk.baseAddress, chunk.count) == chunk.count else { throw KernelError("write", [path]) }
            }
        } catch {
            throw BuildError("ADD \(url): \(error)")
        }
        guard response.status == 200 else { throw BuildError("ADD \(url): the server answered \(response.status)") }
        let digest = "sha256:" + hasher.finalizeHex()
        if let checksum, checksum != digest {
            throw BuildError("ADD \(url): checksum mismatch: expected \(checksum), got \(digest)")
        }
        return digest
    }
}
