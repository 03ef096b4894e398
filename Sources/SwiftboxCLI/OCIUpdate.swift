// `swiftbox oci update`: runc's update verb. Limits come from --resources (a JSON
// linux.resources object, "-" for stdin) and/or flags, which win; sizes take units
// ("64m") as runc's do.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxEngine
import SwiftboxKernel
import SwiftboxOCI

struct OCIUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change the resource limits of a created or running container.")
    @OptionGroup var globals: OCIGlobals
    @Option(name: [.short, .long], help: "A JSON file with linux.resources (\"-\": stdin).") var resources: String?
    @Option(name: .customLong("blkio-weight"), parsing: .unconditional) var blkioWeight: UInt16?
    @Option(name: .customLong("cpu-period"), parsing: .unconditional) var cpuPeriod: UInt64?
    @Option(name: .customLong("cpu-quota"), parsing: .unconditional) var cpuQuota: Int64?
    @Option(name: .customLong("cpu-share"), parsing: .unconditional) var cpuShare: UInt64?
    @Option(name: .customLong("cpu-rt-period"), parsing: .unconditional) var cpuRtPeriod: UInt64?
    @Option(name: .customLong("cpu-rt-runtime"), parsing: .unconditional) var cpuRtRuntime: Int64?
    @Option(name: .customLong("cpuset-cpus")) var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems")) var cpusetMems: String?
    @Option(parsing: .unconditional, help: "Memory limit (e.g. 64m; -1: unlimited).") var memory: String?
    @Option(name: .customLong("memory-reservation"), parsing: .unconditional) var memoryReservation: String?
    @Option(name: .customLong("memory-swap"), parsing: .unconditional, help: "Memory plus swap (-1: unlimited).") var memorySwap: String?
    @Option(name: .customLong("pids-limit"), parsing: .unconditional) var pidsLimit: Int64?
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        var r = RuntimeSpec.Linux.Resources()
        if let file = resources {
            let bytes = file == "-" ? readAllStdin() : try FileSystem.read(file)
            do { r = try JSONDecoder().decode(RuntimeSpec.Linux.Resources.self, from: Data(bytes)) } catch {
                throw ValidationError("--resources \(file): not a linux.resources JSON object: \(error)")
            }
        }
        func size(_ v: String?, _ flag: String) throws -> Int64? {
            guard let v else { return nil }
            if v == "-1" { return -1 }
            do { return try DockerUnits.ramInBytes(v) } catch { throw ValidationError("--\(flag) \(v): \(error)") }
        }
        if memory != nil || memorySwap != nil || memoryReservation != nil {
            var m = r.memory ?? .init()
            m.limit = try size(memory, "memory") ?? m.limit
            m.swap = try size(memorySwap, "memory-swap") ?? m.swap
            m.reservation = try size(memoryReservation, "memory-reservation") ?? m.reservation
            r.memory = m
        }
        if cpuShare != nil || cpuQuota != nil || cpuPeriod != nil || cpusetCpus != nil || cpusetMems != nil || cpuRtPeriod != nil || cpuRtRuntime != nil {
            var c = r.cpu ?? .init()
            c.shares = cpuShare ?? c.shares
            c.quota = cpuQuota ?? c.quota
            c.period = cpuPeriod ?? c.period
            c.cpus = cpusetCpus ?? c.cpus
            c.mems = cpusetMems ?? c.mems
            c.realtimePeriod = cpuRtPeriod ?? c.realtimePeriod
            c.realtimeRuntime = cpuRtRuntime ?? c.realtimeRuntime
            r.cpu = c
        }
        if let p = pidsLimit { r.pids = .init(limit: p) }
        if let w = blkioWeight {
            var b = r.blockIO ?? .init()
            b.weight = w
            r.blockIO = b
        }
        try globals.runtime().update(id: id, resources: r)
    }

    func readAllStdin() -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(0, &buf, buf.count)
            if n > 0 { out += buf[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return out
    }
}
