// The engine's side of resource limits after create: `update` (new limits written to
// a running container's cgroup files and to its record, so a restart keeps them) and
// the samples `stats` turns into Docker's table.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxCgroup
import SwiftboxKernel
import SwiftboxOCI

extension Engine {
    /// Change the limits of container `id` (running or not), as `docker update` does:
    /// only the given flags change; a running container's cgroup is rewritten at once.
    public func update(_ id: String, flags: ResourceFlags) throws {
        var c = try store.config(id)
        let cgroups = runtime().cgroups
        guard let change = try flags.resources(host: .current(cgroups), update: true) else { return }
        let merged = Engine.merge(c.resources, change)
        if let m = merged.memory, let limit = m.limit, limit > 0, let swap = m.swap, swap > 0, swap < limit {
            throw EngineError.failed("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
        }
        _ = try cgroups.resourcePlan(merged)   // every limit still has a controller here
        if isRunning(id), let path = try runtime().store.load(id).cgroupPath {
            // Only what changed is written: rewriting an unchanged memory limit below the
            // current usage would make the kernel reclaim for nothing.
            try cgroups.apply(try cgroups.resourcePlan(Engine.changed(change, merged)), path: path)
        }
        c.resources = merged
        if let n = flags.nanoCPUs { c.nanoCPUs = n } else if flags.cpuQuota != nil || flags.cpuPeriod != nil { c.nanoCPUs = nil }
        try store.save(c)
    }

    /// `change`'s sections, completed from `merged` where the kernel needs both values
    /// together (quota with its period, memory with memory+swap).
    static func changed(_ change: LinuxResources, _ merged: LinuxResources) -> LinuxResources {
        var out = change
        if change.memory?.limit != nil || change.memory?.swap != nil {
            out.memory?.limit = merged.memory?.limit
            out.memory?.swap = merged.memory?.swap
        }
        if change.cpu?.quota != nil || change.cpu?.period != nil {
            out.cpu?.quota = merged.cpu?.quota
            out.cpu?.period = merged.cpu?.period
        }
        return out
    }

    /// Field by field: what `change` sets wins, the rest stays.
    static func merge(_ old: LinuxResources?, _ change: LinuxResources) -> LinuxResources {
        var r = old ?? LinuxResources()
        if let m = change.memory {
            var cur = r.memory ?? .init()
            if let v = m.limit { cur.limit = v }
            if let v = m.swap { cur.swap = v }
            if let v = m.reservation { cur.reservation = v }
            if let v = m.disableOOMKiller { cur.disableOOMKiller = v }
            r.memory = cur
        }
        if let c = change.cpu {
            var cur = r.cpu ?? .init()
            if let v = c.shares { cur.shares = v }
            if let v = c.quota { cur.quota = v }
            if let v = c.period { cur.period = v }
            if let v = c.cpus { cur.cpus = v }
            if let v = c.mems { cur.mems = v }
            r.cpu = cur
        }
        if let p = change.pids { r.pids = p }
        if let b = change.blockIO {
            var cur = r.blockIO ?? .init()
            if let v = b.weight { cur.weight = v }
            if let v = b.throttleReadBpsDevice { cur.throttleReadBpsDevice = v }
            if let v = b.throttleWriteBpsDevice { cur.throttleWriteBpsDevice = v }
            r.blockIO = cur
        }
        return r
    }

    // MARK: stats

    /// One reading of a running container's counters; nil when it is not running.
    public func statsSample(_ id: String) -> StatsSample? {
        guard isRunning(id), let record = try? runtime().store.load(id), let path = record.cgroupPath else { return nil }
        let usage = runtime().cgroups.usage(at: path)
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let (rx, tx) = StatsSample.networkBytes(pid: record.pid)
        return StatsSample(id: id, name: (try? store.config(id).name) ?? "", time: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec),
                           usage: usage, memoryLimit: usage.memoryLimit ?? StatsSample.hostMemory(), netRx: rx, netTx: tx)
    }
}

/// What `stats` shows for one container at one moment.
public struct StatsSample: Sendable {
    public var id: String
    public var name: String
    /// CLOCK_MONOTONIC, nanoseconds.
    public var time: UInt64
    public var usage: CgroupUsage
    /// The cgroup's memory limit, or the host's memory when there is none (as Docker).
    public var memoryLimit: Int64
    public var netRx: UInt64
    public var netTx: UInt64

    /// CPU % between two samples: CPU time over wall time; 100% is one full CPU.
    public static func cpuPercent(_ a: StatsSample?, _ b: StatsSample) -> Double {
        guard let a, let ca = a.usage.cpuNanoseconds, let cb = b.usage.cpuNanoseconds, b.time > a.time, cb >= ca else { return 0 }
        return Double(cb - ca) / Double(b.time - a.time) * 100
    }

    public var memoryPercent: Double {
        guard memoryLimit > 0 else { return 0 }
        return Double(usage.memoryUsage ?? 0) / Double(memoryLimit) * 100
    }

    /// Bytes received and sent on the container's interfaces other than lo, from
    /// /proc/PID/net/dev (which shows the network namespace of PID).
    static func networkBytes(pid: Int32) -> (UInt64, UInt64) {
        guard pid > 0, let text = try? FileSystem.readString("/proc/\(pid)/net/dev") else { return (0, 0) }
        var rx: UInt64 = 0, tx: UInt64 = 0
        for line in text.split(separator: "\n").dropFirst(2) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, String(parts[0]).trimmed() != "lo" else { continue }
            let f = parts[1].split(separator: " ")
            guard f.count >= 9 else { continue }
            rx += UInt64(f[0]) ?? 0
            tx += UInt64(f[8]) ?? 0
        }
        return (rx, tx)
    }

    /// MemTotal from /proc/meminfo, in bytes.
    static func hostMemory() -> Int64 {
        let text = (try? FileSystem.readString("/proc/meminfo")) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let f = line.split(separator: " ")
            if f.count >= 2, let kb = Int64(f[1]) { return kb * 1024 }
        }
        return 0
    }
}

extension Engine {
    /// dockerd's warnings for limits this host cannot enforce (the container still runs,
    /// without them), in its words; `run` and `create` print them as "WARNING: …".
    public func resourceWarnings(_ c: EngineContainer) -> [String] {
        guard let r = c.resources else { return [] }
        let hierarchies = runtime().cgroups.hierarchies
        func v1(_ name: String) -> String? { hierarchies.first { $0.version == .v1 && $0.controllers.contains(name) }?.mountPoint }
        var out: [String] = []
        if r.memory?.disableOOMKiller == true {
            if v1("memory") == nil {
                out.append("Your kernel does not support OomKillDisable. OomKillDisable discarded.")
            } else if (r.memory?.limit ?? 0) <= 0 {
                out.append("Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous.")
            }
        }
        // Looked up in /swiftbox, the parent every container's group is made in (the root
        // group lacks some files, e.g. blkio.bfq.weight); on v2 the runtime warns when it writes.
        func lacks(_ mount: String, _ files: [String]) -> Bool {
            let dir = mount + "/swiftbox"
            return FileSystem.isDirectory(dir) && !files.contains { FileSystem.exists(dir + "/" + $0) }
        }
        if let swap = r.memory?.swap, swap != 0, let m = v1("memory"), lacks(m, ["memory.memsw.limit_in_bytes"]) {
            out.append("Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.")
        }
        if let w = r.blockIO?.weight, w > 0, let b = v1("blkio"), lacks(b, ["blkio.weight", "blkio.bfq.weight"]) {
            out.append("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
        }
        return out
    }
}
