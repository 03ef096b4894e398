// COPY and ADD sources: which files a step reads, and a checksum of exactly those.
//
// A source is read from a root: the build context (less what .dockerignore excludes)
// or another stage's or image's file system (`--from`). Paths are cleaned as Go's
// path.Clean does and must stay inside the root; wildcards are matched one component
// at a time (Glob). Nothing is followed out of the root: the named source is opened
// with openat2(RESOLVE_IN_ROOT), and everything below it with O_NOFOLLOW (a symlink is
// copied as a symlink).
//
// The checksum is the step's cache key for its files: every selected entry's path,
// type, mode, size, content (SHA-256) or link target, and, from another stage, owner —
// not modification times, so a fresh checkout of the same files hits the cache.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxDockerfile
import SwiftboxImage
import SwiftboxKernel

struct SourceRoot {
    /// A host directory.
    let path: String
    /// The context's .dockerignore (nil for a stage or image).
    let ignore: DockerIgnore?
    /// From another stage or image: owners are kept (from the context they become 0:0).
    let keepOwners: Bool
    /// "context" or "stage builder" / "image alpine", for errors.
    let what: String
    /// Content hashes of earlier builds.
    var hashes: ChecksumCache? = nil
    /// What names this root in the hash cache: the context's path; for a stage or image,
    /// its top layer's chain ID (its files never change, whatever path shows them).
    var hashKey: String? = nil
}

struct SelectedSource: Equatable {
    /// Relative to the root, cleaned; "" for the root itself.
    var relative: String
    var isDirectory: Bool
}

