// `swiftbox oci …` and the `swiftbox-oci` entry: runc's command line, so podman,
// containerd and friends can drive swiftbox as their OCI runtime.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxOCI
import SwiftboxKernel
import SwiftboxRuntime

/// Options runc accepts before the verb.
struct OCIGlobals: ParsableArguments {
    @Option(help: "Directory for the runtime's container state.")
    var root: String = ProcessEnv.get("SWIFTBOX_OCI_ROOT") ?? "/run/swiftbox-oci"
    @Option(help: "Also write diagnostics to this file.")
    var log: String?
    @Option(name: .customLong("log-format"), help: "Format of the --log file: text or json.")
    var logFormat: String = "text"
    @Option(name: .customLong("log-level"), help: "error, warning, info, debug or trace (each kernel step).")
    var logLevel: String?
    @Flag(help: "Same as --log-level debug.")
    var debug = false
    @Flag(name: .customLong("systemd-cgroup"), help: "Accepted for compatibility; cgroups are managed as plain directories.")
    var systemdCgroup = false

    func diagnostics() throws -> Diagnostics {
        var level = Diagnostics.Level.warning
        if debug { level = .debug }
        if let name = logLevel {
            guard let l = Diagnostics.Level(name: name) else { throw ValidationError("unknown --log-level \"\(name)\"") }
            level = l
        }
        guard logFormat == "text" || logFormat == "json" else { throw ValidationError("--log-format must be text or json") }
        return Diagnostics(level: level, logFile: log, json: logFormat == "json")
    }

    func runtime() throws -> OCIRuntime {
        var rt = OCIRuntime(root: root, log: try diagnostics())
        rt.rerunCommandLine = CommandLine.arguments
        return rt
    }
}

struct OCI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "A runc-compatible OCI runtime (create, start, state, kill, delete, run, …).",
        version: SwiftboxVersion.ociVersionText,
        subcommands: [OCICreate.self, OCIStart.self, OCIState.self, OCIKill.self, OCIDelete.self, OCIRun.self, OCIExec.self,
                      OCIList.self, OCISpec.self, OCIFeatures.self,
                      OCIUpdate.self, OCIPause.self, OCIResume.self, OCIPs.self, OCIEvents.self,
                      OCICheckpoint.self, OCIRestore.self])
    @OptionGroup var globals: OCIGlobals
}

struct OCICreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container; its process waits for `start`.")
    @OptionGroup var globals: OCIGlobals
    @Option(name: [.short, .long], help: "The bundle directory (config.json and rootfs).") var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the container process's pid here.") var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "Unix socket to receive the pty master when process.terminal is true.") var consoleSocket: String?
    @Flag(name: .customLong("no-pivot"), help: "Accepted for compatibility; swiftbox always uses pivot_root.") var noPivot = false
    @Flag(name: .customLong("no-new-keyring"), help: "Accepted for compatibility.") var noNewKeyring = false
    @Option(name: .customLong("preserve-fds"), help: "Pass this many extra fds (from 3) to the container.") var preserveFds: Int = 0
    @Flag(name: .customLong("dry-run"), help: "Print the kernel operations a create would perform, and do nothing.") var dryRun = false
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        let rt = try globals.runtime()
        let opts = OCIRuntime.CreateOptions(bundle: bundle, pidFile: pidFile, consoleSocket: consoleSocket,
                                            preserveFDs: Int32(preserveFds))
        if dryRun { return try printPlan(rt, opts, id: id, create: true) }
        try rt.create(id: id, options: opts)
    }
}

func printPlan(_ rt: OCIRuntime, _ opts: OCIRuntime.CreateOptions, id: String, create: Bool) throws {
    let (spec, bundle) = try OCIRuntime.loadSpec(bundle: opts.bundle)
    try ContainerStoreValidation.validate(id)
    let mode: PlanBuilder.Mode = create ? .create(execFifo: rt.store.execFifo(id)) : .run
    let plan = try rt.plan(spec: spec, bundle: bundle, id: id, mode: mode, consoleFD: spec.process?.terminal == true ? 3 : nil)
    for line in plan.lines { print(line) }
}

enum ContainerStoreValidation {
    static func validate(_ id: String) throws { try ContainerStore.validate(id: id) }
}

