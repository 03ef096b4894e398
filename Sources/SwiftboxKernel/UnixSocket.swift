// Unix stream sockets bound to paths in the filesystem: used between a container's
// monitor and the CLIs that attach to it.
//
// Never the abstract namespace ("\0name"): an abstract socket belongs to a network
// namespace and has no permissions, so any process of any user in the host's network
// namespace — `nobody`, or a `--network host` container — could find it in
// /proc/net/unix and connect. A path is guarded twice: by the permissions of the
// directories on the way (the caller keeps the socket in a 0700 directory, mode 0600),
// and by the credentials the kernel records for the peer (SO_PEERCRED, checked in
// `accept`). A container with its own mount namespace does not see the path at all.
//
// sun_path holds 108 bytes. A longer path is reached through its directory: opened
// O_PATH, then "/proc/self/fd/N/NAME" — the kernel walks the magic link to the
// directory, so the socket is made (or found) where the long path says. Paths that fit
// are bound as they are, so `ss -x` and /proc/net/unix show where the socket lives.
// (unix(7), "Pathname sockets"; proc(5), /proc/pid/fd.)
#if canImport(Glibc)
import Glibc
#endif
import CShim

public enum UnixSocket {
    /// The sockaddr for `path`; `fallbackDir`: an O_PATH descriptor of the path's directory,
    /// opened here when the path is too long (the caller closes it once bound or connected).
    static func address(_ path: String) throws -> (sockaddr_un, socklen_t, fallbackDir: Int32) {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        var short = Array(path.utf8)
        var dirFD: Int32 = -1
        if short.count >= capacity {
            let slash = path.lastIndex(of: "/") ?? path.startIndex
            let dir = slash == path.startIndex ? "/" : String(path[..<slash])
            let name = String(path[path.index(after: slash)...])
            dirFD = open(dir, SB_O_PATH | O_DIRECTORY | O_CLOEXEC)
            guard dirFD >= 0 else { throw KernelError("open", [dir, "O_PATH"]) }
            short = Array("/proc/self/fd/\(dirFD)/\(name)".utf8)
            guard short.count < capacity else {
                close(dirFD)
                throw KernelError("bind", [path], errno: ENAMETOOLONG)
            }
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in short.enumerated() { buf[i] = b }
            buf[short.count] = 0
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + short.count + 1)
        return (addr, len, dirFD)
    }

    /// A listening socket at `path`, mode `mode`. A socket file left there by a process
    /// that died (a killed monitor) is replaced: bind(2) refuses an existing path.
    public static func listen(path: String, mode: mode_t = 0o600) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KernelError("socket", ["AF_UNIX"]) }
        var (addr, len, dirFD) = try address(path)
        defer { if dirFD >= 0 { close(dirFD) } }
        if FileSystem.fileType(path) == S_IFSOCK { unlink(path) }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard rc == 0 else { let e = errno; close(fd); throw KernelError("bind", [path], errno: e) }
        // bind made the file with 0777 & ~umask; the directory keeps others out meanwhile.
        guard chmod(path, mode) == 0, Glibc.listen(fd, 8) == 0 else {
            let e = errno; close(fd); unlink(path); throw KernelError("listen", [path], errno: e)
        }
        return fd
    }

    public static func connect(path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KernelError("socket", ["AF_UNIX"]) }
        var (addr, len, dirFD) = try address(path)
        defer { if dirFD >= 0 { close(dirFD) } }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, len) } }
        guard rc == 0 else { let e = errno; close(fd); throw KernelError("connect", [path], errno: e) }
        return fd
    }

    /// accept(2), marking the new descriptor close-on-exec, and keeping only peers whose
    /// user is root or this process's own effective user: the kernel recorded the peer's
    /// credentials when it connected (SO_PEERCRED, socket(7)), so they cannot be forged.
    /// Anyone else is hung up on at once; -1 then, as for a failed accept.
    public static func accept(_ listener: Int32) -> Int32 {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return -1 }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard let uid = peerUID(fd), uid == 0 || uid == geteuid() else {
            close(fd)
            return -1
        }
        return fd
    }

    /// The user of the process that connected (or created the pair), from SO_PEERCRED.
    public static func peerUID(_ fd: Int32) -> uid_t? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (a GNU extension Swift's
        // Glibc module leaves out): three 32-bit words.
        var cred: [UInt32] = [0, 0, 0]
        var len = socklen_t(12)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0, len == 12 else { return nil }
        return cred[1]
    }

    public static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw KernelError("socketpair", ["AF_UNIX"])
        }
        return (fds[0], fds[1])
    }
}
