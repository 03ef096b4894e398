// Unix stream sockets in the abstract namespace ("\0name"): used between a container's
// monitor and the CLIs that attach to it.
#if canImport(Glibc)
import Glibc
#endif

public enum UnixSocket {
    static func address(_ name: String) -> (sockaddr_un, socklen_t) {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8.prefix(100))
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            buf[0] = 0   // abstract: a leading NUL byte
            for (i, b) in bytes.enumerated() { buf[i + 1] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
        return (addr, len)
    }

    public static func listen(_ name: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KernelError("socket", ["AF_UNIX"]) }
        var (addr, len) = address(name)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard rc == 0, Glibc.listen(fd, 8) == 0 else { let e = errno; close(fd); throw KernelError("bind", ["@" + name], errno: e) }
        return fd
    }

    public static func connect(_ name: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KernelError("socket", ["AF_UNIX"]) }
        var (addr, len) = address(name)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, len) } }
        guard rc == 0 else { let e = errno; close(fd); throw KernelError("connect", ["@" + name], errno: e) }
        return fd
    }

    /// accept(2), marking the new descriptor close-on-exec.
    public static func accept(_ listener: Int32) -> Int32 {
        let fd = Glibc.accept(listener, nil, nil)
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fd
    }

    public static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw KernelError("socketpair", ["AF_UNIX"])
        }
        return (fds[0], fds[1])
    }
}
