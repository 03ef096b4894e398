// OCI linux.resources → cgroup v2 files (Documentation/admin-guide/cgroup-v2.rst),
// converting v1-shaped values the way runc does, so a config behaves the same under
// either runtime:
//   memory.limit        → memory.max          (-1: "max")
//   memory.swap         → memory.swap.max     (OCI swap is memory+swap; v2 counts swap alone)
//   memory.reservation  → memory.low
//   memory.disableOOMKiller → v2 cannot disable the OOM killer; memory.oom.group "0" keeps
//                         a kill to the one offending process instead of the whole group
//   cpu.shares          → cpu.weight          (2…262144 mapped linearly onto 1…10000)
//   cpu.quota/period    → cpu.max             ("QUOTA PERIOD", quota -1: "max")
//   cpu.cpus/mems       → cpuset.cpus/mems
//   pids.limit          → pids.max            (0 or -1: "max")
//   blockIO.weight      → io.weight "default N" (10…1000 mapped onto 1…10000)
//   blockIO.throttle*   → io.max "MAJ:MIN rbps=N" (wbps, riops, wiops)
public enum CgroupV2Driver {
    public static func writes(_ controller: ResourceController, _ r: LinuxResources) throws -> [CgroupWrite] {
        switch controller {
        case .memory: return try memory(r.memory)
        case .cpu: return cpu(r.cpu)
        case .cpuset: return cpuset(r.cpu)
        case .pids: return pids(r.pids)
        case .io: return io(r.blockIO)
        case .hugetlb: return hugetlb(r.hugepageLimits, v1: false)
        // No v2 controller: asking for them fails in ResourcePlan (controller missing).
        case .netCls: return r.network?.classID.map { [CgroupWrite(.netCls, "net_cls.classid", "\($0)")] } ?? []
        case .netPrio: return (r.network?.priorities ?? []).map { CgroupWrite(.netPrio, "net_prio.ifpriomap", "\($0.name) \($0.priority)") }
        case .rdma: return rdma(r.rdma)
        }
    }

    /// hugetlb.<size>.limit_in_bytes (v1) or hugetlb.<size>.max (v2), size as "2MB".
    static func hugetlb(_ limits: [LinuxResources.HugepageLimit]?, v1: Bool) -> [CgroupWrite] {
        (limits ?? []).map { CgroupWrite(.hugetlb, "hugetlb.\($0.pageSize).\(v1 ? "limit_in_bytes" : "max")", "\($0.limit)") }
    }

    /// rdma.max: "<device> hca_handle=N hca_object=M" (max where unset).
    static func rdma(_ devices: [String: LinuxResources.Rdma]?) -> [CgroupWrite] {
        (devices ?? [:]).sorted { $0.key < $1.key }.map { name, r in
            let handles = r.hcaHandles.map(String.init) ?? "max", objects = r.hcaObjects.map(String.init) ?? "max"
            return CgroupWrite(.rdma, "rdma.max", "\(name) hca_handle=\(handles) hca_object=\(objects)")
        }
    }

    static func memory(_ m: LinuxResources.Memory?) throws -> [CgroupWrite] {
        guard let m else { return [] }
        var out: [CgroupWrite] = []
        let limit = m.limit ?? 0
        if limit != 0 { out.append(.init(.memory, "memory.max", CgroupValue.v2(limit))) }
        if let swap = try swapMax(swap: m.swap ?? 0, memory: limit) {
            out.append(.init(.memory, "memory.swap.max", CgroupValue.v2(swap), optional: true))
        }
        if let r = m.reservation, r != 0 { out.append(.init(.memory, "memory.low", CgroupValue.v2(r))) }
        if m.disableOOMKiller == true { out.append(.init(.memory, "memory.oom.group", "0", optional: true)) }
        return out
    }

    /// OCI's memory.swap is v1's memsw (memory plus swap); memory.swap.max is swap alone.
    /// nil: leave the file alone. Same rules as runc's ConvertMemorySwapToCgroupV2Value.
    public static func swapMax(swap: Int64, memory: Int64) throws -> Int64? {
        // Unlimited memory and no swap setting: unlimited swap too (v1 compatibility).
        if memory == -1 && swap == 0 { return -1 }
        if swap == 0 { return nil }
        if swap == -1 { return -1 }
        if memory == 0 || memory == -1 { throw ResourceError.invalid("memory: a swap limit needs a memory limit") }
        if swap < memory { throw ResourceError.invalid("memory: memory+swap limit (\(swap)) must be at least the memory limit (\(memory))") }
        return swap - memory
    }

