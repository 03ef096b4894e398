// `swiftbox oci exec`: runc's exec — a process.json (--process), or a command with
// overrides of the container's own process settings.
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

struct OCIExec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a new process inside a running container.")
    @OptionGroup var globals: OCIGlobals
    @Option(name: [.short, .long], help: "A process.json to run (the `process` object of config.json).") var process: String?
    @Flag(name: [.short, .long], help: "Allocate a pseudo-terminal (needs --console-socket).") var tty = false
    @Option(name: .customLong("console-socket")) var consoleSocket: String?
    @Option(name: .customLong("cwd")) var cwd: String?
    @Option(name: [.short, .long], help: "Set an environment variable (KEY=VALUE); repeatable.") var env: [String] = []
    @Option(name: [.short, .long], help: "UID[:GID]") var user: String?
    @Option(name: [.short, .customLong("additional-gids")]) var additionalGids: [UInt32] = []
    @Option(name: [.short, .long], help: "Add a capability; repeatable.") var cap: [String] = []
    @Flag(name: .customLong("no-new-privs")) var noNewPrivs = false
    @Flag(name: [.short, .long]) var detach = false
    @Option(name: .customLong("pid-file")) var pidFile: String?
    @Option(name: .customLong("preserve-fds")) var preserveFds: Int = 0
    @Argument(help: "The container ID.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func run() throws {
        // The process that enters the container runs from a sealed executable
        // (SealedExecutable, CVE-2019-5736): before anything else, as this starts over.
        try SealedExecutable.ensure(rerun: CommandLine.arguments)
        let rt = try globals.runtime()
        var proc: RuntimeSpec.Process
        if let path = process {
            guard let bytes = try? FileSystem.read(path) else { throw ValidationError("cannot read \(path)") }
            proc = try SpecLoader.decodeProcess(Data(bytes), file: path)
        } else {
            guard !command.isEmpty else { throw ValidationError("exec needs a command or --process") }
            let record = try rt.store.load(id)
            let (spec, _) = try OCIRuntime.loadSpec(bundle: record.bundle)
            proc = spec.process ?? RuntimeSpec.Process()
            proc.args = command
            proc.terminal = tty
            if let cwd { proc.cwd = cwd }
            if !env.isEmpty { proc.env = (proc.env ?? []) + env }
            if let user {
                let parts = user.split(separator: ":")
                guard let uid = parts.first.flatMap({ UInt32($0) }) else { throw ValidationError("--user \(user): expected UID[:GID]") }
                proc.user.uid = uid
                if parts.count > 1 {
                    guard let gid = UInt32(parts[1]) else { throw ValidationError("--user \(user): expected UID[:GID]") }
                    proc.user.gid = gid
                }
            }
            if !additionalGids.isEmpty { proc.user.additionalGids = additionalGids }
            if !cap.isEmpty {
                var caps = proc.capabilities ?? RuntimeSpec.Capabilities()
                caps.bounding = (caps.bounding ?? []) + cap
                caps.effective = (caps.effective ?? []) + cap
                caps.permitted = (caps.permitted ?? []) + cap
                proc.capabilities = caps
            }
            if noNewPrivs { proc.noNewPrivileges = true }
        }
        let opts = OCIRuntime.CreateOptions(bundle: ".", pidFile: pidFile, consoleSocket: consoleSocket, preserveFDs: Int32(preserveFds))
        let code = try rt.exec(id: id, process: proc, options: opts, detach: detach)
        if code != 0 { throw ExitCode(code) }
    }
}
