// `swiftbox build` / `image build`, and `builder prune`: parse the flags into
// BuildOptions, print the builder's events as BuildKit's plain progress, the image ID
// last (`-q`: only it).
import ArgumentParser
import SwiftboxBuilder
import SwiftboxEngine
import SwiftboxKernel
#if canImport(Glibc)
import Glibc
#endif

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build an image from a Dockerfile.",
        discussion: "CONTEXT is a directory, or - for a Dockerfile on stdin (no context). Dockerfile or Containerfile is looked up in CONTEXT unless -f names one.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .customLong("tag")], help: "Name the image NAME[:TAG]; repeatable.") var tag: [String] = []
    @Option(name: [.short, .customLong("file")], help: "The Dockerfile (default CONTEXT/Dockerfile or CONTEXT/Containerfile; - for stdin).") var file: String?
    @Option(name: .customLong("build-arg"), help: "K=V for an ARG (K alone: from the environment); repeatable.") var buildArg: [String] = []
    @Option(help: "Build up to this stage.") var target: String?
    @Flag(name: .customLong("no-cache"), help: "Run every step, ignoring the build cache.") var noCache = false
    @Flag(help: "Pull base images again even if they are in the store.") var pull = false
    @Option(name: .customLong("label"), help: "K=V added to the image's labels; repeatable.") var label: [String] = []
    @Option(help: "RUN's network: bridge (default), none or host.") var network: String = "bridge"
    @Option(help: "auto (tty on a terminal, else plain), plain (BuildKit's plain progress) or tty (a compact live view).") var progress: String = "auto"
    @Flag(name: [.short, .long], help: "Print only the image ID.") var quiet = false
    @Option(help: "Write the image ID to this file.") var iidfile: String?
    @Option(help: "id=ID,src=PATH: a file RUN --mount=type=secret,id=ID can read; repeatable.") var secret: [String] = []
    @Argument(help: "The build context: a directory, or -.") var context: String

    func run() throws {
        engineCommand {
            var stdinContext: ContextArchive?
            if context == "-" { stdinContext = try ContextArchive.read(0, root: globals.root) }
            defer { stdinContext?.remove() }
            let o = try options(stdin: stdinContext)
            // A terminal gets BuildKit's compact view (auto or tty); a pipe or a file, and
            // -q, the plain progress.
            let live = !quiet && (progress == "tty" || (progress == "auto" && isatty(2) != 0))
            let printer: BuildProgressPrinter = live ? TTYProgress() : PlainProgress(quiet: quiet)
            let builder = Builder(engine: globals.engine) { printer.print($0) }
            do {
                let result = try builder.build(o)
                if let iidfile { try FileSystem.writeAtomically(iidfile, Array(result.imageID.utf8), fsync: false) }
                Swift.print(result.imageID)
                return 0
            } catch let e as BuildError {
                printer.flushFailure()
                SwiftboxMain.printError("failed to build: \(e.message)")
                return e.exitCode == 130 ? 130 : 1
            }
        }
    }

    func options(stdin: ContextArchive? = nil) throws -> BuildOptions {
        guard ["auto", "plain", "tty"].contains(progress) else { throw ValidationError("--progress: expected auto, plain or tty") }
        guard ["bridge", "none", "host", "default"].contains(network) else { throw ValidationError("--network: expected bridge, none or host") }
        var contextDir: String?
        var dockerfileText: String
        var name = "Dockerfile"
        if context == "-", stdin?.directory == nil {
            guard file == nil || file == "-" else { throw ValidationError("a Dockerfile on stdin (-) has no context for -f \(file!)") }
            dockerfileText = stdin?.text ?? ""
        } else {
            // A directory, or the tar stream on stdin unpacked (its -f is inside it).
            let given = stdin?.directory ?? context
            guard FileSystem.isDirectory(given) else { throw ValidationError("unable to prepare context: path \"\(context)\" not found") }
            let dir = realpath(given, nil).map { p in defer { free(p) }; return String(cString: p) } ?? given
            contextDir = dir
            if file == "-" {
                dockerfileText = String(decoding: readAll(0), as: UTF8.self)
            } else {
                let path: String
                if let file {
                    path = file.hasPrefix("/") ? file : (stdin?.directory != nil ? dir : FileManagerPath.cwd) + "/" + file
                    name = file
                } else if FileSystem.exists(dir + "/Dockerfile") {
                    path = dir + "/Dockerfile"
                } else if FileSystem.exists(dir + "/Containerfile") {
                    path = dir + "/Containerfile"
                    name = "Containerfile"
                } else {
                    throw ValidationError("unable to prepare context: no Dockerfile or Containerfile in \(context)")
                }
                guard let text = try? FileSystem.readString(path) else { throw ValidationError("failed to read \(file ?? path): no such file") }
                dockerfileText = text
            }
        }
        var o = BuildOptions(context: contextDir, dockerfile: dockerfileText)
        o.dockerfileName = name
        o.tags = tag
        o.target = target
        o.noCache = noCache
        o.pull = pull
        o.network = network == "default" ? "bridge" : network
        for a in buildArg {
            let kv = a.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { o.buildArgs[kv[0]] = kv[1] } else if let v = getenv(kv[0]) { o.buildArgs[kv[0]] = String(cString: v) }
        }
        for l in label {
            let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
            o.labels[kv[0]] = kv.count == 2 ? kv[1] : ""
        }
        for s in secret {
            var id: String?, src: String?
            for part in s.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw ValidationError("--secret \(s): expected id=ID,src=PATH") }
                switch kv[0] {
                case "id": id = kv[1]
                case "src", "source": src = kv[1]
                case "type" where kv[1] == "file": break
                default: throw ValidationError("--secret \(s): unknown key \(kv[0])")
                }
            }
            guard let id, let src else { throw ValidationError("--secret \(s): expected id=ID,src=PATH") }
            guard FileSystem.exists(src) else { throw ValidationError("--secret \(s): \(src) does not exist") }
            o.secrets[id] = src
        }
        return o
    }

    func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n > 0 { out += buf[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return out
    }
}

