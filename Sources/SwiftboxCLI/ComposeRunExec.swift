// `compose run` (a one-off container `<project>-<service>-run-<id>`) and `compose exec`.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine

struct ComposeRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a one-off command in a new container of a service.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Run in the background; print the container's name.") var detach = false
    @Flag(name: .customLong("rm"), help: "Remove the container when it exits.") var autoRemove = false
    @Option(name: .customShort("e"), help: "KEY=VALUE; repeatable.") var env: [String] = []
    @Option(name: [.short, .customLong("label")]) var label: [String] = []
    @Flag(name: .customLong("no-deps"), help: "Do not start the service's dependencies.") var noDeps = false
    @Option(help: "Override the entrypoint.") var entrypoint: String?
    @Option(help: "Name the container.") var name: String?
    @Option(name: [.short, .long]) var user: String?
    @Option(name: [.short, .customLong("workdir")]) var workdir: String?
    @Flag(name: .customShort("T"), help: "No pseudo-terminal (the default here).") var noTTY = false
    @Flag(name: [.short, .long], help: "Keep stdin open.") var interactive = false
    @Flag(name: .customLong("service-ports"), help: "Publish the service's ports (not supported yet).") var servicePorts = false
    @Option(help: "Pull: always, missing, never.") var pull: String?
    @Flag(help: "Build the service's image before starting the container.") var build = false
    @Argument var service: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, enabling: [service], fileOptional: false)
            guard var s = ctx.project.services[service] else { throw ComposeError("no such service: \(service)") }
            let executor = Executor(engine: ctx.adapter, project: ctx.project, progress: ctx.progress)
            // The networks and volumes the service uses, then its dependencies, as `up`
            // would bring them (not the service itself).
            var own = PlanOptions()
            own.services = [service]
            own.noDeps = true
            try executor.resources(try Planner(ctx.project).plan(
                observed: [], imageIDs: [:], existingNetworks: Set(ctx.project.networks.values.map(\.name).filter(ctx.adapter.networkExists)),
                existingVolumes: Set(ctx.project.volumes.values.map(\.name).filter(ctx.adapter.volumeExists)), options: own))
            if !noDeps && !s.dependsOn.isEmpty {
                var o = PlanOptions()
                o.services = Array(s.dependsOn.keys)
                let deps = try Planner(ctx.project).plan(observed: [], imageIDs: [:], options: o).order
                let ids = try ctx.ensureImages(deps, policy: pull)
                let plan = try Planner(ctx.project).plan(observed: try ctx.containers(), imageIDs: ids,
                                                         existingNetworks: Set(ctx.project.networks.values.map(\.name).filter(ctx.adapter.networkExists)),
                                                         existingVolumes: Set(ctx.project.volumes.values.map(\.name).filter(ctx.adapter.volumeExists)), options: o)
                var eo = ExecuteOptions()
                eo.parallelism = ctx.parallelism
                try executor.up(plan, imageIDs: ids, options: eo)
                for (dep, d) in s.dependsOn { try executor.waitFor(dep, d.condition, timeout: 600) }
            }
            let ids = try ctx.ensureImages([service], policy: pull, build: build ? .always : .missing)
            if let user { s.user = user }
            if let workdir { s.workingDir = workdir }
            // A one-off keeps the service's config but never its container_name, and
            // carries no restart policy (Compose's run ignores restart).
            s.containerName = nil
            s.restart = nil
            s.deploy?.restartPolicy = nil
            let suffix = String(UUIDShort.make())
            var spec = executor.spec(for: s, number: 1, imageID: ids[service], name: name ?? "\(ctx.project.name)-\(service)-run-\(suffix)", oneOff: true)
            spec.labels[ComposeLabel.slug] = suffix
            if !command.isEmpty { spec.command = command }
            if let entrypoint {
                guard let words = ShellWords.split(entrypoint) else { throw ComposeError("invalid --entrypoint \(entrypoint)") }
                spec.entrypoint = words
            }
            for e in try ContainerOptions.validEnvironment(env, flag: "-e") {
                let kv = e.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { spec.extraEnv[kv[0]] = kv[1] } else if let v = ProcessInfo.processInfo.environment[kv[0]] { spec.extraEnv[kv[0]] = v }
            }
            for l in label {
                let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
                spec.labels[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
            spec.interactive = interactive
            if servicePorts { ctx.progress.warn("--service-ports: port publishing is not supported by swiftbox yet") }
            let (id, warnings) = try ctx.adapter.create(spec)
            warnings.forEach(ctx.progress.warn)
            if detach {
                try ctx.adapter.start(id)
                print(spec.name)
                return 0
            }
            var attachFD: Int32 = -1
            // Made before the start (see Run.run): the reader holds the log from the first line.
            let log = ctx.engine.logTail(id, create: true)
            let monitor: pid_t?
            do {
                monitor = try ctx.engine.start(id, attached: true) { attachFD = (try? UnixSocket.connect(path: ctx.engine.attachPath(id))) ?? -1 }
            } catch {
                if autoRemove { try? ctx.engine.remove(id, force: true) }
                throw error
            }
            return foregroundSession(ctx.engine, id, attachFD: attachFD, raw: false, monitor: monitor, log: log, autoRemove: autoRemove)
        }
    }
}

import SwiftboxKernel

enum UUIDShort {
    /// 12 hex characters, as Compose's one-off slugs are shown.
    static func make() -> String {
        String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(12))
    }
}

struct ComposeExec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a command in a running container of a service.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Run in the background.") var detach = false
    @Option(name: [.short, .customLong("env")], help: "KEY=VALUE; repeatable.") var env: [String] = []
    @Option(name: [.short, .long]) var user: String?
    @Option(name: [.short, .customLong("workdir")]) var workdir: String?
    @Option(help: "Which container of the service (1-based).") var index: Int = 1
    @Flag(name: .customShort("T"), help: "No pseudo-terminal (the default here).") var noTTY = false
    @Flag(help: "Extended privileges (accepted; exec runs with the container's).") var privileged = false
    @Argument var service: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    func run() throws {
        composeCommand {
            try SealedExecutable.ensure(rerun: CommandLine.arguments)   // before anything else: this starts over
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            guard ctx.project.services[service] != nil else { throw ComposeError("no such service: \(service)") }
            guard let c = try ctx.containers(services: [service], all: false).first(where: { $0.number == index }) else {
                throw ComposeError("service \"\(service)\" is not running")
            }
            guard !command.isEmpty else { throw ComposeError("exec needs a command") }
            return try ctx.engine.exec(c.id, command: command, env: try ContainerOptions.validEnvironment(env), workingDir: workdir, user: user, detach: detach)
        }
    }
}