    /// runc's mapping of v1 cpu.shares [2, 262144] onto v2 cpu.weight [1, 10000]:
    /// weight = 1 + (shares - 2) * 9999 / 262142. Docker's default 1024 becomes 39.
    public static func weight(shares: UInt64) -> UInt64 {
        if shares == 0 { return 0 }
        let s = min(max(shares, 2), 262_144)
        return 1 + ((s - 2) * 9999) / 262_142
    }

    /// blkio weight [10, 1000] onto io.weight [1, 10000], as runc does.
    public static func ioWeight(_ w: UInt16) -> UInt64 {
        if w == 0 { return 0 }
        let v = UInt64(min(max(w, 10), 1000))
        return 1 + (v - 10) * 9999 / 990
    }

    static func cpu(_ c: LinuxResources.CPU?) -> [CgroupWrite] {
        guard let c else { return [] }
        var out: [CgroupWrite] = []
        if let s = c.shares, s != 0 { out.append(.init(.cpu, "cpu.weight", String(weight(shares: s)))) }
        let quota = c.quota ?? 0
        let period = c.period ?? 0
        if quota != 0 || period != 0 {
            // cpu.max takes "QUOTA PERIOD"; without a period the kernel keeps its own (100000).
            var text = quota > 0 ? String(quota) : "max"
            if period != 0 { text += " \(period)" }
            out.append(.init(.cpu, "cpu.max", text))
        }
        if let idle = c.idle, idle != 0 { out.append(.init(.cpu, "cpu.idle", String(idle))) }
        return out
    }

    static func cpuset(_ c: LinuxResources.CPU?) -> [CgroupWrite] {
        var out: [CgroupWrite] = []
        if let cpus = c?.cpus, !cpus.isEmpty { out.append(.init(.cpuset, "cpuset.cpus", cpus)) }
        if let mems = c?.mems, !mems.isEmpty { out.append(.init(.cpuset, "cpuset.mems", mems)) }
        return out
    }

    static func pids(_ p: LinuxResources.Pids?) -> [CgroupWrite] {
        guard let p else { return [] }
        return [.init(.pids, "pids.max", p.limit > 0 ? String(p.limit) : "max")]
    }

    static func io(_ b: LinuxResources.BlockIO?) -> [CgroupWrite] {
        guard let b else { return [] }
        var out: [CgroupWrite] = []
        // io.weight exists with a weight-based scheduler (BFQ) or io.cost; not everywhere.
        if let w = b.weight, w != 0 { out.append(.init(.io, "io.weight", "default \(ioWeight(w))", optional: true)) }
        for d in b.weightDevice ?? [] {
            if let w = d.weight, w != 0 { out.append(.init(.io, "io.weight", "\(d.major):\(d.minor) \(ioWeight(w))", optional: true)) }
        }
        let throttles: [([LinuxResources.ThrottleDevice]?, String)] = [
            (b.throttleReadBpsDevice, "rbps"), (b.throttleWriteBpsDevice, "wbps"),
            (b.throttleReadIOPSDevice, "riops"), (b.throttleWriteIOPSDevice, "wiops"),
        ]
        for (devices, key) in throttles {
            for d in devices ?? [] {
                // 0 means "no limit" in the OCI spec; io.max spells that "max".
                out.append(.init(.io, "io.max", "\(d.major):\(d.minor) \(key)=\(d.rate == 0 ? "max" : String(d.rate))"))
            }
        }
        return out
    }

    /// linux.resources.unified: written as given. The controller is the file's prefix
    /// ("memory.high" → memory); cgroup.* files belong to the core.
    public static func unified(_ u: [String: String]?) throws -> [(controller: String?, write: CgroupWrite)] {
        guard let u else { return [] }
        return try u.keys.sorted().map { key in
            let parts = key.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, !key.contains("/") else {
                throw ResourceError.invalid("linux.resources.unified: \"\(key)\" is not a cgroup file name")
            }
            let c = parts[0] == "cgroup" ? nil : String(parts[0])
            return (c, CgroupWrite(c.flatMap(ResourceController.init(rawValue:)), key, u[key]!))
        }
    }
}
