// An exclusive flock(2) on a lock file, held until unlock() (or the process dies: the
// kernel drops flock locks with the last descriptor, so a killed holder never leaves a
// stale lock behind, unlike lock files tested for existence).
#if canImport(Glibc)
import Glibc
#endif

public struct FileLock {
    private let fd: Int32

    /// Open (creating, mode 0600) and lock `path`; blocks while another process holds it.
    public init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KernelError("open", [path, "O_RDWR|O_CREAT"]) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { let e = KernelError("flock", [path, "LOCK_EX"]); close(fd); throw e }
        }
    }

    public func unlock() { close(fd) }
}
