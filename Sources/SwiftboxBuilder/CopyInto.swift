// COPY's and ADD's writes, into the step's root file system (an overlay whose upper
// directory becomes the new layer), by Docker's rules:
//   - a directory source copies its contents, not itself;
//   - a file source lands in DEST/ when DEST ends with "/" or is a directory there,
//     otherwise it is DEST;
//   - several sources need a DEST that ends with "/";
//   - a relative DEST is below WORKDIR; missing directories are made (0755);
//   - files from the context are owned by 0:0, those from a stage or image keep their
//     owners, unless --chown; --chmod sets the mode of what is copied.
// The destination is resolved inside the root file system (RESOLVE_IN_ROOT): an
// image's symlink cannot turn a COPY into a write on the host. Existing files are
// replaced; an existing directory is merged into.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel

struct CopyRequest {
    var sources: [SelectedSource]
    var root: SourceRoot
    /// Absolute, as the container sees it (WORKDIR applied).
    var destination: String
    /// DEST ended with "/".
    var destinationIsDirectory: Bool
    var owner: (uid: UInt32, gid: UInt32)?
    var mode: mode_t?
    /// The layer the same COPY made last time (its snapshot directory), if any: a file
    /// that comes out the same as there is linked from it (CopyReuse).
    var previousLayer: String? = nil
}

enum CopyInto {
    /// The copies, written into the layer's own directory (DirectLayer): paths are
    /// resolved in the view of the layers below.
    static func run(_ request: CopyRequest, into layer: DirectLayer) throws {
        let multiple = request.sources.count > 1
        if multiple && !request.destinationIsDirectory {
            throw BuildError("When using COPY with more than one source file, the destination must be a directory and end with a /")
        }
        var existing = stat()
        let destFD = sb_open_in_root(layer.viewFD, request.destination, O_RDONLY)
        let destIsDir = destFD >= 0 && fstat(destFD, &existing) == 0 && existing.st_mode & S_IFMT == S_IFDIR
        if destFD >= 0 { close(destFD) }
        let previous = request.previousLayer.map { Glibc.open($0, SB_O_PATH | O_DIRECTORY | O_CLOEXEC) } ?? -1
        defer { if previous >= 0 { close(previous) } }
        for source in request.sources {
            let srcFD = try CopySources.openInRoot(request.root, source.relative, O_RDONLY | (source.isDirectory ? O_DIRECTORY : 0))
            guard srcFD >= 0 else { throw BuildError("\"/\(source.relative)\": not found in the \(request.root.what)") }
            defer { close(srcFD) }
            var st = stat()
            fstat(srcFD, &st)
            var walk = Walk(request: request)
            if source.isDirectory {
                let canonical = layer.canonical(request.destination)
                let (dir, new) = try layer.upperDirectory(canonical)
                defer { close(dir) }
                let reuse = CopyReuse.directory(previous, canonical)
                defer { if reuse >= 0 { close(reuse) } }
                try walk.contents(of: srcFD, relative: source.relative, into: dir, previous: reuse)
                if new { try walk.attributes(st, fd: dir, what: request.destination) }
            } else {
                let intoDirectory = request.destinationIsDirectory || destIsDir
                let base = source.relative.split(separator: "/").last.map(String.init) ?? source.relative
                let target = intoDirectory ? request.destination : parent(of: request.destination)
                let name = intoDirectory ? base : String(request.destination.split(separator: "/").last ?? "")
                guard !name.isEmpty else { throw BuildError("cannot copy to \(request.destination)") }
                let canonical = layer.canonical(target)
                let (dir, _) = try layer.upperDirectory(canonical)
                defer { close(dir) }
                let reuse = CopyReuse.directory(previous, canonical)
                defer { if reuse >= 0 { close(reuse) } }
                try walk.file(from: srcFD, st: st, to: dir, name: name, what: target + "/" + name, previous: reuse)
            }
        }
    }

    static func parent(of path: String) -> String {
        let parts = path.split(separator: "/")
        return "/" + parts.dropLast().joined(separator: "/")
    }

    /// An O_RDONLY descriptor of the directory `path` inside the root, made if missing.
    static func directoryInRoot(_ rootFD: Int32, _ path: String, created: inout Bool) throws -> Int32 {
        var fd = sb_open_in_root(rootFD, path, O_RDONLY | O_DIRECTORY)
        if fd < 0 && errno == ENOENT {
            let made = sb_mkdir_all_in_root(rootFD, path, 0)
            guard made >= 0 else { throw KernelError("mkdir", [path]) }
            close(made)
            created = true
            fd = sb_open_in_root(rootFD, path, O_RDONLY | O_DIRECTORY)
        }
        guard fd >= 0 else {
            if errno == ENOTDIR { throw BuildError("cannot copy to \(path): not a directory") }
            throw KernelError("openat2", [path, "RESOLVE_IN_ROOT"])
        }
        return fd
    }

