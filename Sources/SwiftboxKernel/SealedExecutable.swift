// Entering a running container from an executable the container cannot overwrite
// (CVE-2019-5736). A process that joins a running container — `exec`, a health probe,
// a container created into another's pid namespace — is visible to the container's
// processes from its clone to its execve, with /proc/PID/exe leading to our binary; and
// a container whose /bin/sh is `#!/proc/self/exe` makes the kernel run our binary inside
// it. A process there that holds that file open can write to it once we are gone, and
// the next swiftbox anyone runs on the host is theirs.
//
// So such a process first re-executes itself from a sealed view of its executable
// (CShim sealed_exe.c: a detached read-only bind mount, else a sealed memfd copy) and
// only then enters the container; the launcher refuses to enter one otherwise. The
// launch child is also not dumpable until its execve (executor.c).
// docs/oci-runtime.md explains the choice, with measurements.
#if canImport(Glibc)
import Glibc
#endif
import CShim

public enum SealedExecutable {
    /// Set on the re-executed process: "PID PATH", its pid (an execve keeps it: a marker
    /// with our own pid means we already tried) and the host path of the binary.
    public static let markerVariable = "SWIFTBOX_SEALED_EXE"

    public enum Failure: Error, CustomStringConvertible {
        /// Neither a read-only bind mount nor a sealed memfd could be made or executed.
        case cannotSeal(path: String, errno: Int32)
        /// We re-executed, and /proc/self/exe is still writable.
        case notSealedAfterReexec(path: String)
        /// The launcher was asked to enter a running container from a writable executable.
        case unsealedLaunch(path: String)

        public var description: String {
            switch self {
            case .cannotSeal(let path, let e):
                return "cannot re-run \(path) from a sealed copy before entering the container (open_tree/mount_setattr, memfd_create): \(Errno.name(e)) (\(Errno.message(e)))"
            case .notSealedAfterReexec(let path):
                return "\(path) still runs from a writable file after re-executing from a sealed copy"
            case .unsealedLaunch(let path):
                return "refusing to enter a running container from \(path): a process in the container could overwrite it (CVE-2019-5736); swiftbox re-runs itself from a sealed copy first, so this is a bug"
            }
        }
    }

    /// Is our executable safe to show a container? True on a read-only mount or file
    /// system, or as a write-sealed memfd.
    public static var isSealed: Bool { sb_exe_is_sealed() == 1 }

    /// The binary's path on the host, for starting helpers (monitors, the DNS server):
    /// /proc/self/exe names a sealed view by a path that means nothing on the host.
    public static var hostPath: String {
        if let marker = marker(), isSealed { return marker.path }
        return FileSystem.readLink("/proc/self/exe") ?? "/proc/self/exe"
    }

    /// Return when this process runs from a sealed executable; otherwise replace it with
    /// `arguments` (argv[0] included) run from a sealed view of its own executable, with
    /// the same environment, descriptors and working directory — so this returns only
    /// by throwing. Call it before any side effect: the new process starts over.
    public static func ensure(rerun arguments: [String]) throws {
        if isSealed { return }
        let path = FileSystem.readLink("/proc/self/exe") ?? "/proc/self/exe"
        if let marker = marker(), marker.pid == getpid() { throw Failure.notSealedAfterReexec(path: marker.path) }
        var environment: [String] = []
        var e = environ
        while let entry = e.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix(markerVariable + "=") { environment.append(text) }
            e += 1
        }
        environment.append("\(markerVariable)=\(getpid()) \(path)")
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var method: Int32 = 0
        _ = sb_exec_sealed(&argv, &envp, &method)
        throw Failure.cannotSeal(path: path, errno: errno)
    }

    /// The launcher's last line of defence: throws unless we run sealed.
    public static func require() throws {
        guard isSealed else { throw Failure.unsealedLaunch(path: FileSystem.readLink("/proc/self/exe") ?? "/proc/self/exe") }
    }

    static func marker() -> (pid: Int32, path: String)? {
        guard let value = getenv(markerVariable) else { return nil }
        let text = String(cString: value)
        guard let space = text.firstIndex(of: " "), let pid = Int32(text[..<space]) else { return nil }
        return (pid, String(text[text.index(after: space)...]))
    }
}
