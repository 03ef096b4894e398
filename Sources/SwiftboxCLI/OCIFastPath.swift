// A direct parser for the OCI verbs that sit on a container's start-up path (run,
// create, start, state, kill, delete), used before swift-argument-parser.
//
// Why: ArgumentParser builds its command tree through reflection, and on first use
// the Swift runtime resolves generic metadata by mangled name — measured with
// `perf record` at ~17% of swiftbox's CPU time in `oci run` of /bin/true (about 1.5 ms
// here). podman and containerd call these verbs for every container, so they get a
// plain loop. Anything unusual (--help, an unknown option, a missing value) returns
// nil and the full parser handles it, so errors and help text come from one place.
import SwiftboxRuntime

struct OCIFastPath {
    var globals = OCIGlobalValues()
    var verb = ""
    var id = ""
    var bundle = "."
    var pidFile: String?
    var consoleSocket: String?
    var preserveFDs: Int32 = 0
    var detach = false
    var force = false
    var all = false
    var signal = "SIGTERM"

    struct OCIGlobalValues {
        var root = ProcessEnv.get("SWIFTBOX_OCI_ROOT") ?? "/run/swiftbox-oci"
        var log: String?
        var logFormat = "text"
        var logLevel: String?
        var debug = false
    }

    static let verbs: Set<String> = ["run", "create", "start", "state", "kill", "delete"]

    /// Parse `[globals] VERB [options] ID [SIGNAL]`, or nil to defer to ArgumentParser.
    static func parse(_ args: [String]) -> OCIFastPath? {
        var p = OCIFastPath()
        var i = 0
        func value() -> String? {
            guard i + 1 < args.count else { return nil }
            i += 1
            return args[i]
        }
        // Globals, up to the verb.
        while i < args.count, p.verb.isEmpty {
            let a = args[i]
            switch a {
            case "--root": guard let v = value() else { return nil }; p.globals.root = v
            case "--log": guard let v = value() else { return nil }; p.globals.log = v
            case "--log-format": guard let v = value(), v == "text" || v == "json" else { return nil }; p.globals.logFormat = v
            case "--log-level": guard let v = value() else { return nil }; p.globals.logLevel = v
            case "--debug": p.globals.debug = true
            case "--systemd-cgroup": break
            default:
                guard verbs.contains(a) else { return nil }
                p.verb = a
            }
            i += 1
        }
        guard !p.verb.isEmpty else { return nil }
        var positional: [String] = []
        while i < args.count {
            let a = args[i]
            switch (p.verb, a) {
            case ("run", "--bundle"), ("run", "-b"), ("create", "--bundle"), ("create", "-b"):
                guard let v = value() else { return nil }; p.bundle = v
            case ("run", "--pid-file"), ("create", "--pid-file"):
                guard let v = value() else { return nil }; p.pidFile = v
            case ("run", "--console-socket"), ("create", "--console-socket"):
                guard let v = value() else { return nil }; p.consoleSocket = v
            case ("run", "--preserve-fds"), ("create", "--preserve-fds"):
                guard let v = value(), let n = Int32(v), n >= 0 else { return nil }; p.preserveFDs = n
            case ("run", "--no-pivot"), ("create", "--no-pivot"), ("run", "--no-new-keyring"), ("create", "--no-new-keyring"):
                break
            case ("run", "--detach"), ("run", "-d"): p.detach = true
            case ("delete", "--force"), ("delete", "-f"): p.force = true
            case ("kill", "--all"), ("kill", "-a"): p.all = true
            default:
                if a.hasPrefix("-") { return nil }
                positional.append(a)
            }
            i += 1
        }
        let expected = p.verb == "kill" ? 1...2 : 1...1
        guard expected.contains(positional.count) else { return nil }
        p.id = positional[0]
        if positional.count == 2 { p.signal = positional[1] }
        if let level = p.globals.logLevel, Diagnostics.Level(name: level) == nil { return nil }
        return p
    }

    func diagnostics() -> Diagnostics {
        var level: Diagnostics.Level = globals.debug ? .debug : .warning
        if let name = globals.logLevel, let l = Diagnostics.Level(name: name) { level = l }
        return Diagnostics(level: level, logFile: globals.log, json: globals.logFormat == "json")
    }

    /// Run the verb; returns the exit status.
    func run() throws -> Int32 {
        var rt = OCIRuntime(root: globals.root, log: diagnostics())
        rt.rerunCommandLine = CommandLine.arguments
        let opts = OCIRuntime.CreateOptions(bundle: bundle, pidFile: pidFile, consoleSocket: consoleSocket,
                                            preserveFDs: preserveFDs)
        switch verb {
        case "run": return try rt.run(id: id, options: opts, detach: detach)
        case "create": try rt.create(id: id, options: opts)
        case "start": try rt.start(id: id)
        case "state": print(try stateJSON(rt.state(id: id)))
        case "kill": try rt.kill(id: id, signal: signal, all: all)
        case "delete": try rt.delete(id: id, force: force)
        default: break
        }
        return 0
    }
}
