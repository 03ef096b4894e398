// The unit of a resource plan: one value written to one file of one controller. The
// drivers (CgroupV1Driver, CgroupV2Driver) turn OCI linux.resources into a list of
// these without touching the host, so the mapping is golden-tested without root and
// `--dry-run` can print exactly what would be written.
import SwiftboxOCI

public typealias LinuxResources = RuntimeSpec.Linux.Resources

/// The controllers swiftbox sets limits through. `io` is v2's name; v1 calls it blkio.
public enum ResourceController: String, CaseIterable, Equatable, Sendable {
    case memory, cpu, cpuset, pids, io, hugetlb, netCls, netPrio, rdma

    /// The name a cgroup v1 mount carries in its options (and in /proc/PID/cgroup).
    public var v1Name: String {
        switch self {
        case .io: return "blkio"
        case .netCls: return "net_cls"
        case .netPrio: return "net_prio"
        default: return rawValue
        }
    }
    /// The name in cgroup.controllers / cgroup.subtree_control (net_cls and net_prio
    /// have none: cgroup v2 leaves packet classes to BPF).
    public var v2Name: String { self == .io ? "io" : v1Name }
    /// The config key, for errors: "linux.resources.hugepageLimits: …".
    public var configKey: String {
        switch self {
        case .io: return "linux.resources.blockIO"
        case .cpuset: return "linux.resources.cpu (cpus, mems)"
        case .hugetlb: return "linux.resources.hugepageLimits"
        case .netCls: return "linux.resources.network.classID"
        case .netPrio: return "linux.resources.network.priorities"
        default: return "linux.resources." + rawValue
        }
    }
}

public struct CgroupWrite: Equatable, Sendable, CustomStringConvertible {
    public var controller: ResourceController?
    /// A file in the container's cgroup directory, e.g. "memory.max".
    public var file: String
    public var value: String
    /// Optional files depend on kernel configuration (swap accounting, BFQ weights):
    /// when the file does not exist the write is skipped with a warning, as Docker does.
    public var optional: Bool

    public init(_ controller: ResourceController?, _ file: String, _ value: String, optional: Bool = false) {
        self.controller = controller
        self.file = file
        self.value = value
        self.optional = optional
    }

    public var description: String { "\(file) = \"\(value)\"\(optional ? " (if the kernel has it)" : "")" }
}

public enum ResourceError: Error, Equatable, CustomStringConvertible {
    case controllerMissing(String)
    case invalid(String)
    case writeFailed(file: String, value: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case .controllerMissing(let c):
            let key = ResourceController(rawValue: c).map { " (\($0.configKey))" } ?? ""
            return "\(c)\(key): controller not available on this host"
        case .invalid(let m): return m
        case .writeFailed(let file, let value, _, let message): return "cgroup: writing \"\(value)\" to \(file): \(message)"
        }
    }
}

/// Numbers as the cgroup files spell them.
enum CgroupValue {
    /// v2: negative means no limit, spelled "max".
    static func v2(_ n: Int64) -> String { n < 0 ? "max" : String(n) }
    /// v1: no limit is -1.
    static func v1(_ n: Int64) -> String { n < 0 ? "-1" : String(n) }
}
