// The engine's run-time directory: what lives only as long as a monitor does.
//   /run/swiftbox/engine[-<hash of the root>]/          0700, root's (the owner's) alone
//   /run/swiftbox/engine[-<hash>]/<id>.attach           attach socket (-i/-t), 0600
//   /run/swiftbox/engine[-<hash>]/<id>.resize           terminal size messages (-t), 0600
// Filesystem sockets, never abstract ones: an abstract name is open to every process in
// the host's network namespace (any local user, any `--network host` container). Here
// the directory's mode keeps other users out, the monitor checks each peer's
// credentials (UnixSocket.accept), and a container never sees the path. On tmpfs: a
// reboot, which ends every monitor, clears it. The path is short ("/run/swiftbox/
// engine-" + 12 + "/" + 64 + ".attach" is 104 bytes, under sun_path's 108) whatever
// the state root's length; UnixSocket reaches longer paths through the directory.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

extension Engine {
    /// Make the run directory (and /run/swiftbox, 0711) if needed, and make sure it is
    /// ours and closed to everyone else: a directory someone else made there, or one
    /// others may enter, is refused (or, when ours, closed) before any socket goes in.
    public func makeRunDirectory() throws {
        let dir = runDirectory
        let parent = String(dir[..<(dir.lastIndex(of: "/") ?? dir.endIndex)])
        try FileSystem.makeDirectories(parent, mode: 0o711)
        if mkdir(dir, 0o700) != 0 && errno != EEXIST { throw KernelError("mkdir", [dir]) }
        var st = stat()
        guard lstat(dir, &st) == 0 else { throw KernelError("lstat", [dir]) }
        guard st.st_mode & S_IFMT == S_IFDIR, st.st_uid == geteuid() else {
            throw EngineError.failed("\(dir) is not a directory owned by uid \(geteuid()): refusing to put the attach sockets there")
        }
        if st.st_mode & 0o077 != 0 && chmod(dir, 0o700) != 0 { throw KernelError("chmod", [dir, "0700"]) }
    }

    /// A listening socket in the run directory, made if needed. The directory can vanish
    /// between its mkdir and the bind: a container removed just before leaves a trash
    /// emptier that rmdirs the run directory once it is empty (emptyTrashInBackground).
    /// Then lstat or bind fails with ENOENT, and the directory is made again. (Once a socket is
    /// in it, the rmdir fails: the directory stays.)
    public func listenInRunDirectory(_ path: String) throws -> Int32 {
        var attempt = 0
        while true {
            do {
                try makeRunDirectory()
                return try UnixSocket.listen(path: path)
            } catch let e as KernelError where e.errno == ENOENT && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// The sockets of a container whose monitor is gone (killed, or removing it): a
    /// monitor unlinks its own when it exits normally.
    public func removeSockets(_ id: String) {
        unlink(attachPath(id))
        unlink(resizePath(id))
    }
}
