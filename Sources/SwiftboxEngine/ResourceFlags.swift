// Docker's resource flags (`run --memory 64m --cpus 0.5 --pids-limit 100 …`) as the
// engine receives them, checked the way dockerd checks them (same limits, same
// messages), and turned into OCI linux.resources. Everything here runs before a
// container is created: a refused flag leaves nothing behind (exit 125).
import SwiftboxCgroup
import SwiftboxKernel
import SwiftboxOCI

public struct ResourceFlags: Equatable, Sendable {
    /// Bytes (Docker's RAMInBytes); memorySwap -1: unlimited swap.
    public var memory: Int64?
    public var memorySwap: Int64?
    public var memoryReservation: Int64?
    /// --cpus in billionths of a CPU (Docker's NanoCPUs).
    public var nanoCPUs: Int64?
    public var cpuShares: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: Int64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var pidsLimit: Int64?
    public var blkioWeight: Int64?
    /// "/dev/sda:1mb" as given, resolved to major:minor by `resources(host:)`.
    public var deviceReadBps: [String] = []
    public var deviceWriteBps: [String] = []
    public var oomKillDisable: Bool?

    public init() {}

    public var isEmpty: Bool { self == ResourceFlags() }

    /// dockerd's lower bound for memory limits and reservations (linuxMinMemory).
    public static let minimumMemory: Int64 = 6 * 1024 * 1024

    /// What the checks need to know about the machine.
    public struct Host: Sendable {
        public var cpuCount: Int
        /// The parent cgroup's effective cpuset and memory nodes ("0-1", "0").
        public var cpus: String
        public var mems: String
        /// major:minor of a block device path, nil when it is not one.
        public var blockDevice: @Sendable (String) -> (Int64, Int64)?
        public init(cpuCount: Int, cpus: String, mems: String, blockDevice: @escaping @Sendable (String) -> (Int64, Int64)?) {
            self.cpuCount = cpuCount
            self.cpus = cpus
            self.mems = mems
            self.blockDevice = blockDevice
        }
    }

    /// Check the flags as dockerd does and build linux.resources (nil: no limits asked).
    /// `update`: the flags change a running container, whose memory limit may be set already.
    public func resources(host: Host, update: Bool = false) throws -> LinuxResources? {
        guard !isEmpty else { return nil }
        let fail = { (m: String) in EngineError.failed(m) }
        if let m = memory, m != 0, m < Self.minimumMemory { throw fail("Minimum memory limit allowed is 6MB") }
        if let m = memory, m > 0, let s = memorySwap, s > 0, s < m {
            throw fail("Minimum memoryswap limit should be larger than memory limit, see usage")
        }
        if (memory ?? 0) == 0, let s = memorySwap, s > 0, !update {
            throw fail("You should always set the Memory limit when using Memoryswap limit, see usage")
        }
        if let r = memoryReservation, r != 0, r < Self.minimumMemory { throw fail("Minimum memory reservation allowed is 6MB") }
        if let m = memory, m > 0, let r = memoryReservation, r > 0, m < r {
            throw fail("Minimum memory limit can not be less than memory reservation limit, see usage")
        }
        if let n = nanoCPUs, n != 0 {
            if (cpuPeriod ?? 0) > 0 { throw fail("Conflicting options: Nano CPUs and CPU Period cannot both be set") }
            if (cpuQuota ?? 0) > 0 { throw fail("Conflicting options: Nano CPUs and CPU Quota cannot both be set") }
            if n < 0 || n > Int64(host.cpuCount) * 1_000_000_000 {
                throw fail("Range of CPUs is from 0.01 to \(host.cpuCount).00, as there are only \(host.cpuCount) CPUs available")
            }
        }
        if let p = cpuPeriod, p != 0, p < 1000 || p > 1_000_000 {
            throw fail("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
        }
        if let q = cpuQuota, q > 0, q < 1000 { throw fail("CPU cfs quota can not be less than 1ms (i.e. 1000)") }
        if let s = cpuShares, s < 0 { throw fail("invalid --cpu-shares \(s): must be a positive number") }
        if let c = cpusetCpus {
            guard let want = CPUList.parse(c) else { throw fail("Invalid value \(c) for cpuset cpus") }
            if !want.isSubset(of: CPUList.parse(host.cpus) ?? []) {
                throw fail("Requested CPUs are not available - requested \(c), available: \(host.cpus)")
            }
        }
        if let m = cpusetMems {
            guard let want = CPUList.parse(m) else { throw fail("Invalid value \(m) for cpuset mems") }
            if !want.isSubset(of: CPUList.parse(host.mems) ?? []) {
                throw fail("Requested memory nodes are not available - requested \(m), available: \(host.mems)")
            }
        }
        if let p = pidsLimit, p < -1 { throw fail("invalid --pids-limit \(p): must be a positive number, or -1 (or 0) for unlimited") }
        if let w = blkioWeight, w != 0, w < 10 || w > 1000 { throw fail("Range of blkio weight is from 10 to 1000") }

        var r = LinuxResources()
        if memory != nil || memorySwap != nil || memoryReservation != nil || oomKillDisable != nil {
            var m = LinuxResources.Memory()
            m.limit = memory
            m.reservation = memoryReservation
            m.swap = memorySwap
            // dockerd: a memory limit without --memory-swap allows as much swap again.
            if let limit = memory, limit > 0, memorySwap == nil || memorySwap == 0, !update { m.swap = limit * 2 }
            m.disableOOMKiller = oomKillDisable
            r.memory = m
        }
        if nanoCPUs != nil || cpuShares != nil || cpuQuota != nil || cpuPeriod != nil || cpusetCpus != nil || cpusetMems != nil {
            var c = LinuxResources.CPU()
            c.shares = cpuShares.map { UInt64($0) }
            c.quota = cpuQuota
            c.period = cpuPeriod.map { UInt64($0) }
            if let n = nanoCPUs {
                // dockerd: --cpus N is a quota of N periods of 100 ms (0: no limit).
                c.period = 100_000
                c.quota = n == 0 ? -1 : n * 100_000 / 1_000_000_000
            }
            c.cpus = cpusetCpus
            c.mems = cpusetMems
            r.cpu = c
        }
        if let p = pidsLimit { r.pids = .init(limit: p <= 0 ? -1 : p) }
        if blkioWeight != nil || !deviceReadBps.isEmpty || !deviceWriteBps.isEmpty {
            var b = LinuxResources.BlockIO()
            b.weight = blkioWeight.map { UInt16($0) }
            b.throttleReadBpsDevice = try deviceReadBps.map { try Self.throttle($0, flag: "--device-read-bps", host: host) }.nilIfEmpty
            b.throttleWriteBpsDevice = try deviceWriteBps.map { try Self.throttle($0, flag: "--device-write-bps", host: host) }.nilIfEmpty
            r.blockIO = b
        }
        return r
    }

    /// "/dev/vda:1mb" → major:minor and bytes per second (Docker's ValidateThrottleBpsDevice).
    static func throttle(_ text: String, flag: String, host: Host) throws -> LinuxResources.ThrottleDevice {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw EngineError.failed("invalid argument \"\(text)\" for \"\(flag)\" flag: bad format: \(text)") }
        guard parts[0].hasPrefix("/dev/") else {
            throw EngineError.failed("invalid argument \"\(text)\" for \"\(flag)\" flag: bad format for device path: \(text)")
        }
        guard let rate = try? DockerUnits.ramInBytes(parts[1]), rate >= 0 else {
            throw EngineError.failed("invalid argument \"\(text)\" for \"\(flag)\" flag: invalid rate for device: \(text). The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb")
        }
        guard let (major, minor) = host.blockDevice(parts[0]) else {
            throw EngineError.failed("\(flag) \(text): \(parts[0]) is not a block device")
        }
        return .init(major: major, minor: minor, rate: UInt64(rate))
    }
}

