// Linux capabilities by name (capabilities(7)). The numbers are the kernel's ABI
// (include/uapi/linux/capability.h).
import SwiftboxKernel

public enum SecurityError: Error, Equatable, CustomStringConvertible {
    case unknownCapability(String, set: String)
    case seccomp(String)

    public var description: String {
        switch self {
        case .unknownCapability(let n, let set): return "process.capabilities.\(set): unknown capability \"\(n)\""
        case .seccomp(let m): return "linux.seccomp: \(m)"
        }
    }
}

public enum Capabilities {
    public static let numbers: [String: Int] = [
        "CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3, "CAP_FSETID": 4,
        "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8, "CAP_LINUX_IMMUTABLE": 9,
        "CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11, "CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13,
        "CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15, "CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17,
        "CAP_SYS_CHROOT": 18, "CAP_SYS_PTRACE": 19, "CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21,
        "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23, "CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25,
        "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27, "CAP_LEASE": 28, "CAP_AUDIT_WRITE": 29,
        "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31, "CAP_MAC_OVERRIDE": 32, "CAP_MAC_ADMIN": 33,
        "CAP_SYSLOG": 34, "CAP_WAKE_ALARM": 35, "CAP_BLOCK_SUSPEND": 36, "CAP_AUDIT_READ": 37,
        "CAP_PERFMON": 38, "CAP_BPF": 39, "CAP_CHECKPOINT_RESTORE": 40,
    ]

    /// The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap).
    public static func lastCap() -> Int {
        (try? FileSystem.readString("/proc/sys/kernel/cap_last_cap")).flatMap { Int($0.trimmed()) } ?? 40
    }

    /// A set of names as a 64-bit mask. Names are accepted with or without the CAP_
    /// prefix, in any case. Capabilities the running kernel does not know are dropped
    /// (as runc does) so a newer config still runs on an older kernel.
    public static func mask(_ names: [String]?, set: String, lastCap: Int) throws -> UInt64 {
        var mask: UInt64 = 0
        for raw in names ?? [] {
            var name = raw.uppercased()
            if !name.hasPrefix("CAP_") { name = "CAP_" + name }
            guard let n = numbers[name] else { throw SecurityError.unknownCapability(raw, set: set) }
            if n <= lastCap { mask |= 1 << UInt64(n) }
        }
        return mask
    }

    /// The bounding set of this process (/proc/self/status CapBnd): a container cannot get
    /// more. Some hosts (sandboxes, nested containers) lack capabilities such as
    /// CAP_SYS_RESOURCE; asking for them would make capset fail with EPERM.
    public static func ownBoundingSet() -> UInt64 {
        guard let text = try? FileSystem.readString("/proc/self/status") else { return ~0 }
        for line in text.split(separator: "\n") where line.hasPrefix("CapBnd:") {
            return UInt64(String(line.dropFirst(7)).trimmed(), radix: 16) ?? ~0
        }
        return ~0
    }

    public static func names(_ mask: UInt64) -> [String] {
        numbers.filter { mask & (1 << UInt64($0.value)) != 0 }.sorted { $0.value < $1.value }.map(\.key)
    }
}
