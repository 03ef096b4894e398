// OCI linux.resources → cgroup v1 files (Documentation/admin-guide/cgroup-v1/), the
// fallback for controllers a v1 hierarchy holds (all of them on a v1 host, most of
// them on a hybrid one):
//   memory.limit        → memory.limit_in_bytes        (-1: unlimited)
//   memory.swap         → memory.memsw.limit_in_bytes  (memory+swap; needs swap accounting)
//   memory.reservation  → memory.soft_limit_in_bytes
//   memory.disableOOMKiller → memory.oom_control "1"
//   memory.swappiness   → memory.swappiness
//   cpu.shares          → cpu.shares
//   cpu.period/quota    → cpu.cfs_period_us, then cpu.cfs_quota_us (-1: unlimited)
//   cpu.cpus/mems       → cpuset.cpus/mems
//   pids.limit          → pids.max                     (0 or -1: "max")
//   blockIO.weight      → blkio.weight (blkio.bfq.weight on BFQ-only kernels)
//   blockIO.throttle*   → blkio.throttle.{read,write}_{bps,iops}_device "MAJ:MIN N"
// Order matters for memory: the kernel keeps limit_in_bytes <= memsw.limit_in_bytes at
// every moment, so a new container writes the limit first; raising both (update)
// needs memsw first. The applier retries a refused write after the others, which
// covers both directions.
public enum CgroupV1Driver {
    public static func writes(_ controller: ResourceController, _ r: LinuxResources) throws -> [CgroupWrite] {
        switch controller {
        case .memory: return try memory(r.memory)
        case .cpu: return cpu(r.cpu)
        case .cpuset: return CgroupV2Driver.cpuset(r.cpu)   // same files in both versions
        case .pids: return CgroupV2Driver.pids(r.pids)      // same file and spelling
        case .io: return blkio(r.blockIO)
        case .hugetlb: return CgroupV2Driver.hugetlb(r.hugepageLimits, v1: true)
        case .netCls: return r.network?.classID.map { [CgroupWrite(.netCls, "net_cls.classid", "\($0)")] } ?? []
        case .netPrio: return (r.network?.priorities ?? []).map { CgroupWrite(.netPrio, "net_prio.ifpriomap", "\($0.name) \($0.priority)") }
        case .rdma: return CgroupV2Driver.rdma(r.rdma)   // same file and syntax
        }
    }

    static func memory(_ m: LinuxResources.Memory?) throws -> [CgroupWrite] {
        guard let m else { return [] }
        var out: [CgroupWrite] = []
        let limit = m.limit ?? 0
        if limit != 0 { out.append(.init(.memory, "memory.limit_in_bytes", CgroupValue.v1(limit))) }
        if let swap = m.swap, swap != 0 {
            if swap > 0 && limit > 0 && swap < limit {
                throw ResourceError.invalid("memory: memory+swap limit (\(swap)) must be at least the memory limit (\(limit))")
            }
            out.append(.init(.memory, "memory.memsw.limit_in_bytes", CgroupValue.v1(swap), optional: true))
        }
        if let r = m.reservation, r != 0 { out.append(.init(.memory, "memory.soft_limit_in_bytes", CgroupValue.v1(r))) }
        if m.disableOOMKiller == true { out.append(.init(.memory, "memory.oom_control", "1")) }
        if let s = m.swappiness, s <= 100 { out.append(.init(.memory, "memory.swappiness", String(s))) }
        // Still honoured by v1 kernels (the kmem limit itself no longer is); cgroup v2
        // accounts socket memory in memory.max and has no separate limit.
        if let t = m.kernelTCP, t != 0 { out.append(.init(.memory, "memory.kmem.tcp.limit_in_bytes", CgroupValue.v1(t), optional: true)) }
        return out
    }

    static func cpu(_ c: LinuxResources.CPU?) -> [CgroupWrite] {
        guard let c else { return [] }
        var out: [CgroupWrite] = []
        if let s = c.shares, s != 0 { out.append(.init(.cpu, "cpu.shares", String(s))) }
        // The period first: a quota is checked against the current period.
        if let p = c.period, p != 0 { out.append(.init(.cpu, "cpu.cfs_period_us", String(p))) }
        if let q = c.quota, q != 0 { out.append(.init(.cpu, "cpu.cfs_quota_us", CgroupValue.v1(q))) }
        if let p = c.realtimePeriod, p != 0 { out.append(.init(.cpu, "cpu.rt_period_us", String(p))) }
        if let r = c.realtimeRuntime, r != 0 { out.append(.init(.cpu, "cpu.rt_runtime_us", String(r))) }
        return out
    }

    static func blkio(_ b: LinuxResources.BlockIO?) -> [CgroupWrite] {
        guard let b else { return [] }
        var out: [CgroupWrite] = []
        if let w = b.weight, w != 0 { out.append(.init(.io, "blkio.weight", String(w), optional: true)) }
        if let w = b.leafWeight, w != 0 { out.append(.init(.io, "blkio.leaf_weight", String(w), optional: true)) }
        for d in b.weightDevice ?? [] {
            if let w = d.weight, w != 0 { out.append(.init(.io, "blkio.weight_device", "\(d.major):\(d.minor) \(w)", optional: true)) }
        }
        let throttles: [([LinuxResources.ThrottleDevice]?, String)] = [
            (b.throttleReadBpsDevice, "blkio.throttle.read_bps_device"), (b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device"),
            (b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device"), (b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device"),
        ]
        for (devices, file) in throttles {
            for d in devices ?? [] { out.append(.init(.io, file, "\(d.major):\(d.minor) \(d.rate)")) }
        }
        return out
    }

    /// BFQ-only kernels name the weight file blkio.bfq.weight (as runc falls back to).
    static func fallbackFile(_ file: String) -> String? {
        switch file {
        case "blkio.weight": return "blkio.bfq.weight"
        case "blkio.weight_device": return "blkio.bfq.weight_device"
        default: return nil
        }
    }
}