/// cpuset list format (cpuset(7) "List format"): "0-3,8,10-11".
public enum CPUList {
    public static func parse(_ text: String) -> Set<Int>? {
        var out = Set<Int>()
        let trimmed = text.trimmed()
        if trimmed.isEmpty { return out }
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count), let lo = Int(ends[0]), let hi = Int(ends.last!), lo >= 0, lo <= hi, hi < 8192 else { return nil }
            out.formUnion(lo...hi)
        }
        return out
    }
}

extension Array {
    var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}

#if canImport(Glibc)
import Glibc
#endif

extension ResourceFlags.Host {
    /// This machine: online CPUs, and the cpuset the container's parent (/swiftbox, else
    /// the root) can hand out — what a cpuset write in the new cgroup is checked against.
    public static func current(_ cgroups: CgroupManager) -> ResourceFlags.Host {
        let n = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var cpus = "0-\(n - 1)"
        var mems = "0"
        func first(_ paths: [String]) -> String? {
            paths.lazy.compactMap { (try? FileSystem.readString($0))?.trimmed() }.first { !$0.isEmpty }
        }
        if let h = cgroups.hierarchies.first(where: { $0.version == .v1 && $0.controllers.contains("cpuset") }) {
            cpus = first([h.mountPoint + "/swiftbox/cpuset.effective_cpus", h.mountPoint + "/cpuset.effective_cpus"]) ?? cpus
            mems = first([h.mountPoint + "/swiftbox/cpuset.effective_mems", h.mountPoint + "/cpuset.effective_mems"]) ?? mems
        } else if let h = cgroups.hierarchies.first(where: { $0.version == .v2 }) {
            cpus = first([h.mountPoint + "/swiftbox/cpuset.cpus.effective", h.mountPoint + "/cpuset.cpus.effective"]) ?? cpus
            mems = first([h.mountPoint + "/swiftbox/cpuset.mems.effective", h.mountPoint + "/cpuset.mems.effective"]) ?? mems
        }
        return .init(cpuCount: n, cpus: cpus, mems: mems) { path in
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFBLK else { return nil }
            return DeviceMapping.split(UInt64(st.st_rdev))
        }
    }
}