enum CopySources {
    /// Go's path.Clean of a source relative to the root: nil when it climbs out.
    static func clean(_ path: String) -> String? {
        var parts: [Substring] = []
        for c in path.split(separator: "/") where c != "." {
            if c == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(c)
            }
        }
        return parts.joined(separator: "/")
    }

    /// Each source pattern resolved to what it names (wildcards expanded, sorted).
    static func select(_ sources: [String], in root: SourceRoot) throws -> [SelectedSource] {
        var out: [SelectedSource] = []
        for source in sources {
            guard let rel = clean(source) else {
                throw BuildError("forbidden path outside the build context: \(source)")
            }
            let matches = Glob.hasWildcards(rel) ? try expand(rel, in: root) : [rel]
            if matches.isEmpty { throw BuildError("no source files were specified: \(source) matches nothing in the \(root.what)") }
            for m in matches {
                if let ignore = root.ignore, !m.isEmpty, ignore.isExcluded(m) {
                    if Glob.hasWildcards(rel) { continue }
                    throw BuildError("\"/\(m)\": not found (excluded by .dockerignore)")
                }
                var st = stat()
                guard try statInRoot(root, m, &st) else { throw BuildError("\"/\(m)\": not found in the \(root.what)") }
                out.append(SelectedSource(relative: m, isDirectory: st.st_mode & S_IFMT == S_IFDIR))
            }
        }
        return out
    }

    /// stat of `rel` inside the root (symlinks followed, but only inside it). False: absent.
    static func statInRoot(_ root: SourceRoot, _ rel: String, _ st: inout stat) throws -> Bool {
        let fd = try openInRoot(root, rel, SB_O_PATH)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fstat(fd, &st) == 0
    }

    /// An fd of `rel` inside the root, or -1 when it does not exist.
    static func openInRoot(_ root: SourceRoot, _ rel: String, _ flags: Int32) throws -> Int32 {
        let rootFD = open(root.path, SB_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw KernelError("open", [root.path]) }
        defer { close(rootFD) }
        let fd = sb_open_in_root(rootFD, "/" + rel, flags)
        if fd < 0 && (errno == ENOENT || errno == ENOTDIR) { return -1 }
        guard fd >= 0 else { throw KernelError("openat2", [root.path, rel, "RESOLVE_IN_ROOT"]) }
        return fd
    }

    /// A pattern with wildcards, matched component by component.
    static func expand(_ pattern: String, in root: SourceRoot) throws -> [String] {
        var current = [""]
        for component in pattern.split(separator: "/").map(String.init) {
            var next: [String] = []
            for base in current {
                if !Glob.hasWildcards(component) {
                    next.append(base.isEmpty ? component : base + "/" + component)
                    continue
                }
                let fd = try openInRoot(root, base, O_RDONLY | O_DIRECTORY)
                guard fd >= 0 else { continue }
                defer { close(fd) }
                for name in FileSystem.listDirectory(fd: fd).sorted() where Glob.match(component, name) {
                    next.append(base.isEmpty ? name : base + "/" + name)
                }
            }
            current = next
        }
        return current
    }

    /// The checksum of everything the selected sources copy.
    static func checksum(_ selected: [SelectedSource], in root: SourceRoot) throws -> String {
        var h = SHA256Hasher()
        for s in selected {
            h.update(Array("source \(s.relative)\n".utf8))
            let fd = try openInRoot(root, s.relative, O_RDONLY | (s.isDirectory ? O_DIRECTORY : 0))
            guard fd >= 0 else { throw BuildError("\"/\(s.relative)\": not found in the \(root.what)") }
            defer { close(fd) }
            var st = stat()
            fstat(fd, &st)
            try describe(fd: fd, st: st, rel: s.relative, name: ".", root: root, into: &h)
            if s.isDirectory { try walk(fd, rel: s.relative, root: root, into: &h) }
        }
        return h.finalizeHex()
    }

    static func walk(_ dir: Int32, rel: String, root: SourceRoot, into h: inout SHA256Hasher) throws {
        for name in FileSystem.listDirectory(fd: dir).sorted() {
            let child = rel.isEmpty ? name : rel + "/" + name
            if let ignore = root.ignore, ignore.isExcluded(child), !ignore.mayIncludeBelow(child) { continue }
            var st = stat()
            guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw KernelError("fstatat", [root.path + "/" + child]) }
            let type = st.st_mode & S_IFMT
            let excluded = root.ignore?.isExcluded(child) ?? false
            if type == S_IFDIR {
                let sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard sub >= 0 else { throw KernelError("openat", [root.path + "/" + child]) }
                defer { close(sub) }
                if !excluded { try describe(fd: sub, st: st, rel: child, name: name, root: root, into: &h) }
                try walk(sub, rel: child, root: root, into: &h)
            } else if !excluded {
                try describe(fd: dir, st: st, rel: child, name: name, root: root, into: &h)
            }
        }
    }

    /// One entry's line: path, type and mode, owner (from a stage), size, then its
    /// content's hash or its link target.
    static func describe(fd: Int32, st: stat, rel: String, name: String, root: SourceRoot, into h: inout SHA256Hasher) throws {
        let type = st.st_mode & S_IFMT
        var line = "\(rel) \(String(st.st_mode, radix: 8))"
        if root.keepOwners { line += " \(st.st_uid):\(st.st_gid)" }
        switch type {
        case S_IFREG:
            let key = (root.hashKey ?? root.path) + "/" + rel
            if let known = root.hashes?.lookup(key, st, device: root.hashKey == nil) {
                line += " \(st.st_size) \(known)"
                break
            }
            let file = name == "." ? dup(fd) : openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard file >= 0 else { throw KernelError("openat", [root.path + "/" + rel]) }
            defer { close(file) }
            if name == "." { lseek(file, 0, SEEK_SET) }
            var content = SHA256Hasher()
            try withUnsafeTemporaryAllocation(byteCount: 128 * 1024, alignment: 16) { buf in
                while true {
                    let n = read(file, buf.baseAddress, buf.count)
                    if n < 0 { if errno == EINTR { continue }; throw KernelError("read", [root.path + "/" + rel]) }
                    if n == 0 { break }
                    content.update(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
                }
            }
            let hex = content.finalizeHex()
            root.hashes?.store(key, st, hex, device: root.hashKey == nil)
            line += " \(st.st_size) \(hex)"
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlinkat(fd, name, &target, target.count - 1)
            if n >= 0 { target[n] = 0; line += " -> " + String(cString: target) }
        case S_IFCHR, S_IFBLK:
            line += " dev \(st.st_rdev)"
        default:
            break
        }
        h.update(Array((line + "\n").utf8))
    }
}
