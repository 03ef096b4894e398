// start, stop, restart, kill, rm, pause, unpause, wait, pull — on the containers of
// the services named (all when none), in depends_on order (stop: reverse order).
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine

extension ComposeContext {
    /// Services in dependency order (each after what it depends on).
    func ordered(_ services: [String]) -> [String] {
        let order = DependencyGraph(project.services).order()
        return services.isEmpty ? order : order.filter { services.contains($0) }
    }

    func byService(_ services: [String], reverse: Bool, all: Bool = true) throws -> [ContainerSummary] {
        let cs = try containers(services: services, all: all)
        let order = ordered(services)
        let sorted = cs.sorted { (order.firstIndex(of: $0.service ?? "") ?? -1, $0.number) < (order.firstIndex(of: $1.service ?? "") ?? -1, $1.number) }
        return reverse ? sorted.reversed() : sorted
    }
}

struct ComposeStart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start the services' existing containers.")
    @OptionGroup var globals: EngineGlobals
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            let executor = Executor(engine: ctx.adapter, project: ctx.project, progress: ctx.progress)
            for name in ctx.ordered(services) {
                try executor.waitForDependencies(of: name, timeout: 600)
                for c in try ctx.containers(services: [name]) where !c.isRunning {
                    try ctx.adapter.start(c.id)
                    ctx.progress.done("Container", c.name, "Started")
                }
            }
            return 0
        }
    }
}

struct ComposeStop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop the services' containers.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "Seconds before SIGKILL.") var timeout: Int?
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            for c in try ctx.byService(services, reverse: true, all: false) {
                try ctx.adapter.stop(c.id, timeout: timeout ?? ctx.project.services[c.service ?? ""]?.stopGracePeriod.map { Int($0) })
                ctx.progress.done("Container", c.name, "Stopped")
            }
            return 0
        }
    }
}

struct ComposeRestart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart the services' containers.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "Seconds before SIGKILL.") var timeout: Int?
    @Flag(name: .customLong("no-deps")) var noDeps = false
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            for c in try ctx.byService(services, reverse: false) {
                try ctx.adapter.stop(c.id, timeout: timeout)
                try ctx.adapter.start(c.id)
                ctx.progress.done("Container", c.name, "Started")
            }
            return 0
        }
    }
}

struct ComposeKill: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default SIGKILL) to the services' containers.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long]) var signal: String = "SIGKILL"
    @Flag(name: .customLong("remove-orphans")) var removeOrphans = false
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            for c in try ctx.byService(services, reverse: true, all: false) {
                try ctx.adapter.kill(c.id, signal: signal)
                ctx.progress.done("Container", c.name, "Killed")
            }
            return 0
        }
    }
}

struct ComposeRm: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove the services' stopped containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var force = false
    @Flag(name: [.short, .long], help: "Stop the containers first.") var stop = false
    @Flag(name: [.short, .long], help: "Also anonymous volumes (none yet).") var volumes = false
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            var cs = try ctx.byService(services, reverse: true)
            if stop {
                for c in cs where c.isRunning {
                    try ctx.adapter.stop(c.id, timeout: nil)
                    ctx.progress.done("Container", c.name, "Stopped")
                }
                cs = cs.compactMap { ctx.adapter.inspect($0.id) }
            }
            cs = cs.filter { !$0.isRunning }
            if cs.isEmpty { print("No stopped containers"); return 0 }
            if !force {
                print("Going to remove \(cs.map(\.name).joined(separator: ", "))")
                print("? Are you sure? (y/N) ", terminator: "")
                fflush(stdout)
                guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { return 0 }
            }
            for c in cs {
                try ctx.adapter.remove(c.id, force: false)
                ctx.progress.done("Container", c.name, "Removed")
            }
            return 0
        }
    }
}

struct ComposePause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause the services' containers (cgroup freezer).")
    @OptionGroup var globals: EngineGlobals
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            for c in try ctx.byService(services, reverse: false, all: false) {
                try ctx.engine.pause(c.id)
                ctx.progress.done("Container", c.name, "Paused")
            }
            return 0
        }
    }
}

struct ComposeUnpause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause the services' containers.")
    @OptionGroup var globals: EngineGlobals
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            for c in try ctx.byService(services, reverse: false, all: false) {
                try ctx.engine.unpause(c.id)
                ctx.progress.done("Container", c.name, "Unpaused")
            }
            return 0
        }
    }
}

struct ComposeWait: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait for the services' containers to stop; exit with the first one's code.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: .customLong("down-project"), help: "Then take the whole project down.") var downProject = false
    @Argument var services: [String]
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            var code: Int32?
            for c in try ctx.containers(services: services) {
                let rc = ctx.adapter.wait(c.id)
                print(rc)
                if code == nil { code = rc }
            }
            if downProject {
                let plan = Planner(ctx.project).downPlan(observed: try ctx.containers(oneOff: true), existingNetworks: [], existingVolumes: [], removeVolumes: false, removeOrphans: false)
                try Executor(engine: ctx.adapter, project: ctx.project, progress: ctx.progress).down(plan, timeout: nil)
            }
            return code ?? 0
        }
    }
}

struct ComposePull: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Pull the services' images.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: .customLong("ignore-pull-failures")) var ignoreFailures = false
    @Flag(name: [.short, .long]) var quiet = false
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            ctx.progress.quiet = quiet
            for name in ctx.ordered(services) {
                guard let s = ctx.project.services[name], let image = s.image else { continue }
                do {
                    try ctx.adapter.pull(image)
                    ctx.progress.done(name, "", "Pulled")
                } catch {
                    // An image the project can build is only warned about, as Compose does.
                    if s.build != nil {
                        ctx.progress.warn("pulling \(image) for service \(name) failed (it can be built: swiftbox compose build \(name)): \(error)")
                        continue
                    }
                    ctx.progress.failed(name, "", "Error")
                    if !ignoreFailures { throw ComposeError("pulling \(image) for service \(name): \(error)") }
                }
            }
            return 0
        }
    }
}
