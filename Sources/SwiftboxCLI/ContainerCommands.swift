// The `docker run` family: run, create, start, ps, logs, stop, kill, rm, exec, wait,
// inspect — and the hidden `monitor` each running container has.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CShim
import SwiftboxBuilder
import SwiftboxEngine
import SwiftboxErrors
import SwiftboxKernel
import SwiftboxRuntime

extension EngineGlobals {
    var engine: Engine { Engine(root: root) }
}

/// Engine commands exit like Docker's: the status given, or the error's (SwiftboxError:
/// 126/127 for the container's command, 125 for the rest).
func engineCommand(_ body: () throws -> Int32) -> Never {
    do {
        let code = try body()
        exit(code)
    } catch let e as FormatError {
        // Not the engine's: the CLI's own printing, with Docker's 1 and 64 for templates.
        SwiftboxMain.printError(e.message)
        exit(e.code)
    } catch {
        let e = SwiftboxError(error)
        SwiftboxMain.printError(e.message)
        exit(e.exitCode(otherwise: 125))
    }
}

struct ContainerOptions: ParsableArguments {
    @Option(name: .long, help: "Name the container.") var name: String?
    @Option(name: [.short, .customLong("env")], help: "Set an environment variable (NAME=VALUE); repeatable.") var env: [String] = []
    @Option(name: .customLong("env-file"), help: "Read NAME=VALUE lines from a file; repeatable.") var envFile: [String] = []
    @Option(name: [.short, .customLong("workdir")]) var workdir: String?
    @Option(name: [.short, .long], help: "USER[:GROUP] (names or numbers, looked up in the image).") var user: String?
    @Option(name: .long) var entrypoint: String?
    @Option(name: [.customShort("h"), .long]) var hostname: String?
    @Option(name: [.short, .customLong("label")]) var label: [String] = []
    @Flag(name: .customLong("rm"), help: "Remove the container when it exits.") var autoRemove = false
    @Flag(name: .customLong("read-only")) var readOnly = false
    @Flag var privileged = false
    @Option(name: .customLong("cap-add")) var capAdd: [String] = []
    @Option(name: .customLong("cap-drop")) var capDrop: [String] = []
    @Option(help: "Add a host device: HOST[:CONTAINER[:PERMS]], PERMS of rwm (default rwm); repeatable.") var device: [String] = []
    @Option(name: .customLong("stop-signal")) var stopSignal: String?
    @Option(name: .customLong("stop-timeout")) var stopTimeout: Int?
    @OptionGroup var networkOptions: NetworkRunOptions
    @Flag(help: "Run a minimal init as PID 1 that forwards signals and reaps zombies.") var `init` = false
    @Option(name: .customLong("security-opt"), help: "seccomp=unconfined|PROFILE.json, no-new-privileges; repeatable.") var securityOpt: [String] = []
    @Option(help: "NAME=SOFT[:HARD], e.g. nofile=1024:2048; repeatable.") var ulimit: [String] = []
    @Option(name: .customLong("userns-remap"), help: "Run as an unprivileged host ID range: default, NAME[:GROUP], UID:GID:COUNT, or host (none; overrides the root's daemon.json).") var usernsRemap: String?
    @Option(name: .customLong("log-opt"), help: "json-file options: max-size=10m, max-file=3.") var logOpt: [String] = []
    @Option(name: .customLong("cidfile"), help: "Write the container ID to this file.") var cidfile: String?
    @Flag(name: [.short, .long], help: "Keep stdin open and send it to the container.") var interactive = false
    @Flag(name: [.short, .long], help: "Allocate a pseudo-terminal.") var tty = false
    @OptionGroup var healthRestart: HealthRestartOptions
    @OptionGroup var resources: ResourceOptions
    @OptionGroup var mounts: MountOptions
    @Argument var image: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    func runOptions() throws -> RunOptions {
        let basics = RunBasics(image: image, command: command, name: name, env: env, envFiles: envFile, workdir: workdir,
                               user: user, entrypoint: entrypoint, hostname: hostname, labels: label,
                               networks: networkOptions.network, autoRemove: autoRemove, readOnly: readOnly,
                               privileged: privileged, initProcess: `init`, interactive: interactive, tty: tty,
                               capAdd: capAdd, capDrop: capDrop, stopSignal: stopSignal, stopTimeout: stopTimeout)
        var o = try basics.runOptions()
        try networkOptions.apply(to: &o)
        o.devices = try device.map(DeviceMapping.parse)
        o.securityOpt = securityOpt
        o.ulimits = ulimit
        o.usernsRemap = usernsRemap
        o.logOpts = logOpt
        try resources.apply(to: &o)
        try mounts.apply(to: &o)
        try healthRestart.apply(to: &o)
        return o
    }

