// `swiftbox oci pause|resume|ps|events`: the verbs besides create/start/state/kill/delete
// that engines call (containerd's shim for `ctr task pause`, dockerd for `docker pause`,
// `docker top` through `ps`, `docker stats` and OOM notices through `events`).
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCgroup
import SwiftboxEngine
import SwiftboxKernel
import SwiftboxRuntime

struct OCIPause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a running container (cgroup freezer).")
    @OptionGroup var globals: OCIGlobals
    @Argument var id: String
    func run() throws { try globals.runtime().pause(id: id) }
}

struct OCIResume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @OptionGroup var globals: OCIGlobals
    @Argument var id: String
    func run() throws { try globals.runtime().resume(id: id) }
}

struct OCIPs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "Show the container's processes: ps(1)'s lines for them, or their pids as JSON.")
    @OptionGroup var globals: OCIGlobals
    @Option(name: [.short, .long], help: "table (ps output) or json (a list of pids).") var format: String = "table"
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough, help: "Options for ps(1) (default: -ef).") var psArguments: [String] = []

    func run() throws {
        let pids = try globals.runtime().processes(id: id)
        switch format {
        case "json": print(String(decoding: try JSONEncoder().encode(pids), as: UTF8.self))
        case "table":
            let args = psArguments.first == "--" ? Array(psArguments.dropFirst()) : psArguments
            print(try Self.psLines(pids: Set(pids), arguments: args.isEmpty ? ["-ef"] : args), terminator: "")
        default: throw ValidationError("--format must be table or json, not \"\(format)\"")
        }
    }

    /// Run ps(1) and keep the header and the lines whose PID column is one of `pids`.
    static func psLines(pids: Set<Int32>, arguments: [String]) throws -> String {
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/bin/ps")
        ps.arguments = arguments
        let pipe = Pipe()
        ps.standardOutput = pipe
        try ps.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ps.waitUntilExit()
        guard ps.terminationStatus == 0 else { throw ValidationError("ps \(arguments.joined(separator: " ")) exited with \(ps.terminationStatus)") }
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first, let column = header.split(separator: " ").firstIndex(of: "PID") else {
            throw ValidationError("ps \(arguments.joined(separator: " ")): its output has no PID column")
        }
        var text = header + "\n"
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ")
            if fields.count > column, let pid = Int32(fields[column]), pids.contains(pid) { text += line + "\n" }
        }
        return String(text)
    }
}

struct OCIEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Print the container's resource usage and OOM kills as JSON lines, as runc does.")
    @OptionGroup var globals: OCIGlobals
    @Flag(help: "Print the usage once and exit.") var stats = false
    @Option(help: "How often to print the usage (a Go duration).") var interval: String = "5s"
    @Argument var id: String

    func run() throws {
        let runtime = try globals.runtime()
        let every: Int64
        do { every = try GoDuration.parse(interval) } catch { throw ValidationError("--interval: \(error)") }
        guard every > 0 else { throw ValidationError("--interval must be positive") }
        var ooms = try runtime.usage(id: id).oomKills ?? 0
        repeat {
            let usage = try runtime.usage(id: id)
            if let now = usage.oomKills, now > ooms {
                Self.emit(["type": "oom", "id": id])
                ooms = now
            }
            Self.emit(["type": "stats", "id": id, "data": Self.statsJSON(usage)])
            if stats { return }
            var ts = timespec(tv_sec: Int(every / 1_000_000_000), tv_nsec: Int(every % 1_000_000_000))
            var left = timespec()
            while nanosleep(&ts, &left) < 0 && errno == EINTR { ts = left }
        } while try runtime.state(id: id).status != .stopped
    }

    static func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        print(String(decoding: data, as: UTF8.self))
        fflush(stdout)
    }

    /// The shape of runc's events "data" (types.Stats), with what the cgroup files give.
    static func statsJSON(_ u: CgroupUsage) -> [String: Any] {
        [
            "cpu": ["usage": ["total": u.cpuNanoseconds ?? 0, "percpu": [UInt64](), "kernel": 0, "user": 0], "throttling": [String: Any]()],
            "memory": ["usage": ["usage": u.memoryUsage ?? 0, "limit": u.memoryLimit ?? 0, "max": 0, "failcnt": 0]],
            "pids": ["current": u.pids ?? 0, "limit": u.pidsLimit ?? 0],
            "blkio": ["ioServiceBytesRecursive": [["op": "Read", "value": u.blockRead], ["op": "Write", "value": u.blockWrite]]],
            "hugetlb": [String: Any](),
        ]
    }
}
