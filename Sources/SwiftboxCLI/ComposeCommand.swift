// `swiftbox compose …`: Compose v2's CLI over SwiftboxCompose. The global options
// (-f, -p, --project-directory, --env-file, --profile, --parallel, --dry-run) come
// before the subcommand, as in `docker compose -f a.yaml up`; they are taken out of the
// argument list first (ComposeGlobals.extract) because some subcommands reuse their
// letters (`logs -f` follows, `exec -e`…).
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine
import SwiftboxErrors

struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Define and run multi-container applications (Compose v2).",
        discussion: """
        Global options, before the command: -f/--file FILE (repeatable), -p/--project-name NAME, \
        --project-directory DIR, --env-file FILE (repeatable), --profile NAME (repeatable), \
        --parallel N, --dry-run. See swiftbox-compose(7) and docs/compose.md.
        """,
        subcommands: [ComposeUp.self, ComposeDown.self, ComposePs.self, ComposeLogs.self, ComposeConfig.self, ComposeRun.self,
                      ComposeExec.self, ComposeStart.self, ComposeStop.self, ComposeRestart.self, ComposeKill.self, ComposeRm.self,
                      ComposePause.self, ComposeUnpause.self, ComposeImages.self, ComposeTop.self, ComposePort.self, ComposeLs.self,
                      ComposeWait.self, ComposePull.self, ComposeBuild.self, ComposeVersion.self, ComposeGraph.self])
}

/// The options given before the subcommand.
struct ComposeGlobals {
    var files: [String] = []
    var projectName: String?
    var projectDirectory: String?
    var envFiles: [String] = []
    var profiles: [String] = []
    var parallel: Int?
    var dryRun = false

    nonisolated(unsafe) static var current = ComposeGlobals()

    static let withValue: Set<String> = ["-f", "--file", "-p", "--project-name", "--project-directory", "--env-file", "--profile",
                                         "--parallel", "--ansi", "--progress"]

    /// `compose [global options] CMD …` → the arguments without the global options.
    static func extract(_ args: [String]) -> [String] {
        guard args.first == "compose" else { return args }
        var g = ComposeGlobals()
        var i = 1
        while i < args.count, args[i].hasPrefix("-"), args[i] != "--help", args[i] != "-h" {
            var name = args[i]
            var value: String?
            if let eq = name.firstIndex(of: "="), name.hasPrefix("--") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if name == "--dry-run" { g.dryRun = true; i += 1; continue }
            if name == "--compatibility" || name == "--verbose" { i += 1; continue }
            guard withValue.contains(name) else { break }
            if value == nil {
                guard i + 1 < args.count else { break }
                value = args[i + 1]
                i += 1
            }
            i += 1
            switch name {
            case "-f", "--file": g.files.append(value!)
            case "-p", "--project-name": g.projectName = value
            case "--project-directory": g.projectDirectory = value
            case "--env-file": g.envFiles.append(value!)
            case "--profile": g.profiles.append(value!)
            case "--parallel": g.parallel = Int(value!)
            default: break   // --ansi, --progress: accepted, our output is fixed
            }
        }
        current = g
        return ["compose"] + args[i...]
    }
}

/// Compose commands exit 1 with the message on failure, as docker compose does; a
/// container that could not be started keeps Docker's status for it (SwiftboxError).
func composeCommand(_ body: () throws -> Int32) -> Never {
    do {
        exit(try body())
    } catch let code as ExitCode {
        exit(code.rawValue)
    } catch {
        let e = SwiftboxError(error)
        SwiftboxMain.printError(e.message)
        exit(e.exitCode(otherwise: 1))
    }
}

/// A loaded project and the engine it runs on.
struct ComposeContext {
    let engine: Engine
    var adapter: ComposeEngineAdapter
    let project: Project
    let progress = Progress()