    /// --env-file lines, then -e values; "-e NAME" takes the value from our own
    /// environment (and is dropped when we have none), as Docker does.
    static func environment(_ env: [String], files: [String]) throws -> [String] {
        var out: [String] = []
        for file in files {
            guard let text = try? String(decoding: FileSystem.read(file), as: UTF8.self) else { throw ValidationError("cannot read --env-file \(file)") }
            for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty { out.append(String(line)) }
        }
        for e in try validEnvironment(env) {
            if !e.contains("="), let v = getenv(e) { out.append("\(e)=\(String(cString: v))") } else if e.contains("=") { out.append(e) }
        }
        return out
    }

    /// -e values as Docker checks them (opts.ValidateEnv): a variable needs a name.
    static func validEnvironment(_ env: [String], flag: String = "-e, --env") throws -> [String] {
        for e in env where e.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0].isEmpty {
            throw ResourceOptions.invalid(e, flag, "invalid environment variable: \(e)")
        }
        return env
    }

    /// -l KEY=VALUE (or KEY, an empty value).
    static func labels(_ flags: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for l in flags {
            let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
            out[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return out
    }

    /// Our terminal's size, for the container's pty (-t).
    static func terminalSize() -> (rows: UInt, columns: UInt)? {
        var ws = winsize()
        guard ioctl(0, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_row > 0 else { return nil }
        return (UInt(ws.ws_row), UInt(ws.ws_col))
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and start a container from an image.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Run in the background and print the container ID.") var detach = false
    @OptionGroup var options: ContainerOptions
    @OptionGroup var narration: NarrationOptions

    func run() throws {
        engineCommand {
            let o = try options.runOptions()
            if narration.dryRun {
                print("# swiftbox run --dry-run: the steps of this start; none of them is done", terminator: "\n\n")
                print(Narration.text(try globals.engine.dryRun(o)), terminator: "")
                return 0
            }
            let trace = try TraceSession.begin(narration)
            defer { trace?.finish() }
            return try Run.run(globals.engine, o, detach: detach, cidfile: options.cidfile)
        }
    }

    /// Create, start, then attach or follow the logs until the container exits (or
    /// print its ID with -d); the container's exit status. Shared with RunFastPath.
    static func run(_ engine: Engine, _ options: RunOptions, detach: Bool, cidfile: String?) throws -> Int32 {
        if let f = cidfile, access(f, F_OK) == 0 { throw EngineError.failed("container ID file found, make sure the other container isn't running or delete \(f)") }
        let c = try engine.create(options, attached: !detach)
        printResourceWarnings(engine, c)
        if let f = cidfile { try FileSystem.writeAtomically(f, Array(c.id.utf8)) }
        var attachFD: Int32 = -1
        // Opened (made) before the start: a container that exits at once is removed by
        // its monitor before a reader opening the log afterwards would find it.
        let log = detach || options.interactive || options.tty ? nil : engine.logTail(c.id, create: true)
        let monitor: pid_t?
        do {
            monitor = try engine.start(c.id, attached: !detach) {
                attachFD = (try? UnixSocket.connect(path: engine.attachPath(c.id))) ?? -1
            }
        } catch {
            if options.autoRemove { try? engine.remove(c.id, force: true) }
            throw error
        }
        if detach { print(c.id); return 0 }
        return foregroundSession(engine, c.id, attachFD: attachFD, raw: options.tty && isatty(0) != 0,
                                 monitor: monitor, log: log, autoRemove: options.autoRemove)
    }
}

/// A started container in the foreground (`run`, `compose run`): through its attach
/// socket (-i/-t), else its log, until it exits; its exit code. The monitor removes a
/// --rm container after its exit; only one that died first (its container left behind)
/// is removed here.
func foregroundSession(_ engine: Engine, _ id: String, attachFD: Int32, raw: Bool, monitor: pid_t?, log: LogTail?,
                       autoRemove: Bool) -> Int32 {
    defer { if autoRemove && engine.exists(id) { try? engine.remove(id, force: true) } }
    if attachFD >= 0 { return attachSession(engine, id, attachFD, raw: raw, monitor: monitor) }
    if let pid = Optional(engine.recordedState(id).pid), pid > 0 { sb_forward_signals(pid) }
    return followLogs(engine, id, follow: true, tail: nil, timestamps: false, monitor: monitor, log: log) ?? 0
}

/// -i/-t: our stdin to the container, its output to our stdout, until it exits. With a
/// terminal, ours is put in raw mode (the container's pty does the line editing) and
/// restored afterwards.
func attachSession(_ engine: Engine, _ id: String, _ sock: Int32, raw: Bool, monitor: pid_t? = nil) -> Int32 {
    var saved = termios()
    if raw {
        tcgetattr(0, &saved)
        var t = saved
        cfmakeraw(&t)
        tcsetattr(0, TCSANOW, &t)
    }
    defer { if raw { tcsetattr(0, TCSANOW, &saved) } }
    var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: sock, events: Int16(POLLIN), revents: 0)]
    var buf = [UInt8](repeating: 0, count: 65536)
    var stdinOpen = true
    if raw { sb_watch_winch() }
    while true {
        fds[0].fd = stdinOpen ? 0 : -1
        if raw && sb_take_winch() != 0 { sendResize(engine, id) }
        if poll(&fds, 2, -1) < 0 { if errno == EINTR { continue }; break }
        if stdinOpen && fds[0].revents != 0 {
            let n = read(0, &buf, buf.count)
            if n > 0 { _ = send(sock, buf, n, Int32(MSG_NOSIGNAL)) } else { stdinOpen = false; shutdown(sock, Int32(SHUT_WR)) }
        }
        if fds[1].revents != 0 {
            let n = read(sock, &buf, buf.count)
            if n <= 0 { break }
            _ = write(1, buf, n)
        }
    }
    close(sock)
    return monitor.flatMap(exitCode(ofMonitor:)) ?? engine.wait(id) ?? 255
}

/// The exit status of a monitor this process started (Engine.start returns it): the
/// container's exit code. Nil when the monitor did not exit normally (killed): then
/// the state (or the journal) says what happened.
func exitCode(ofMonitor pid: pid_t) -> Int32? { DetachedProcess.exitCode(of: pid) }

/// Tell the monitor our terminal's new size.
func sendResize(_ engine: Engine, _ id: String) {
    var ws = winsize()
    guard ioctl(0, UInt(TIOCGWINSZ), &ws) == 0, let fd = try? UnixSocket.connect(path: engine.resizePath(id)) else { return }
    defer { close(fd) }
    let msg = "\(ws.ws_row) \(ws.ws_col)\n"
    _ = msg.withCString { write(fd, $0, strlen($0)) }
}

/// Print a container's log (and, with follow, what comes until it exits); returns
/// the exit code once the container has exited. `monitor`: the container's monitor is
/// this process's child (Engine.start returned it): following ends when it exits, and
/// its exit status is the container's code (a --rm container is gone by then).
@discardableResult
func followLogs(_ engine: Engine, _ id: String, follow: Bool, tail: Int?, timestamps: Bool, since: Int? = nil,
                monitor child: pid_t? = nil, log opened: LogTail? = nil) -> Int32? {
    // The current file through a descriptor: it may be rotated or removed while we follow
    // (`opened`: by the caller, before it started the container).
    let current = opened ?? engine.logTail(id)
    var entries = engine.logEntries(id) + current.next()
    if let since { entries = entries.filter { (RelativeTime.parse($0.time) ?? 0) >= since } }
    if let tail { entries = Array(entries.suffix(tail)) }
    func emit(_ e: LogEntry) {
        let text = timestamps ? "\(e.time) \(e.log)" : e.log
        let fd: Int32 = e.stream == "stderr" ? 2 : 1
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }
    entries.forEach(emit)
    guard follow else { return nil }
    if let child {
        // Lines as they come, every 2 ms at most, until the monitor exits; then the rest
        // (it wrote everything before exiting).
        let watch = ProcessWatch(pid: child, startTime: nil)
        while !(watch?.wait(timeoutMs: 2) ?? true) { current.next().forEach(emit) }
        current.next().forEach(emit)
        if let code = exitCode(ofMonitor: child) { return code }
        return engine.exists(id) ? engine.wait(id, timeoutMs: 0) ?? 255 : engine.removedExitCode(id)
    }
    // The monitor records the container's end in state.json and then exits (or dies):
    // while it lives there is nothing new to learn there, only log lines to print. Its
    // pidfd wakes us the moment it goes; the 2 ms timeout keeps the lines flowing, and
    // state.json is still read every 100 ms in case.
    let monitor = engine.watchMonitor(id)
    var lastLook: Int?
    while true {
        let monitorGone = monitor?.exited ?? true
        var state: EngineState?
        if monitorGone || lastLook.map({ Processes.monotonicMs() - $0 >= 100 }) ?? true {
            // Removed (a --rm container's monitor removes it after the exit): that was all.
            guard engine.exists(id) else {
                current.next().forEach(emit)
                return engine.removedExitCode(id)
            }
            state = engine.observedState(id)
            lastLook = Processes.monotonicMs()
        }
        let more = current.next()
        more.forEach(emit)
        if let s = state, s.status == .exited || s.status == .dead, more.isEmpty { return s.status == .dead ? 255 : s.exitCode }
        if let monitor, !monitorGone { _ = monitor.wait(timeoutMs: 2) } else { usleep(2_000) }
    }
}

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container without starting it.")
    @OptionGroup var globals: EngineGlobals
    @OptionGroup var options: ContainerOptions
    @OptionGroup var narration: NarrationOptions
    func run() throws {
        engineCommand {
            let o = try options.runOptions()
            if narration.dryRun {
                print("# swiftbox create --dry-run: the steps of this create; none of them is done", terminator: "\n\n")
                print(Narration.text(try globals.engine.dryRun(o, start: false)), terminator: "")
                return 0
            }
            let trace = try TraceSession.begin(narration)
            defer { trace?.finish() }
            let c = try globals.engine.create(o)
            printResourceWarnings(globals.engine, c)
            print(c.id)
            return 0
        }
    }
}

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start stopped containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Attach: print the output and wait.") var attach = false
    @OptionGroup var narration: NarrationOptions
    @Argument var containers: [String]
    func run() throws {
        engineCommand {
            let engine = globals.engine
            if narration.dryRun {
                for ref in containers {
                    print("# swiftbox start --dry-run \(ref): the steps of this start; none of them is done", terminator: "\n\n")
                    print(Narration.text(try engine.dryRunStart(ref)), terminator: "")
                }
                return 0
            }
            let trace = try TraceSession.begin(narration)
            defer { trace?.finish() }
            var code: Int32 = 0
            for ref in containers {
                let id = try engine.containerID(ref)
                let log = attach ? engine.logTail(id, create: true) : nil
                let monitor = try engine.start(id, attached: attach)
                if attach { code = followLogs(engine, id, follow: true, tail: 0, timestamps: false, monitor: monitor, log: log) ?? 0 } else { print(ref) }
            }
            return code
        }
    }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop containers: the stop signal, then SIGKILL after the timeout.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .customLong("time")], help: "Seconds to wait before SIGKILL.") var time: Int?
    @Argument var containers: [String]
    func run() throws {
        engineCommand {
            for ref in containers { try globals.engine.stop(try globals.engine.containerID(ref), timeout: time); print(ref) }
            return 0
        }
    }
}

struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default SIGKILL) to containers.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long]) var signal: String = "SIGKILL"
    @Argument var containers: [String]
    func run() throws {
        engineCommand {
            for ref in containers { try globals.engine.kill(try globals.engine.containerID(ref), signal: signal); print(ref) }
            return 0
        }
    }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Kill a running container first.") var force = false
    @Flag(name: [.short, .long], help: "Also remove the container's anonymous volumes.") var volumes = false
    @Argument var containers: [String]
    func run() throws {
        engineCommand {
            for ref in containers {
                let id: String
                do { id = try globals.engine.containerID(ref) } catch EngineError.noSuchContainer(let n) {
                    // The name of a create that was killed half way (EngineStore+Incomplete).
                    guard globals.engine.removeIncompleteClaim(ref) else { throw EngineError.noSuchContainer(n) }
                    print(ref)
                    continue
                }
                try globals.engine.remove(id, force: force, removeVolumes: volumes)
                print(ref)
            }
            return 0
        }
    }
}

struct Wait: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait for containers to exit; print their exit codes.")
    @OptionGroup var globals: EngineGlobals
    @Argument var containers: [String]
    func run() throws {
        engineCommand {
            for ref in containers { print(globals.engine.wait(try globals.engine.containerID(ref)) ?? 255) }
            return 0
        }
    }
}

struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a container's output.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long]) var follow = false
    @Option(name: [.customShort("n"), .long], help: "Number of lines from the end, or \"all\".") var tail: String = "all"
    @Flag(name: [.short, .long]) var timestamps = false
    @Option(help: "Only lines since this time: RFC 3339 (2026-11-25T16:00:00Z) or a duration (10s, 5m, 2h).") var since: String?
    @Argument var container: String
    func run() throws {
        engineCommand {
            let engine = globals.engine
            let id = try engine.containerID(container)
            var sinceEpoch: Int?
            if let since {
                guard let t = Logs.parseSince(since, now: Int(time(nil))) else { throw ValidationError("--since \(since): expected an RFC 3339 time or a duration like 10m") }
                sinceEpoch = t
            }
            followLogs(engine, id, follow: follow, tail: tail == "all" ? nil : Int(tail), timestamps: timestamps, since: sinceEpoch)
            return 0
        }
    }
}

extension Logs {
    /// "2026-11-25T16:00:00Z", or a duration back from now: "90s", "10m", "2h", "1h30m".
    static func parseSince(_ text: String, now: Int) -> Int? {
        if let t = RelativeTime.parse(text) { return t }
        var total = 0
        var number = ""
        for ch in text {
            if ch.isNumber { number.append(ch); continue }
            guard let n = Int(number) else { return nil }
            switch ch {
            case "s": total += n
            case "m": total += n * 60
            case "h": total += n * 3600
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty, total > 0 else { return nil }
        return now - total
    }
}

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a command in a running container.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long]) var detach = false
    @Option(name: [.short, .long]) var env: [String] = []
    @Option(name: [.short, .long]) var workdir: String?
    @Option(name: [.short, .long]) var user: String?
    @OptionGroup var narration: ExecNarrationOptions
    @Argument var container: String
    @Argument(parsing: .captureForPassthrough) var command: [String]
    func run() throws {
        engineCommand {
            let engine = globals.engine
            if narration.dryRun {
                print("# swiftbox exec --dry-run: the steps of this exec; none of them is done", terminator: "\n\n")
                print(Narration.text(try engine.dryRunExec(try engine.containerID(container), command: command,
                                                           env: try ContainerOptions.validEnvironment(env), workingDir: workdir,
                                                           user: user, detach: detach)), terminator: "")
                return 0
            }
            // The process that enters the container runs from a sealed executable
            // (SealedExecutable, CVE-2019-5736): before anything else, as this starts over.
            try SealedExecutable.ensure(rerun: CommandLine.arguments)
            let trace = try TraceSession.begin(narration)
            defer { trace?.finish() }
            return try engine.exec(try engine.containerID(container), command: command,
                                   env: try ContainerOptions.validEnvironment(env), workingDir: workdir,
                                   user: user, detach: detach)
        }
    }
}

struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "monitor", abstract: "A container's monitor (started by swiftbox itself).", shouldDisplay: false)
    @OptionGroup var globals: EngineGlobals
    @Argument var id: String
    func run() throws {
        joinTraceFromEnvironment()
        Monitor(engine: globals.engine, id: id).run(readyFD: 3)
    }
}

/// Deletes what container removals left in the trash (Trash). `rm` and `run --rm` fork
/// one in the background (this is what `ps` shows for it); `system prune` empties the
/// trash itself.
struct TrashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trash", abstract: "Delete removed containers' files (run by swiftbox itself).", shouldDisplay: false)
    @OptionGroup var globals: EngineGlobals
    func run() throws { globals.engine.trash.empty() }
}

struct Rename: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a container.")
    @OptionGroup var globals: EngineGlobals
    @Argument var container: String
    @Argument var newName: String
    func run() throws { engineCommand { try globals.engine.rename(try globals.engine.containerID(container), to: newName); return 0 } }
}

struct Restart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Stop and start containers.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .customLong("time")]) var time: Int?
    @Argument var containers: [String]
    func run() throws {
        engineCommand {
            for ref in containers {
                try globals.engine.restart(try globals.engine.containerID(ref), timeout: time)
                print(ref)
            }
            return 0
        }
    }
}

