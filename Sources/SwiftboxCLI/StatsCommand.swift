// `stats`: Docker's live table of running containers' resource use, read from their
// cgroup files (see CgroupUsage) and /proc/PID/net/dev. CPU % needs two readings, so
// even --no-stream samples twice, half a second apart; the live view redraws every
// second until interrupted.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine
import SwiftboxTemplate

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Show containers' CPU, memory, network, block I/O and process use.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "All containers (default: running ones).") var all = false
    @Flag(name: .customLong("no-stream"), help: "Print one reading and exit.") var noStream = false
    @Flag(name: .customLong("no-trunc"), help: "Full container IDs.") var noTrunc = false
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"
    @Argument(help: "Containers (default: all running).") var containers: [String] = []

    func run() throws {
        engineCommand {
            let engine = globals.engine
            let listing = try ListingFormat.option(format)
            var isTable: Bool { if case .table = listing.kind { return true }; return listing.isDefaultTable }
            var ids = try containers.map { try engine.containerID($0) }
            let named = !ids.isEmpty
            var previous: [String: StatsSample] = [:]
            var first = true
            while true {
                if !named { ids = engine.list().filter { all || $0.1.status == .running }.map(\.0.id) }
                var samples = ids.compactMap { engine.statsSample($0) }
                if first {
                    // The first CPU % needs an earlier reading.
                    for s in samples { previous[s.id] = s }
                    usleep(500_000)
                    samples = ids.compactMap { engine.statsSample($0) }
                    first = false
                }
                // Containers that are not running (with -a, or named) show zeros, as Docker's.
                let stopped = ids.filter { id in !samples.contains { $0.id == id } }.map { id in
                    StatsRow(stoppedID: noTrunc ? id : String(id.prefix(12)), name: (try? engine.container(id).name) ?? "")
                }
                let rows = ids.compactMap { id in
                    samples.first { $0.id == id }.map { StatsRow($0, previous: previous[$0.id], noTrunc: noTrunc) }
                        ?? stopped.first { id.hasPrefix($0.ID) }
                }
                for s in samples { previous[s.id] = s }
                if !noStream && isTable { print("\u{1b}[2J\u{1b}[H", terminator: "") }
                if !listing.isDefaultTable {
                    try listing.print(rows.map(ListingRows.stats), header: ListingRows.statsHeader)
                } else {
                    printTable([["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]]
                               + rows.map { [$0.ID, $0.Name, $0.CPUPerc, $0.MemUsage, $0.MemPerc, $0.NetIO, $0.BlockIO, $0.PIDs] })
                }
                if noStream { return 0 }
                fflush(stdout)
                sleep(1)
            }
        }
    }
}

/// One line of `stats`, with Docker's --format json keys and spellings.
struct StatsRow: Encodable {
    var BlockIO: String
    var CPUPerc: String
    var Container: String
    var ID: String
    var MemPerc: String
    var MemUsage: String
    var Name: String
    var NetIO: String
    var PIDs: String

    init(stoppedID: String, name: String) {
        ID = stoppedID
        Container = stoppedID
        Name = name
        CPUPerc = "0.00%"
        MemUsage = "0B / 0B"
        MemPerc = "0.00%"
        NetIO = "0B / 0B"
        BlockIO = "0B / 0B"
        PIDs = "0"
    }

    init(_ s: StatsSample, previous: StatsSample?, noTrunc: Bool) {
        ID = noTrunc ? s.id : String(s.id.prefix(12))
        Container = ID
        Name = s.name
        CPUPerc = StatsFormat.percent(StatsSample.cpuPercent(previous, s))
        MemUsage = StatsFormat.binary(Double(s.usage.memoryUsage ?? 0)) + " / " + StatsFormat.binary(Double(s.memoryLimit))
        MemPerc = StatsFormat.percent(s.memoryPercent)
        NetIO = StatsFormat.decimal(Double(s.netRx)) + " / " + StatsFormat.decimal(Double(s.netTx))
        BlockIO = StatsFormat.decimal(Double(s.usage.blockRead)) + " / " + StatsFormat.decimal(Double(s.usage.blockWrite))
        PIDs = String(s.usage.pids ?? 0)
    }
}

/// Docker's number spellings (go-units): memory in binary units with 4 significant
/// digits ("1.5MiB", "7.741GiB"), I/O in decimal units with 3 ("1.2kB", "0B").
enum StatsFormat {
    static func binary(_ v: Double) -> String { scaled(v, base: 1024, units: ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], digits: 4) }
    static func decimal(_ v: Double) -> String { scaled(v, base: 1000, units: ["B", "kB", "MB", "GB", "TB", "PB"], digits: 3) }

    static func scaled(_ v: Double, base: Double, units: [String], digits: Int) -> String {
        var x = v
        var i = 0
        while x >= base && i < units.count - 1 { x /= base; i += 1 }
        return significant(x, digits) + units[i]
    }

    /// printf's %.Ng for numbers below 10^N: N significant digits, trailing zeros dropped.
    static func significant(_ x: Double, _ n: Int) -> String {
        if x == 0 { return "0" }
        var intDigits = 1
        var t = x
        while t >= 10 { t /= 10; intDigits += 1 }
        return fixed(x, max(0, n - intDigits), trim: true)
    }

    /// "%.2f%%"
    static func percent(_ x: Double) -> String { fixed(x, 2, trim: false) + "%" }

    static func fixed(_ x: Double, _ decimals: Int, trim: Bool) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let n = UInt64((x * scale).rounded())
        var whole = String(n / UInt64(scale))
        var frac = String(n % UInt64(scale))
        if decimals == 0 { return whole }
        frac = String(repeating: "0", count: decimals - frac.count) + frac
        if trim { while frac.hasSuffix("0") { frac.removeLast() } }
        if !frac.isEmpty { whole += "." + frac }
        return whole
    }
}
