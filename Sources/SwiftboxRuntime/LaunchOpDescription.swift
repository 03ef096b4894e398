// How each launch op reads in --dry-run and --log-level trace: the system call with
// its arguments in symbolic form, so it can be looked up in section 2 of the manual.
import SwiftboxSecurity

extension LaunchOp: CustomStringConvertible {
    public var description: String {
        switch self {
        case .setns(let path, let type): return "setns(\(path), \(type.flagName))"
        case .waitParent: return "wait for the parent (cgroup placed)"
        case .unshare(let kind): return "unshare(\(kind.flagName))"
        case .setPropagation(_, let name): return "mount(NULL, /, NULL, \(name))"
        case .chrootRootfs: return "fchdir(<rootfs>); chroot(.); chdir(/) (no mount namespace: the host's mounts stay)"
        case .makeParentMountPrivate(let path): return "mount(NULL, <the mount \(path) is on>, NULL, MS_PRIVATE)"
        case .bindRootfs(let path): return "mount(\(path), \(path), NULL, MS_BIND|MS_REC); open it as the root"
        case .mount(let m):
            var text = "mount(\(m.source), \(m.destination), \(m.fsType.isEmpty ? "NULL" : m.fsType), \(MountFlags.names(m.flags))"
            if !m.data.isEmpty { text += ", \"\(m.data)\"" }
            text += ")"
            if m.propagation != 0 { text += "; mount(NULL, \(m.destination), NULL, \(MountFlags.names(m.propagation)))" }
            return text
        case .mknod(let path, let type, let major, let minor, let mode, let uid, let gid):
            let kind = type == "b" ? "S_IFBLK" : type == "p" ? "S_IFIFO" : "S_IFCHR"
            return "mknod(\(path), \(kind)|0\(String(mode, radix: 8)), makedev(\(major), \(minor))); chown \(uid):\(gid)"
        case .symlink(let target, let path): return "symlink(\(target), \(path))"
        case .openExecFifo(let path): return "open(\(path), O_RDWR|O_CLOEXEC) (exec fifo)"
        case .pivotRoot: return "pivot_root(., .); umount2(., MNT_DETACH); chdir(/)"
        case .writeFile(let path, let content): return "write(\(path), \"\(content)\")"
        case .maskPath(let p): return "mask \(p) (bind /dev/null, or read-only tmpfs for a directory)"
        case .readonlyPath(let p): return "mount(\(p), \(p), NULL, MS_BIND|MS_REC); remount MS_RDONLY"
        case .remountRootReadonly: return "mount(NULL, /, NULL, MS_BIND|MS_REMOUNT|MS_RDONLY)"
        case .sethostname(let h): return "sethostname(\(h))"
        case .setdomainname(let d): return "setdomainname(\(d))"
        case .setrlimit(let name, _, let soft, let hard): return "setrlimit(\(name), \(soft), \(hard))"
        case .console(let fd, let rows, let cols):
            return "open(/dev/ptmx)\(rows > 0 ? "; TIOCSWINSZ \(rows)x\(cols)" : ""); send the master on the console socket (fd \(fd)); mount(<slave>, /dev/console, NULL, MS_BIND); setsid; TIOCSCTTY; dup2 to 0,1,2"
        case .noNewPrivileges: return "prctl(PR_SET_NO_NEW_PRIVS, 1)"
        case .seccomp(let p): return "seccomp(SECCOMP_SET_MODE_FILTER, \(p.flags), <\(p.instructionCount) BPF instructions>)"
        case .dropBounding(let keep, _): return "prctl(PR_CAPBSET_DROP) for each capability not in [\(Capabilities.names(keep).joined(separator: ","))]"
        case .keepCaps(let on): return "prctl(PR_SET_KEEPCAPS, \(on ? 1 : 0))"
        case .setgroups(let g): return "setgroups([\(g.map(String.init).joined(separator: ","))])"
        case .setresgid(let g): return "setresgid(\(g), \(g), \(g))"
        case .setresuid(let u): return "setresuid(\(u), \(u), \(u))"
        case .capset(let e, let p, let i):
            return "capset(effective=[\(Capabilities.names(e).joined(separator: ","))], permitted=[\(Capabilities.names(p).joined(separator: ","))], inheritable=[\(Capabilities.names(i).joined(separator: ","))])"
        case .ambient(let a): return "prctl(PR_CAP_AMBIENT_RAISE) [\(Capabilities.names(a).joined(separator: ","))]"
        case .umask(let m): return "umask(0\(String(m, radix: 8)))"
        case .chdirBeforeUser(let d): return "chdir(\(d)) before the user switch (EACCES/EPERM: again after it)"
        case .chdir(let d): return "chdir(\(d)) unless done before the user switch"
        case .closeFDs(let from): return "close_range(\(from), ~0, CLOSE_RANGE_CLOEXEC)"
        case .waitStart: return "report created; block on the exec fifo until `start`"
        case .exec(let path, let args, _): return "execve(\(path), [\(args.joined(separator: ", "))])"
        case .initProcess: return "fork(): PID 1 stays as init (forwards signals, reaps zombies); the child goes on"
        case .loopbackUp: return "ioctl(socket(AF_INET), SIOCSIFFLAGS, lo, IFF_UP) (a new network namespace's loopback)"
        case .joinCgroups(let h): return "write(\"0\") to <cgroup>/tasks in \(h.count) cgroup v1 hierarchies (\(h.joined(separator: ", ")))"
        }
    }
}