struct ContainerGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "container", abstract: "Manage containers.",
                                                    subcommands: [ContainerPrune.self, Diff.self, Export.self, Pause.self, Unpause.self, Commit.self])
}

struct ContainerPrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Do not ask (swiftbox never asks).") var force = false
    func run() throws {
        engineCommand {
            let removed = try globals.engine.pruneContainers()
            if !removed.isEmpty { print("Deleted Containers:"); removed.forEach { print($0) } }
            return 0
        }
    }
}

struct Top: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Show the processes of a container.")
    @OptionGroup var globals: EngineGlobals
    @Argument var container: String
    func run() throws {
        engineCommand {
            let engine = globals.engine
            let id = try engine.runningContainer(container)
            printTable(Top.table(engine.top(id)))
            return 0
        }
    }
}

extension Top {
    /// Docker's columns for `top` and `compose top`.
    static func table(_ processes: [ContainerProcess]) -> [[String]] {
        [["UID", "PID", "PPID", "CMD"]] + processes.map { [$0.uid, "\($0.pid)", $0.ppid, $0.command] }
    }
}

struct SystemGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "system", abstract: "Disk usage and cleanup.",
                                                    subcommands: [SystemDf.self, SystemPrune.self, SystemRestore.self])
}

struct SystemDf: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "df", abstract: "Show disk usage.")
    @OptionGroup var globals: EngineGlobals
    func run() throws {
        engineCommand {
            let engine = globals.engine
            let index = try engine.images.readIndex()
            let containers = engine.list()
            let used = Set(containers.map(\.0.imageID))
            let imageSize = index.images.values.reduce(Int64(0)) { $0 + $1.size }
            let reclaimable = index.images.values.filter { !used.contains($0.id.description) }.reduce(Int64(0)) { $0 + $1.size }
            let containerSize = containers.reduce(Int64(0)) { $0 + engine.writableLayerSize($1.0.id) }
            printTable([["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
                        ["Images", "\(index.images.count)", "\(used.count)", formatSize(imageSize), formatSize(reclaimable)],
                        ["Containers", "\(containers.count)", "\(containers.filter { $0.1.status == .running }.count)",
                         formatSize(containerSize), formatSize(containers.filter { $0.1.status != .running }.reduce(Int64(0)) { $0 + engine.writableLayerSize($1.0.id) })]])
            return 0
        }
    }
}

struct SystemPrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove stopped containers, unused images (dangling; all with -a) and leftovers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long]) var all = false
    @Flag(name: [.short, .long], help: "Do not ask (swiftbox never asks).") var force = false
    @Flag(name: .long, help: "Also remove unused anonymous volumes.") var volumes = false
    func run() throws {
        engineCommand {
            let engine = globals.engine
            let removed = try engine.pruneContainers().count
            let used = Set(engine.list().map(\.0.imageID))
            let images = try engine.images.prune(all: all, keep: used).count
            // -a: the build cache too, as `builder prune` (Docker's system prune -a does).
            if all { _ = try Builder(engine: engine) { _ in }.prune() }
            _ = try engine.pruneNetworks(includingDefault: true)
            let prunedVolumes = volumes ? try engine.pruneVolumes(all: false, labels: []).names.count : 0
            engine.trash.empty(waiting: true)   // what earlier removals left, and these
            print(volumes ? "Deleted \(removed) containers, \(images) images and \(prunedVolumes) volumes"
                          : "Deleted \(removed) containers and \(images) images")
            return 0
        }
    }
}

struct Attach: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attach", abstract: "Attach to a running container started with -i or -t.")
    @OptionGroup var globals: EngineGlobals
    @Argument var container: String
    func run() throws {
        engineCommand {
            let engine = globals.engine
            let id = try engine.runningContainer(container)
            let c = try engine.container(id)
            guard c.tty == true || c.interactive == true else {
                // Without -i/-t there is nothing to send: follow the output, as Docker shows it.
                return followLogs(engine, id, follow: true, tail: 0, timestamps: false) ?? 0
            }
            let sock = try UnixSocket.connect(path: engine.attachPath(id))
            return attachSession(engine, id, sock, raw: c.tty == true && isatty(0) != 0)
        }
    }
}
