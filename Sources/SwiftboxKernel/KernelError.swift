// One error type for every failed system call: the call, its arguments in symbolic
// form and the errno, e.g. `mount(proc, /run/…/rootfs/proc, proc, MS_NOSUID): EPERM`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public struct KernelError: Error, Equatable, CustomStringConvertible {
    public var call: String
    public var arguments: [String]
    public var errno: Int32

    public init(_ call: String, _ arguments: [String] = [], errno: Int32 = Glibc.errno) {
        self.call = call
        self.arguments = arguments
        self.errno = errno
    }

    public var description: String {
        "\(call)(\(arguments.joined(separator: ", "))): \(Errno.name(errno)) (\(Errno.message(errno)))"
    }
}

public enum Errno {
    static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", E2BIG: "E2BIG",
        ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
        EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV",
        ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE",
        EMFILE: "EMFILE", ENOTTY: "ENOTTY", ETXTBSY: "ETXTBSY", ENOSPC: "ENOSPC", EROFS: "EROFS",
        EPIPE: "EPIPE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY",
        ELOOP: "ELOOP", EOPNOTSUPP: "EOPNOTSUPP", ENXIO: "ENXIO", ECONNREFUSED: "ECONNREFUSED",
    ]

    public static func name(_ e: Int32) -> String { names[e] ?? "errno \(e)" }
    public static func message(_ e: Int32) -> String { String(cString: strerror(e)) }
}