    /// - fileOptional: with no compose file but a project name (-p, COMPOSE_PROJECT_NAME),
    ///   work on what the labels say the project has, as `docker compose -p NAME down` does.
    static func load(_ globals: EngineGlobals, enabling services: [String] = [], printWarnings: Bool = true,
                     fileOptional: Bool = true) throws -> ComposeContext {
        let g = ComposeGlobals.current
        var o = LoadOptions(environment: ProcessInfo.processInfo.environment, workingDirectory: FileManager.default.currentDirectoryPath)
        o.files = g.files
        o.projectName = g.projectName
        o.projectDirectory = g.projectDirectory
        o.envFiles = g.envFiles
        o.profiles = g.profiles
        o.enabledServices = services
        let engine = globals.engine
        let name = g.projectName ?? ProcessInfo.processInfo.environment["COMPOSE_PROJECT_NAME"]
        if fileOptional, let name, g.files.isEmpty, (try? ProjectLoader().discover(o)) == nil {
            let adapter = ComposeEngineAdapter(engine: engine)
            return ComposeContext(engine: engine, adapter: adapter, project: try fromLabels(name, adapter))
        }
        let (project, warnings) = try ProjectLoader().load(o)
        let ctx = ComposeContext(engine: engine, adapter: ComposeEngineAdapter(engine: engine), project: project)
        if printWarnings { warnings.messages.forEach(ctx.progress.warn) }
        return ctx
    }

    /// A project rebuilt from its containers', networks' and volumes' labels.
    static func fromLabels(_ name: String, _ adapter: ComposeEngineAdapter) throws -> Project {
        let labels = [ComposeLabel.project: name]
        let cs = try adapter.list(labels: labels)
        var project = Project(name: name, workingDir: cs.first?.labels[ComposeLabel.workingDir] ?? "/", composeFiles: [], services: [:])
        for c in cs {
            guard let s = c.service, project.services[s] == nil else { continue }
            var service = Service(name: s)
            service.image = c.image
            project.services[s] = service
        }
        for n in adapter.engine.networks.store.all() where n.labels[ComposeLabel.project] == name {
            project.networks[n.labels[ComposeLabel.network] ?? n.name] = NetworkConfig(name: n.name)
        }
        for v in adapter.engine.volumes.list() where v.Labels[ComposeLabel.project] == name {
            project.volumes[v.Labels[ComposeLabel.volume] ?? v.Name] = VolumeConfig(name: v.Name)
        }
        return project
    }

    /// The project's containers (one-offs too unless excluded).
    func containers(services: [String] = [], oneOff: Bool = false, all: Bool = true) throws -> [ContainerSummary] {
        for s in services where project.services[s] == nil && project.disabledServices[s] == nil {
            throw ComposeError("no such service: \(s)")
        }
        return try adapter.list(labels: [ComposeLabel.project: project.name])
            .filter { (oneOff || !$0.isOneOff) && (services.isEmpty || services.contains($0.service ?? "")) && (all || $0.isRunning) }
            .sorted { ($0.service ?? "", $0.number, $0.name) < ($1.service ?? "", $1.number, $1.name) }
    }

    var parallelism: Int {
        if let p = ComposeGlobals.current.parallel, p > 0 { return p }
        if let e = ProcessInfo.processInfo.environment["COMPOSE_PARALLEL_LIMIT"], let p = Int(e), p > 0 { return p }
        return 8
    }

    /// Make sure each service's image is there: pulled (--pull, else pull_policy, else
    /// "missing") or built (ImageEnsurer); the images' current IDs.
    func ensureImages(_ services: [String], policy: String?, build: BuildMode = .missing) throws -> [String: String] {
        var o = ImageOptions()
        o.pull = policy
        o.build = build
        return try images.ensure(services, options: o)
    }

    var images: ImageEnsurer {
        ImageEnsurer(engine: adapter, project: project, progress: progress, environment: { ProcessInfo.processInfo.environment[$0] })
    }
}
