// The seccomp profile a container gets unless told otherwise, modelled on the facts of
// Docker's default profile (written here from those facts, not copied):
//   - an allowlist: every system call this libseccomp knows for the architecture, minus
//     the ones below; anything else (including calls newer than libseccomp) fails with
//     EPERM;
//   - calls that are only allowed when the container has the capability that guards them
//     (mount with CAP_SYS_ADMIN, reboot with CAP_SYS_BOOT, …);
//   - calls never allowed by default (keyctl, bpf, userfaultfd, io_uring, …);
//   - clone only without namespace flags (unless CAP_SYS_ADMIN), clone3 answered with
//     ENOSYS so C libraries fall back to clone, personality only with harmless personas.
#if canImport(Glibc)
import Glibc
#endif
import CSeccomp
import SwiftboxOCI

public enum DefaultSeccompProfile {
    /// Allowed only when the container holds the capability.
    public static let gatedByCapability: [String: [String]] = [
        "CAP_SYS_ADMIN": ["mount", "umount", "umount2", "unshare", "setns", "pivot_root", "swapon", "swapoff", "quotactl",
                          "quotactl_fd", "lookup_dcookie", "fanotify_init", "name_to_handle_at", "sethostname",
                          "setdomainname", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
                          "mount_setattr", "vm86", "vm86old"],
        "CAP_SYS_BOOT": ["reboot", "kexec_load", "kexec_file_load"],
        "CAP_SYS_MODULE": ["init_module", "finit_module", "delete_module"],
        "CAP_SYS_PACCT": ["acct"],
        "CAP_SYS_PTRACE": ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev"],
        "CAP_SYS_RAWIO": ["iopl", "ioperm"],
        "CAP_SYS_TIME": ["settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime", "clock_adjtime64"],
        "CAP_SYS_TTY_CONFIG": ["vhangup"],
        "CAP_SYS_NICE": ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", "move_pages"],
        "CAP_SYSLOG": ["syslog"],
        "CAP_BPF": ["bpf"],
        "CAP_PERFMON": ["perf_event_open"],
        "CAP_DAC_READ_SEARCH": ["open_by_handle_at"],
    ]

    /// Never allowed by the default profile.
    public static let denied = [
        "keyctl", "add_key", "request_key", "userfaultfd", "uselib", "ustat", "sysfs", "_sysctl", "nfsservctl",
        "create_module", "get_kernel_syms", "query_module", "io_uring_setup", "io_uring_enter", "io_uring_register",
        "afs_syscall", "tuxcall", "security", "getpmsg", "putpmsg", "vserver",
    ]

    /// Special cases handled with argument filters or their own action.
    static let special: Set<String> = ["clone", "clone3", "personality"]

    /// CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET.
    static let namespaceFlags: UInt64 = 0x7E02_0000

    public static func make(capabilities: [String]) -> RuntimeSpec.Seccomp {
        let caps = Set(capabilities)
        var blocked = Set(denied).union(special)
        for (cap, calls) in gatedByCapability where !caps.contains(cap) { blocked.formUnion(calls) }
        // CAP_SYS_ADMIN also covers bpf and perf_event_open on kernels that predate CAP_BPF/CAP_PERFMON.
        if caps.contains("CAP_SYS_ADMIN") { blocked.subtract(["bpf", "perf_event_open"]) }
        let allowed = knownSyscalls().filter { !blocked.contains($0) }.sorted()
        var rules: [RuntimeSpec.Syscall] = [.init(names: allowed, action: "SCMP_ACT_ALLOW")]
        if caps.contains("CAP_SYS_ADMIN") {
            rules.append(.init(names: ["clone", "clone3"], action: "SCMP_ACT_ALLOW"))
        } else {
            rules.append(.init(names: ["clone"], action: "SCMP_ACT_ALLOW",
                               args: [.init(index: 0, value: namespaceFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")]))
            rules.append(.init(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38))   // ENOSYS
        }
        for persona: UInt64 in [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff] {
            rules.append(.init(names: ["personality"], action: "SCMP_ACT_ALLOW", args: [.init(index: 0, value: persona, op: "SCMP_CMP_EQ")]))
        }
        return RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
                                   architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], syscalls: rules)
    }

    /// Every system call name libseccomp knows for the native architecture. Numbers are
    /// dense with a few gaps (x86_64: 0-456, the longest gap 89 numbers): the scan stops
    /// after 256 unknown numbers in a row instead of asking about all 1024 (each answer
    /// is a search of libseccomp's table; ~0.1 ms of a start for the numbers past the end).
    static func knownSyscalls() -> [String] {
        var names = Set<String>()
        let arch = seccomp_arch_native()
        var unknownInARow = 0
        for nr in 0..<1024 where unknownInARow < 256 {
            if let p = seccomp_syscall_resolve_num_arch(arch, Int32(nr)) {
                names.insert(String(cString: p))
                free(p)
                unknownInARow = 0
            } else {
                unknownInARow += 1
            }
        }
        return Array(names)
    }
}