    struct Walk {
        let request: CopyRequest
        var createdTop = false
        var buffer = [UInt8](repeating: 0, count: 128 * 1024)

        init(request: CopyRequest) { self.request = request }

        func owner(_ st: stat) -> (uid_t, gid_t) {
            if let o = request.owner { return (o.uid, o.gid) }
            return request.root.keepOwners ? (st.st_uid, st.st_gid) : (0, 0)
        }

        func attributes(_ st: stat, fd: Int32, what: String) throws {
            let (uid, gid) = owner(st)
            guard fchown(fd, uid, gid) == 0 else { throw KernelError("fchown", [what]) }
            guard fchmod(fd, request.mode ?? (st.st_mode & 0o7777)) == 0 else { throw KernelError("fchmod", [what]) }
            var times = [st.st_atim, st.st_mtim]
            _ = futimens(fd, &times)
        }

        /// Make room for a new entry `name` in `dir`: a file or link there goes; a
        /// directory stays only when a directory comes (then it is merged into).
        func clear(_ dir: Int32, _ name: String, forDirectory: Bool, what: String) throws {
            var st = stat()
            guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
            if st.st_mode & S_IFMT == S_IFDIR {
                if forDirectory { return }
                throw BuildError("cannot replace the directory \(what) with a file")
            }
            guard unlinkat(dir, name, 0) == 0 else { throw KernelError("unlinkat", [what]) }
        }

        mutating func contents(of src: Int32, relative: String, into dst: Int32, previous: Int32 = -1) throws {
            for name in FileSystem.listDirectory(fd: src).sorted() {
                let rel = relative.isEmpty ? name : relative + "/" + name
                let ignore = request.root.ignore
                if let ignore, ignore.isExcluded(rel), !ignore.mayIncludeBelow(rel) { continue }
                let excluded = ignore?.isExcluded(rel) ?? false
                var st = stat()
                guard fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw KernelError("fstatat", [rel]) }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    try clear(dst, name, forDirectory: true, what: rel)
                    guard mkdirat(dst, name, 0o755) == 0 || errno == EEXIST else { throw KernelError("mkdirat", [rel]) }
                    let s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard s >= 0 else { throw KernelError("openat", [rel]) }
                    defer { close(s) }
                    let d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard d >= 0 else { throw KernelError("openat", [rel]) }
                    defer { close(d) }
                    let p = previous >= 0 ? openat(previous, name, SB_O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1
                    defer { if p >= 0 { close(p) } }
                    try contents(of: s, relative: rel, into: d, previous: p)
                    // A directory kept only for something re-included below it is made,
                    // but with default attributes (BuildKit does the same).
                    if !excluded { try attributes(st, fd: d, what: rel) }
                case S_IFREG where !excluded:
                    let s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                    guard s >= 0 else { throw KernelError("openat", [rel]) }
                    defer { close(s) }
                    try file(from: s, st: st, to: dst, name: name, what: rel, previous: previous)
                case S_IFLNK where !excluded:
                    var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                    let n = readlinkat(src, name, &target, target.count - 1)
                    guard n >= 0 else { throw KernelError("readlinkat", [rel]) }
                    target[n] = 0
                    try clear(dst, name, forDirectory: false, what: rel)
                    guard symlinkat(target, dst, name) == 0 else { throw KernelError("symlinkat", [rel]) }
                    let (uid, gid) = owner(st)
                    _ = fchownat(dst, name, uid, gid, AT_SYMLINK_NOFOLLOW)
                case S_IFCHR, S_IFBLK, S_IFIFO:
                    guard !excluded else { continue }
                    try clear(dst, name, forDirectory: false, what: rel)
                    guard mknodat(dst, name, st.st_mode, st.st_rdev) == 0 else { throw KernelError("mknodat", [rel]) }
                    let (uid, gid) = owner(st)
                    _ = fchownat(dst, name, uid, gid, AT_SYMLINK_NOFOLLOW)
                default:
                    continue   // sockets, and what .dockerignore excludes
                }
            }
        }

        mutating func file(from src: Int32, st: stat, to dir: Int32, name: String, what: String, previous: Int32 = -1) throws {
            try clear(dir, name, forDirectory: false, what: what)
            let (uid, gid) = owner(st)
            if previous >= 0 && CopyReuse.link(from: previous, name, to: dir, ifSameAs: src, st, uid: uid, gid: gid,
                                               mode: request.mode ?? (st.st_mode & 0o7777), buffer: &buffer) {
                return
            }
            let d = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard d >= 0 else { throw KernelError("openat", [what, "O_CREAT|O_EXCL"]) }
            defer { close(d) }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(src, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; throw KernelError("read", [what]) }
                if n == 0 { break }
                var off = 0
                while off < n {
                    let w = buffer.withUnsafeBytes { write(d, $0.baseAddress! + off, n - off) }
                    if w < 0 { if errno == EINTR { continue }; throw KernelError("write", [what]) }
                    off += w
                }
            }
            try attributes(st, fd: d, what: what)
        }
    }
}
