// `run`/`create`/`start`/`exec` --dry-run and --trace[=FILE.json] (also SWIFTBOX_TRACE=1 or
// SWIFTBOX_TRACE=FILE.json): the narrated start (Narrator, Engine.dryRun, Narration).
// Only parsing and printing here.
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwiftboxEngine
import SwiftboxKernel

/// What a command's --dry-run, --trace and --trace=FILE.json asked; the flags' help is
/// the command's own (a start's steps, or an exec's).
protocol NarrationFlags {
    var dryRun: Bool { get }
    var trace: Bool { get }
    var traceFile: String? { get }
}

struct NarrationOptions: ParsableArguments, NarrationFlags {
    @Flag(name: .customLong("dry-run"), help: "Print every step of the start as numbered commands, and do none of it.")
    var dryRun = false
    @Flag(help: "Do it, printing each step with its start and duration on stderr (also SWIFTBOX_TRACE=1).")
    var trace = false
    @Option(name: .customLong("trace-file"), help: ArgumentHelp("With --trace: also write Chrome trace-event JSON to this file (--trace=FILE.json).", visibility: .hidden))
    var traceFile: String?

    /// `--trace=FILE.json` → `--trace --trace-file FILE.json` (ArgumentParser has no
    /// options with an optional value), among run/create's own options only: the scan
    /// stops at the image (a word that is neither an option nor an option's value),
    /// so a container command's own `--trace=…` is left alone.
    static func expandTrace(_ args: [String]) -> [String] {
        guard let verb = args.first, ["run", "create", "start", "exec"].contains(verb) else { return args }
        var out = [verb]
        var i = 1
        var previous: String?
        while i < args.count {
            let a = args[i]
            if a == "--" { break }
            if a.hasPrefix("--trace=") {
                out += ["--trace", "--trace-file", String(a.dropFirst("--trace=".count))]
            } else {
                if !a.hasPrefix("-") {
                    let isValue = previous.map { $0.hasPrefix("-") && !$0.contains("=") && RunFastPath.flags[$0] == nil && $0 != "--trace" && $0 != "--dry-run" } ?? false
                    if !isValue { break }
                }
                out.append(a)
            }
            previous = a
            i += 1
        }
        return out + args[i...]
    }

}

/// exec's: an exec starts no container, it enters one.
struct ExecNarrationOptions: ParsableArguments, NarrationFlags {
    @Flag(name: .customLong("dry-run"), help: "Print every step of the exec (the process, the cgroup it joins, the namespaces it enters, the clone and the execve) as numbered commands, and run nothing.")
    var dryRun = false
    @Flag(help: "Run it, printing each step with its start and duration on stderr (also SWIFTBOX_TRACE=1).")
    var trace = false
    @Option(name: .customLong("trace-file"), help: ArgumentHelp("With --trace: also write Chrome trace-event JSON to this file (--trace=FILE.json).", visibility: .hidden))
    var traceFile: String?
}

extension NarrationFlags {
    /// Tracing asked by flag or environment: where to write Chrome JSON, if anywhere.
    var tracing: (on: Bool, chromeFile: String?) {
        let env = ProcessEnv.get("SWIFTBOX_TRACE")
        let envOn = env.map { !$0.isEmpty && $0 != "0" } ?? false
        return (trace || traceFile != nil || envOn, traceFile ?? env.flatMap { $0.hasSuffix(".json") ? $0 : nil })
    }
}

/// One traced command: the steps file every process of the start appends to (the
/// CLI, the forked monitor; an exec'd monitor finds it in the environment).
struct TraceSession {
    let path: String
    let chromeFile: String?

    static func begin(_ options: some NarrationFlags) throws -> TraceSession? {
        let (on, chrome) = options.tracing
        guard on else { return nil }
        let path = "/tmp/swiftbox-trace-\(getpid()).steps"
        unlink(path)
        Narrator.current = try Narrator(path: path)
        setenv(Narrator.environmentKey, path, 1)
        return TraceSession(path: path, chromeFile: chrome)
    }

    /// Print the steps (stderr: stdout is the container's) and the summary; write the JSON.
    func finish() {
        let steps = Narrator.read(path)
        unlink(path)
        Narrator.current = nil
        let text = Narration.text(steps) + Narration.summary(steps) + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        if let chromeFile {
            do { try FileSystem.writeAtomically(chromeFile, Array(Narration.chromeTrace(steps).utf8), fsync: false) } catch {
                SwiftboxMain.printError("writing the trace to \(chromeFile): \(error)")
            }
        }
    }
}

/// An exec'd monitor (not forked from the CLI) records into the traced command's file.
func joinTraceFromEnvironment() {
    if let path = ProcessEnv.get(Narrator.environmentKey) { Narrator.current = try? Narrator(path: path) }
}