enum FileManagerPath {
    static var cwd: String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        return getcwd(&buf, buf.count) != nil ? String(cString: buf) : "."
    }
}

/// BuildKit's plain progress on stderr: "#3 [2/4] RUN …", the step's output lines with
/// their time ("#3 0.215 hello"), "#3 DONE 0.3s" or "#3 CACHED"; with -q nothing but a
/// failing step's last lines.
///
/// Compose builds several images in one session: `begin(prefix:)` starts the next one,
/// its vertices numbered after the previous build's and named as buildx bake names
/// them, "#7 [web 2/3] RUN …", "#5 [web internal] load build definition…", "#9 [web] exporting to image".
final class PlainProgress: BuildProgressPrinter, @unchecked Sendable {
    let quiet: Bool
    var names: [Int: String] = [:]
    var recent: [Int: [String]] = [:]
    var failed: Int?
    /// The service name vertex names are prefixed with (compose).
    var prefix: String?
    /// Added to this build's vertex numbers: the highest number of the builds before it.
    var offset = 0
    var highest = 0

    init(quiet: Bool) { self.quiet = quiet }

    /// The next build of a compose session, for `service`.
    func begin(prefix service: String) {
        offset = highest
        prefix = service
        failed = nil
    }

    func print(_ e: BuildEvent) {
        switch e {
        case .started(let vertex, let name):
            let v = number(vertex)
            let shown = prefix.map { p in name.hasPrefix("[") ? "[\(p) " + name.dropFirst() : "[\(p)] " + name } ?? name
            names[v] = shown
            out("#\(v) \(shown)")
        case .cached(let vertex):
            out("#\(number(vertex)) CACHED\n")
        case .output(let vertex, let line, let seconds):
            let v = number(vertex)
            recent[v] = Array(((recent[v] ?? []) + [line]).suffix(10))
            out("#\(v) " + ProgressTime.thousandths(seconds) + " " + line)
        case .done(let vertex, let seconds):
            out("#\(number(vertex)) DONE \(ProgressTime.tenths(seconds))s\n")
        case .failed(let vertex, let message):
            let v = number(vertex)
            failed = v
            out("#\(v) ERROR: \(message)")
        case .note(let text):
            out(text)
        }
    }

    func number(_ vertex: Int) -> Int {
        let v = vertex + offset
        highest = max(highest, v)
        return v
    }

    /// With -q nothing was shown: the failing step and its last lines are.
    func flushFailure() {
        guard quiet, let v = failed else { return }
        let lines = ["#\(v) \(names[v] ?? "")"] + (recent[v] ?? []).map { "#\(v) \($0)" }
        for l in lines { write(l) }
    }

    func out(_ line: String) { if !quiet { write(line) } }
    func write(_ line: String) { FileHandleStderr.write(line + "\n") }

}

/// Seconds as BuildKit prints them: "1.2" after DONE, "0.215" before an output line.
enum ProgressTime {
    static func tenths(_ s: Double) -> String { let t = Int((s * 10).rounded()); return "\(t / 10).\(t % 10)" }
    static func thousandths(_ s: Double) -> String {
        let t = Int((s * 1000).rounded())
        let frac = String(t % 1000)
        return "\(t / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}

enum FileHandleStderr {
    static func write(_ s: String) { _ = s.withCString { Glibc.write(2, $0, strlen($0)) } }
}

struct BuilderGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "builder", abstract: "Manage the build cache.",
                                                    subcommands: [BuilderPrune.self])
}

struct BuilderPrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove the build cache.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var force = false
    @Flag(name: [.short, .long], help: "Remove all of it (the same here: the cache has no age filter yet).") var all = false

    func run() throws {
        engineCommand {
            let n = try Builder(engine: globals.engine) { _ in }.prune()
            Swift.print("Total reclaimed: \(n) cache entries")
            return 0
        }
    }
}
