// Linux capabilities by name (capabilities(7)), through libcap: the names and numbers
// of the installed library and the running kernel's count, not a table of our own.
import CCap
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
    /// The highest capability the running kernel knows: libcap's cap_max_bits() - 1
    /// (it reads /proc/sys/kernel/cap_last_cap, or probes PR_CAPBSET_READ where that is
    /// missing), so a newer kernel's capabilities are counted, not cut at a table's end.
    public static func lastCap() -> Int { Int(cap_max_bits()) - 1 }

    /// A capability's number by name, as libcap knows it: "CAP_KILL", "kill" and
    /// "cap_kill" alike; "CAP_41" for a number libcap has no name for yet.
    public static func number(_ raw: String) -> Int? {
        var name = raw.lowercased()
        if name.hasPrefix("cap_") { name.removeFirst(4) }
        if let n = Int(name), n >= 0, n < 64 { return n }
        var value: cap_value_t = 0
        guard cap_from_name("cap_" + name, &value) == 0, value >= 0, value < 64 else { return nil }
        return Int(value)
    }

    /// The name libcap gives capability `n`, in the spec's spelling ("CAP_KILL"); a
    /// number it has no name for is "CAP_<n>" (never another capability's name).
    public static func name(_ n: Int) -> String {
        guard let text = cap_to_name(cap_value_t(n)) else { return "CAP_\(n)" }
        defer { cap_free(text) }
        let name = String(cString: text).uppercased()
        return name.hasPrefix("CAP_") ? name : "CAP_" + name
    }

    /// A set of names as a 64-bit mask. Names are accepted with or without the CAP_
    /// prefix, in any case. A name libcap does not know is an error; a capability the
    /// running kernel does not know (above lastCap) is left out, as runc does, so a
    /// newer config still runs on an older kernel — unknownToKernel tells which.
    public static func mask(_ names: [String]?, set: String, lastCap: Int) throws -> UInt64 {
        var mask: UInt64 = 0
        for raw in names ?? [] {
            guard let n = number(raw) else { throw SecurityError.unknownCapability(raw, set: set) }
            if n <= lastCap { mask |= 1 << UInt64(n) }
        }
        return mask
    }

    /// The names in `names` that the running kernel does not know (left out by mask).
    public static func unknownToKernel(_ names: [String]?, lastCap: Int) -> [String] {
        (names ?? []).filter { number($0).map { $0 > lastCap } ?? false }
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
        (0..<64).filter { mask & (1 << UInt64($0)) != 0 }.map(name)
    }
}
