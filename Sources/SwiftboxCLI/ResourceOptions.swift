// `run`/`create` resource flags, spelled and parsed as Docker's CLI does. Values that
// may be negative (-1 means "unlimited" to Docker) are read unconditionally, so
// `--memory-swap -1` is a value and not an unknown flag. Host-dependent checks (CPU
// count, cpuset, controllers) happen in the engine, before anything is created.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine

struct ResourceOptions: ParsableArguments {
    @Option(name: [.short, .long], parsing: .unconditional, help: "Memory limit (e.g. 64m, 1g; at least 6MB).") var memory: String?
    @Option(name: .customLong("memory-swap"), parsing: .unconditional, help: "Memory plus swap limit; -1: unlimited swap.") var memorySwap: String?
    @Option(name: .customLong("memory-reservation"), parsing: .unconditional, help: "Memory soft limit.") var memoryReservation: String?
    @Option(parsing: .unconditional, help: "Number of CPUs (e.g. 0.5).") var cpus: String?
    @Option(name: [.customShort("c"), .customLong("cpu-shares")], parsing: .unconditional, help: "CPU shares (relative weight).") var cpuShares: String?
    @Option(name: .customLong("cpu-quota"), parsing: .unconditional, help: "CFS quota in microseconds per period.") var cpuQuota: String?
    @Option(name: .customLong("cpu-period"), parsing: .unconditional, help: "CFS period in microseconds.") var cpuPeriod: String?
    @Option(name: .customLong("cpuset-cpus"), help: "CPUs the container may use (0-3, 0,1).") var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems"), help: "Memory nodes the container may use (0-3, 0,1).") var cpusetMems: String?
    @Option(name: .customLong("pids-limit"), parsing: .unconditional, help: "Maximum number of processes; -1: unlimited.") var pidsLimit: String?
    @Option(name: .customLong("blkio-weight"), parsing: .unconditional, help: "Block I/O weight, 10 to 1000 (0: unset).") var blkioWeight: String?
    @Option(name: .customLong("device-read-bps"), help: "Read rate limit of a device (/dev/sda:1mb); repeatable.") var deviceReadBps: [String] = []
    @Option(name: .customLong("device-write-bps"), help: "Write rate limit of a device (/dev/sda:1mb); repeatable.") var deviceWriteBps: [String] = []
    @Flag(name: .customLong("oom-kill-disable"), help: "Disable the OOM killer (cgroup v1 only).") var oomKillDisable = false

    /// The flags as Docker parses them; nil when none was given.
    func flags() throws -> ResourceFlags? {
        var f = ResourceFlags()
        f.memory = try memory.map { try Self.size($0, flag: "-m, --memory") }
        f.memorySwap = try memorySwap.map { $0 == "-1" ? -1 : try Self.size($0, flag: "--memory-swap") }
        f.memoryReservation = try memoryReservation.map { try Self.size($0, flag: "--memory-reservation") }
        f.nanoCPUs = try cpus.map { v in
            do { return try DockerUnits.nanoCPUs(v) } catch { throw Self.invalid(v, "--cpus", "\(error)") }
        }
        f.cpuShares = try cpuShares.map { try Self.integer($0, flag: "-c, --cpu-shares") }
        f.cpuQuota = try cpuQuota.map { try Self.integer($0, flag: "--cpu-quota") }
        f.cpuPeriod = try cpuPeriod.map { try Self.integer($0, flag: "--cpu-period") }
        f.cpusetCpus = cpusetCpus
        f.cpusetMems = cpusetMems
        f.pidsLimit = try pidsLimit.map { try Self.integer($0, flag: "--pids-limit") }
        f.blkioWeight = try blkioWeight.map { try Self.integer($0, flag: "--blkio-weight") }
        f.deviceReadBps = deviceReadBps
        f.deviceWriteBps = deviceWriteBps
        f.oomKillDisable = oomKillDisable ? true : nil
        return f.isEmpty ? nil : f
    }

    func apply(to o: inout RunOptions) throws { o.resources = try flags() }

    static func invalid(_ value: String, _ flag: String, _ why: String) -> ValidationError {
        ValidationError("invalid argument \"\(value)\" for \"\(flag)\" flag: \(why)")
    }

    static func size(_ v: String, flag: String) throws -> Int64 {
        do { return try DockerUnits.ramInBytes(v) } catch { throw invalid(v, flag, "\(error)") }
    }

    static func integer(_ v: String, flag: String) throws -> Int64 {
        guard let n = Int64(v) else { throw invalid(v, flag, "strconv.ParseInt: parsing \"\(v)\": invalid syntax") }
        return n
    }
}

/// dockerd's resource warnings, on stderr as Docker's CLI prints them.
func printResourceWarnings(_ engine: Engine, _ c: EngineContainer) {
    for w in engine.resourceWarnings(c) {
        let line = "WARNING: \(w)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
