// A container start as data: the ordered kernel operations the first process of the
// container performs between clone(2) and execve(2), plus what the parent does around
// them. `swiftbox oci run --dry-run` prints it; the C executor (CShim) runs it.
import SwiftboxCgroup
import SwiftboxOCI
import SwiftboxSecurity

public enum LaunchOp: Equatable, Sendable {
    case setns(path: String, type: NamespaceKind)
    case waitParent
    case unshare(NamespaceKind)
    case setPropagation(flags: UInt, name: String)
    case bindRootfs(path: String)
    case mount(MountOp)
    case mknod(path: String, type: Character, major: Int64, minor: Int64, mode: UInt32, uid: UInt32, gid: UInt32)
    case symlink(target: String, path: String)
    case openExecFifo(path: String)
    case pivotRoot
    case writeFile(path: String, content: String)
    case maskPath(String)
    case readonlyPath(String)
    case remountRootReadonly
    case sethostname(String)
    case setdomainname(String)
    case setrlimit(name: String, resource: Int32, soft: UInt64, hard: UInt64)
    case console(socketFD: Int32, rows: UInt, columns: UInt)
    case noNewPrivileges
    case seccomp(SeccompProgram)
    case dropBounding(keep: UInt64, lastCap: Int)
    case keepCaps(Bool)
    case setgroups([UInt32])
    case setresgid(UInt32)
    case setresuid(UInt32)
    case capset(effective: UInt64, permitted: UInt64, inheritable: UInt64)
    case ambient(UInt64)
    case umask(UInt32)
    /// The working directory while still the runtime's user, as runc does: a directory
    /// the container's user may not reach (`-u 1000 -w /root/x`) works; on EACCES or
    /// EPERM the later `chdir` tries again as that user, else it is skipped.
    case chdirBeforeUser(String)
    case chdir(String)
    case closeFDs(from: Int32)
    case waitStart
    case exec(path: String, args: [String], env: [String])
    /// Write "0" to `tasks` of the container's cgroup in each v1 hierarchy (the parent
    /// opens the files; see SB_OP_JOIN_CGROUPS for why the child does the write).
    case joinCgroups(hierarchies: [String])
    /// Fork: PID 1 stays a minimal init (forwards signals, reaps zombies), the child execs.
    case initProcess
    /// Make the mount the rootfs lives on private (not recursive): pivot_root(2) refuses
    /// a new root whose parent mount is shared, which it is after rootfsPropagation
    /// "shared" made / rshared.
    case makeParentMountPrivate(path: String)
    /// No mount namespace of the container's own: chroot(2) into the rootfs.
    case chrootRootfs
    /// `ip link set lo up` in a network namespace the clone created: a new namespace's
    /// loopback is down (runc and crun bring it up too; Docker has it up in every mode).
    case loopbackUp
}

/// One mount(2) inside the rootfs.
public struct MountOp: Equatable, Sendable {
    public var source: String
    /// Destination inside the rootfs (an absolute container path).
    public var destination: String
    public var fsType: String
    public var flags: UInt
    public var data: String
    /// MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (+MS_REC), applied after the mount.
    public var propagation: UInt
    /// For bind mounts of a file: the target must be a file, not a directory.
    public var targetIsFile: Bool
}

public enum NamespaceKind: String, CaseIterable, Equatable, Sendable {
    case pid, network, mount, ipc, uts, user, cgroup, time

    /// The CLONE_NEW* flag (sched.h).
    public var cloneFlag: UInt {
        switch self {
        case .mount: return 0x0002_0000
        case .uts: return 0x0400_0000
        case .ipc: return 0x0800_0000
        case .user: return 0x1000_0000
        case .pid: return 0x2000_0000
        case .network: return 0x4000_0000
        case .cgroup: return 0x0200_0000
        case .time: return 0x0000_0080
        }
    }

    public var flagName: String {
        switch self {
        case .mount: return "CLONE_NEWNS"
        case .uts: return "CLONE_NEWUTS"
        case .ipc: return "CLONE_NEWIPC"
        case .user: return "CLONE_NEWUSER"
        case .pid: return "CLONE_NEWPID"
        case .network: return "CLONE_NEWNET"
        case .cgroup: return "CLONE_NEWCGROUP"
        case .time: return "CLONE_NEWTIME"
        }
    }

