// A direct parser for the everyday `run` command lines, used before
// swift-argument-parser (as OCIFastPath is for the OCI verbs).
//
// Why: ArgumentParser reflects over every option of `run` (about 80, in six option
// groups) and over the whole command tree before it looks at the arguments; on the
// first use in a process the Swift runtime resolves each of those types by mangled
// name. `perf record` of `run --rm IMAGE true` put it at 17% of swiftbox's CPU time,
// about 3.7 ms per container here: more than creating the container's namespaces.
//
// The fast path knows the flags of docker-run(1) that need no parsing of their value
// beyond "a string" or "a number". Anything else — --help, -p, -v, --memory, a value
// that starts with "-", an unknown option, a missing value — returns nil, and the full
// parser handles the whole line, so errors and help text come from one place.
import SwiftboxEngine

struct RunFastPath {
    var root = ProcessEnv.get("SWIFTBOX_ROOT") ?? "/var/lib/swiftbox"
    var detach = false
    var basics = RunBasics()

    /// Boolean flags, long and short (short ones may be bundled: -dit).
    static let flags: [String: WritableKeyPath<RunFastPath, Bool>] = [
        "--detach": \.detach, "-d": \.detach, "--rm": \.basics.autoRemove, "--read-only": \.basics.readOnly,
        "--privileged": \.basics.privileged, "--init": \.basics.initProcess,
        "--interactive": \.basics.interactive, "-i": \.basics.interactive, "--tty": \.basics.tty, "-t": \.basics.tty,
    ]

    /// `run [options] IMAGE [COMMAND ...]` (the words after `run`), or nil to defer.
    static func parse(_ args: [String]) -> RunFastPath? {
        // A traced run (SWIFTBOX_TRACE, NarrationOptions) goes through the full parser.
        if ProcessEnv.get("SWIFTBOX_TRACE") != nil { return nil }
        var p = RunFastPath()
        var i = 0
        while i < args.count {
            let arg = args[i]
            guard arg.hasPrefix("-"), arg != "-" else { break }   // the image
            // --name=VALUE as well as --name VALUE.
            var flag = arg, inline: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                flag = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            func value() -> String? {
                if let inline { return inline }
                guard i + 1 < args.count, !args[i + 1].hasPrefix("-") else { return nil }
                i += 1
                return args[i]
            }
            if let key = flags[flag] {
                guard inline == nil else { return nil }
                p[keyPath: key] = true
                i += 1
                continue
            }
            switch flag {
            case "--root": guard let v = value() else { return nil }; p.root = v
            case "--name": guard let v = value() else { return nil }; p.basics.name = v
            case "-e", "--env": guard let v = value() else { return nil }; p.basics.env.append(v)
            case "-w", "--workdir": guard let v = value() else { return nil }; p.basics.workdir = v
            case "-u", "--user": guard let v = value() else { return nil }; p.basics.user = v
            case "--entrypoint": guard let v = value() else { return nil }; p.basics.entrypoint = v
            case "-h", "--hostname": guard let v = value() else { return nil }; p.basics.hostname = v
            case "-l", "--label": guard let v = value() else { return nil }; p.basics.labels.append(v)
            case "--network", "--net": guard let v = value() else { return nil }; p.basics.networks.append(v)
            case "--cap-add": guard let v = value() else { return nil }; p.basics.capAdd.append(v)
            case "--cap-drop": guard let v = value() else { return nil }; p.basics.capDrop.append(v)
            case "--stop-signal": guard let v = value() else { return nil }; p.basics.stopSignal = v
            case "--stop-timeout": guard let v = value(), let n = Int(v) else { return nil }; p.basics.stopTimeout = n
            default:
                // Bundled short flags (-it, -dit); anything else is for the full parser.
                let letters = arg.dropFirst()
                guard !arg.hasPrefix("--"), letters.count > 1,
                      letters.allSatisfy({ flags["-" + String($0)] != nil }) else { return nil }
                for l in letters { p[keyPath: flags["-" + String(l)]!] = true }
            }
            i += 1
        }
        guard i < args.count else { return nil }
        p.basics.image = args[i]
        p.basics.command = Array(args[(i + 1)...])
        return p
    }

    func run() -> Never {
        engineCommand { try Run.run(Engine(root: root), try basics.runOptions(), detach: detach, cidfile: nil) }
    }
}

/// The `run`/`create` flags both parsers know (RunFastPath, ContainerOptions), and the
/// RunOptions they make: one mapping for the two.
struct RunBasics {
    var image = ""
    var command: [String] = []
    var name: String?
    var env: [String] = []
    var envFiles: [String] = []
    var workdir: String?
    var user: String?
    var entrypoint: String?
    var hostname: String?
    var labels: [String] = []
    var networks: [String] = []
    var autoRemove = false
    var readOnly = false
    var privileged = false
    var initProcess = false
    var interactive = false
    var tty = false
    var capAdd: [String] = []
    var capDrop: [String] = []
    var stopSignal: String?
    var stopTimeout: Int?

    func runOptions() throws -> RunOptions {
        var o = RunOptions(image: image)
        o.networks = networks
        o.name = name
        o.args = command
        o.entrypoint = entrypoint
        o.env = try ContainerOptions.environment(env, files: envFiles)
        o.workingDir = workdir
        o.user = user
        o.hostname = hostname
        o.labels = ContainerOptions.labels(labels)
        o.autoRemove = autoRemove
        o.readOnly = readOnly
        o.privileged = privileged
        o.capAdd = capAdd
        o.capDrop = capDrop
        o.stopSignal = stopSignal
        o.stopTimeout = stopTimeout
        o.initProcess = initProcess
        o.interactive = interactive
        o.tty = tty
        if tty { o.consoleSize = ContainerOptions.terminalSize() }
        return o
    }
}