struct OCIStart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Run the user process of a created container.")
    @OptionGroup var globals: OCIGlobals
    @Argument var id: String
    func run() throws { try globals.runtime().start(id: id) }
}

struct OCIState: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print the container's state as the OCI spec's JSON.")
    @OptionGroup var globals: OCIGlobals
    @Argument var id: String
    func run() throws {
        print(try stateJSON(globals.runtime().state(id: id)))
    }
}

func stateJSON(_ state: ContainerState) throws -> String { try jsonText(state, pretty: true) }

struct OCIKill: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default SIGTERM) to the container's process.")
    @OptionGroup var globals: OCIGlobals
    @Flag(name: [.short, .long], help: "Signal every process in the container's cgroup.") var all = false
    @Argument var id: String
    @Argument var signal: String = "SIGTERM"
    func run() throws { try globals.runtime().kill(id: id, signal: signal, all: all) }
}

struct OCIDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a stopped container (any container with --force).")
    @OptionGroup var globals: OCIGlobals
    @Flag(name: [.short, .long], help: "Kill the container first if it is running.") var force = false
    @Argument var id: String
    func run() throws { try globals.runtime().delete(id: id, force: force) }
}

struct OCIRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and start a container, wait for it, and delete it.")
    @OptionGroup var globals: OCIGlobals
    @Option(name: [.short, .long]) var bundle: String = "."
    @Option(name: .customLong("pid-file")) var pidFile: String?
    @Option(name: .customLong("console-socket")) var consoleSocket: String?
    @Flag(name: [.short, .long], help: "Do not wait for the container.") var detach = false
    @Option(name: .customLong("preserve-fds"), help: "Pass this many extra fds (from 3) to the container.") var preserveFds: Int = 0
    @Flag(name: .customLong("no-pivot")) var noPivot = false
    @Flag(name: .customLong("no-new-keyring")) var noNewKeyring = false
    @Flag(name: .customLong("dry-run"), help: "Print the kernel operations a run would perform, and do nothing.") var dryRun = false
    @Argument var id: String

    func run() throws {
        let rt = try globals.runtime()
        let opts = OCIRuntime.CreateOptions(bundle: bundle, pidFile: pidFile, consoleSocket: consoleSocket,
                                            preserveFDs: Int32(preserveFds))
        if dryRun { return try printPlan(rt, opts, id: id, create: false) }
        let code = try rt.run(id: id, options: opts, detach: detach)
        if code != 0 { throw ExitCode(code) }
    }
}

struct OCIList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @OptionGroup var globals: OCIGlobals
    @Option(name: [.short, .long], help: "table or json") var format: String = "table"
    @Flag(name: [.short, .long], help: "Only IDs.") var quiet = false

    func run() throws {
        let rows = try globals.runtime().list()
        if quiet { rows.forEach { print($0.0.id) }; return }
        if format == "json" {
            let states = rows.map { r, s in
                ContainerState(id: r.id, status: s, pid: s == .stopped ? 0 : r.pid, bundle: r.bundle, annotations: r.annotations)
            }
            print(String(decoding: try JSONEncoder().encode(states), as: UTF8.self))
            return
        }
        var table = [["ID", "PID", "STATUS", "BUNDLE", "CREATED"]]
        for (r, s) in rows { table.append([r.id, s == .stopped ? "0" : "\(r.pid)", s.rawValue, r.bundle, r.created]) }
        printTable(table)
    }
}

struct OCISpec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a default config.json into the bundle directory.")
    @OptionGroup var globals: OCIGlobals
    @Option(name: [.short, .long]) var bundle: String = "."
    func run() throws {
        let path = bundle + "/config.json"
        if access(path, F_OK) == 0 { throw ValidationError("\(path) already exists") }
        let data = try SpecLoader.encode(DefaultSpec.make())
        try FileSystem.writeAtomically(path, Array(data))
    }
}

struct OCIFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this runtime supports (runtime-spec features.md).")
    @OptionGroup var globals: OCIGlobals
    func run() throws { print(Features.json) }
}

func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    var widths = first.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    for r in rows {
        var line = ""
        for (i, c) in r.enumerated() {
            line += i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 3)
        }
        print(line)
    }
}

enum ProcessEnv {
    static func get(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
