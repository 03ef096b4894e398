// What a container's cgroup has used, read from the same files on either version:
// the numbers behind `swiftbox stats` and the OOM-kill counter the monitor checks
// when a container exits. Each value comes from the hierarchy that has its controller
// bound (v1 first, as on a hybrid host), and is nil when no hierarchy has it.
//   CPU time   v1 cpuacct.usage (ns)           v2 cpu.stat usage_usec
//   memory     v1 memory.usage_in_bytes        v2 memory.current      (minus inactive file pages, as docker stats)
//   limit      v1 memory.limit_in_bytes        v2 memory.max
//   pids       pids.current / pids.max in both
//   block I/O  v1 blkio.throttle.io_service_bytes_recursive (Read/Write)   v2 io.stat rbytes/wbytes
//   OOM kills  v1 memory.oom_control oom_kill  v2 memory.events oom_kill
import SwiftboxKernel

public struct CgroupUsage: Equatable, Sendable {
    public var cpuNanoseconds: UInt64?
    public var memoryUsage: Int64?
    /// nil: no limit (v2 "max", or v1's page-rounded LLONG_MAX).
    public var memoryLimit: Int64?
    public var pids: Int64?
    public var pidsLimit: Int64?
    public var blockRead: UInt64 = 0
    public var blockWrite: UInt64 = 0
    public var oomKills: Int64?
    public init() {}
}

extension CgroupManager {
    /// The container's directory in the v1 hierarchy of `v1Name`, else in cgroup v2.
    func directory(_ path: String, v1 v1Name: String, v2 v2Name: String) -> (String, CgroupHierarchy.Version)? {
        if let h = hierarchies.first(where: { $0.version == .v1 && $0.controllers.contains(v1Name) }) {
            return (h.mountPoint + path, .v1)
        }
        // cgroup v2: the files exist only when the controller is enabled; a missing file reads as nil.
        return hierarchies.first(where: { $0.version == .v2 }).map { ($0.mountPoint + path, .v2) }
    }

    /// How many times the kernel OOM-killed a process in the cgroup (v1
    /// memory.oom_control oom_kill, or under_oom before 4.13; v2 memory.events). Alone,
    /// for the monitor's check after every exit: the whole usage reads a dozen files.
    public func oomKills(at path: String) -> Int64? {
        guard let (dir, v) = directory(path, v1: "memory", v2: "memory") else { return nil }
        guard let text = try? FileSystem.readString(dir + (v == .v1 ? "/memory.oom_control" : "/memory.events")) else { return nil }
        let k = CgroupFile.keyed(text)
        return v == .v1 ? k["oom_kill"] ?? k["under_oom"] : k["oom_kill"]
    }

    public func usage(at path: String) -> CgroupUsage {
        var u = CgroupUsage()
        func read(_ file: String) -> String? { try? FileSystem.readString(file) }
        if let (dir, v) = directory(path, v1: "cpuacct", v2: "cpu") {
            if v == .v1 { u.cpuNanoseconds = read(dir + "/cpuacct.usage").flatMap { UInt64($0.trimmed()) } }
            else { u.cpuNanoseconds = read(dir + "/cpu.stat").flatMap { CgroupFile.keyed($0)["usage_usec"] }.map { UInt64($0) * 1000 } }
        }
        if let (dir, v) = directory(path, v1: "memory", v2: "memory") {
            let stat = CgroupFile.keyed(read(dir + "/memory.stat") ?? "")
            if v == .v1 {
                if let usage = read(dir + "/memory.usage_in_bytes").flatMap({ Int64($0.trimmed()) }) {
                    u.memoryUsage = max(0, usage - (stat["total_inactive_file"] ?? 0))
                }
                // "Unlimited" on v1 is LLONG_MAX rounded down to a page.
                u.memoryLimit = read(dir + "/memory.limit_in_bytes").flatMap { Int64($0.trimmed()) }.flatMap { $0 >= Int64.max / 2 ? nil : $0 }
                u.oomKills = oomKills(at: path)
            } else {
                if let usage = read(dir + "/memory.current").flatMap({ Int64($0.trimmed()) }) {
                    u.memoryUsage = max(0, usage - (stat["inactive_file"] ?? 0))
                }
                u.memoryLimit = read(dir + "/memory.max").flatMap { Int64($0.trimmed()) }
                u.oomKills = oomKills(at: path)
            }
        }
        if let (dir, _) = directory(path, v1: "pids", v2: "pids") {
            u.pids = read(dir + "/pids.current").flatMap { Int64($0.trimmed()) }
            u.pidsLimit = read(dir + "/pids.max").flatMap { Int64($0.trimmed()) }
        }
        if let (dir, v) = directory(path, v1: "blkio", v2: "io") {
            if v == .v1 {
                for line in (read(dir + "/blkio.throttle.io_service_bytes_recursive") ?? "").split(separator: "\n") {
                    let f = line.split(separator: " ")
                    guard f.count == 3, let n = UInt64(f[2]) else { continue }
                    if f[1] == "Read" { u.blockRead += n } else if f[1] == "Write" { u.blockWrite += n }
                }
            } else {
                for line in (read(dir + "/io.stat") ?? "").split(separator: "\n") {
                    for field in line.split(separator: " ").dropFirst() {
                        let kv = field.split(separator: "=")
                        guard kv.count == 2, let n = UInt64(kv[1]) else { continue }
                        if kv[0] == "rbytes" { u.blockRead += n } else if kv[0] == "wbytes" { u.blockWrite += n }
                    }
                }
            }
        }
        return u
    }
}

/// The cgroup file formats (cgroup-v2.rst "Interface Files").
public enum CgroupFile {
    /// "Flat keyed": one "KEY VALUE" per line (memory.stat, memory.events, cpu.stat,
    /// memory.oom_control). Lines of another shape are skipped.
    public static func keyed(_ text: String) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, let n = Int64(f[1]) { out[String(f[0])] = n }
        }
        return out
    }
}