    /// The file name under /proc/PID/ns.
    public var procName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }
}

public struct JoinedNamespace: Equatable, Sendable {
    public var path: String
    public var type: NamespaceKind
    public init(path: String, type: NamespaceKind) { self.path = path; self.type = type }
}

public struct LaunchPlan: Equatable, Sendable {
    /// Namespaces created by clone(2).
    public var cloneNamespaces: [NamespaceKind]
    /// A pid namespace to join (setns in the parent's thread before clone).
    public var joinPidNamespace: String?
    /// Namespaces joined by path while a new user namespace is created: the parent's
    /// thread enters them for the clone and leaves them after (Launcher), because the
    /// child, once in its new user namespace, holds no capability over namespaces the
    /// host's user namespace owns (setns would fail with EPERM/EACCES). runc's nsexec
    /// likewise joins first and unshares the user namespace after.
    public var joinBeforeClone: [JoinedNamespace] = []
    /// The cgroup path (relative to each hierarchy's root) the parent places the child in.
    public var cgroupPath: String?
    /// The cgroup2 mount the child is cloned into (CLONE_INTO_CGROUP), if the host has one.
    public var cgroupV2Mount: String?
    /// fds 3 … 3+preserveFDs-1 of the caller are passed on to the container (runc's --preserve-fds).
    public var preserveFDs: Int32 = 0
    /// linux.uidMappings/gidMappings of a new user namespace: written by the parent to
    /// /proc/PID/uid_map and gid_map while the child waits (user_namespaces(7)).
    public var uidMappings: [RuntimeSpec.IDMapping] = []
    public var gidMappings: [RuntimeSpec.IDMapping] = []
    /// Set when the config has no mount namespace: the rootfs path on the host, under
    /// which the container's mounts are made in the host's namespace (unmounted on delete).
    public var hostMountRoot: String?
    public var ops: [LaunchOp]
    /// linux.resources as cgroup file writes, done by the parent before the clone.
    public var resources = ResourcePlan()
    /// `exec`: the child joins a container that is already running.
    public var joinsRunningContainer = false

    /// Will the child be visible to a running container's processes before its execve?
    /// Then /proc/PID/exe must not lead to the host's binary (SealedExecutable).
    public var entersRunningContainer: Bool { joinsRunningContainer || joinPidNamespace != nil }

    public var cloneFlags: UInt { cloneNamespaces.reduce(0) { $0 | $1.cloneFlag } }

    /// The plan as numbered lines, parent steps included: what --dry-run prints.
    public var lines: [String] {
        var out: [String] = []
        if let p = joinPidNamespace { out.append("parent: setns(\(p), CLONE_NEWPID)") }
        for ns in joinBeforeClone { out.append("parent: setns(\(ns.path), \(ns.type.flagName)) for the clone, then back") }
        if let c = cgroupPath {
            out.append("parent: mkdir \(c) in each cgroup hierarchy")
            out += resources.lines(path: c)
        }
        var flags = cloneNamespaces.map(\.flagName)
        if let v2 = cgroupV2Mount, let c = cgroupPath {
            out.append("parent: clone3(\((flags + ["CLONE_INTO_CGROUP"]).joined(separator: "|")), cgroup=\(v2)\(c), exit_signal=SIGCHLD)")
        } else {
            flags.append("SIGCHLD")
            out.append("parent: clone(\(flags.joined(separator: "|")))")
        }
        if !uidMappings.isEmpty || !gidMappings.isEmpty {
            out.append("parent: write(/proc/PID/gid_map, \"\(IDMap.text(gidMappings).split(separator: "\n").joined(separator: "\\n"))\")")
            out.append("parent: write(/proc/PID/uid_map, \"\(IDMap.text(uidMappings).split(separator: "\n").joined(separator: "\\n"))\")")
        }
        if ops.contains(.waitParent) { out.append("parent: release the child (sync pipe) at each wait") }
        for (i, op) in ops.enumerated() { out.append("child[\(i)]: \(op.description)") }
        return out
    }
}
