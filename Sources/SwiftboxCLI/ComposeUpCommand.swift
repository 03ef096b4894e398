// `compose up` and `compose down`: observe → plan → execute.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine

struct ComposeUp: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "up", abstract: "Create and start the services' containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Detached: start the containers and return.") var detach = false
    @Option(help: "SERVICE=N: run N containers of the service; repeatable.") var scale: [String] = []
    @Flag(name: .customLong("no-deps"), help: "Do not start the services' dependencies.") var noDeps = false
    @Flag(name: .customLong("force-recreate"), help: "Recreate containers even if nothing changed.") var forceRecreate = false
    @Flag(name: .customLong("no-recreate"), help: "Keep existing containers even if they changed.") var noRecreate = false
    @Flag(name: .customLong("remove-orphans"), help: "Remove containers of services no longer in the project.") var removeOrphans = false
    @Flag(name: .customLong("abort-on-container-exit"), help: "Stop all containers when one exits.") var abortOnExit = false
    @Option(name: .customLong("exit-code-from"), help: "Exit with this service's container's code (implies --abort-on-container-exit).") var exitCodeFrom: String?
    @Flag(help: "Wait for the services to be running (or healthy, with a healthcheck); implies -d.") var wait = false
    @Option(name: .customLong("wait-timeout"), help: "Seconds --wait waits at most.") var waitTimeout: Double = 600
    @Flag(name: [.customShort("V"), .customLong("renew-anon-volumes")], help: "Recreate anonymous volumes (accepted; no anonymous volumes yet).") var renewAnonVolumes = false
    @Option(help: "Pull images: always, missing, never.") var pull: String?
    @Flag(help: "Build images before starting containers (an unchanged build is all cached: same image, nothing recreated).") var build = false
    @Flag(name: .customLong("no-build"), help: "Do not build an image, even when it is missing.") var noBuild = false
    @Flag(name: .customLong("no-start"), help: "Create the containers, do not start them.") var noStart = false
    @Flag(name: .customLong("dry-run"), help: "Print the plan, then each network, volume and container it makes as run --dry-run narrates it; change nothing.") var dryRun = false
    @Option(name: [.short, .long], help: "Seconds to wait when stopping containers.") var timeout: Int?
    @Flag(name: .customLong("no-color")) var noColor = false
    @Flag(name: .customLong("no-log-prefix")) var noLogPrefix = false
    @Argument var services: [String] = []

    func run() throws {
        composeCommand {
            if let p = pull, !["always", "missing", "never"].contains(p) { throw ComposeError("invalid --pull \(p) (always, missing, never)") }
            if forceRecreate && noRecreate { throw ComposeError("--force-recreate and --no-recreate are incompatible") }
            if build && noBuild { throw ComposeError("--build and --no-build are incompatible") }
            if (detach || wait) && (abortOnExit || exitCodeFrom != nil) { throw ComposeError("--abort-on-container-exit and -d cannot be combined") }
            let ctx = try ComposeContext.load(globals, enabling: services, fileOptional: false)
            var o = PlanOptions()
            o.services = services
            o.noDeps = noDeps
            o.forceRecreate = forceRecreate
            o.noRecreate = noRecreate
            o.removeOrphans = removeOrphans
            for s in scale {
                let kv = s.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, let n = Int(kv[1]), n >= 0 else { throw ComposeError("invalid --scale \(s): expected SERVICE=N") }
                guard ctx.project.services[kv[0]] != nil else { throw ComposeError("no such service: \(kv[0])") }
                if ctx.project.services[kv[0]]!.containerName != nil && n > 1 {
                    throw ComposeError("services.\(kv[0]): can't set container_name and \(kv[0]) as container name must be unique")
                }
                o.scale[kv[0]] = n
            }
            if let e = exitCodeFrom, ctx.project.services[e] == nil { throw ComposeError("no such service: \(e)") }
            let planner = Planner(ctx.project)
            let selected = try planner.plan(observed: [], imageIDs: [:], options: o).order
            let dry = dryRun || ComposeGlobals.current.dryRun
            let imageIDs = dry ? selected.reduce(into: [String: String]()) { ids, s in
                if let svc = ctx.project.services[s], let id = ctx.adapter.imageID(ctx.project.imageName(of: svc)) { ids[s] = id }
            } : try ctx.ensureImages(selected, policy: pull, build: build ? .always : noBuild ? .never : .missing)
            let observed = try ctx.containers(oneOff: true)
            // External networks and volumes must exist; ours exist or will be created.
            for (key, n) in ctx.project.networks where n.external && !ctx.adapter.networkExists(n.name) {
                throw ComposeError("network \(key) declared as external, but could not be found (create it with `swiftbox network create \(n.name)`)")
            }
            for (key, v) in ctx.project.volumes where v.external && !ctx.adapter.volumeExists(v.name) {
                throw ComposeError("external volume \"\(v.name)\" (\(key)) not found")
            }
            let plan = try planner.plan(observed: observed, imageIDs: imageIDs,
                                        existingNetworks: Set(ctx.project.networks.values.map(\.name).filter(ctx.adapter.networkExists)),
                                        existingVolumes: Set(ctx.project.volumes.values.map(\.name).filter(ctx.adapter.volumeExists)), options: o)
            plan.warnings.forEach(ctx.progress.warn)
            if dry {
                for step in plan.steps { print("DRY-RUN MODE -  \(step)") }
                print(try ctx.narrate(plan, imageIDs: imageIDs, start: !noStart), terminator: "")
                return 0
            }
            let executor = Executor(engine: ctx.adapter, project: ctx.project, progress: ctx.progress)
            var eo = ExecuteOptions()
            eo.start = !noStart
            eo.parallelism = ctx.parallelism
            eo.waitTimeout = waitTimeout
            eo.checkDependencies = !noDeps
            try executor.up(plan, imageIDs: imageIDs, options: eo)
            if noStart { return 0 }
            if wait {
                for name in plan.order {
                    let s = ctx.project.services[name]!
                    let healthy = s.healthcheck.map { !$0.disable && $0.test != nil } ?? false
                    if healthy { try executor.waitFor(name, .serviceHealthy, timeout: waitTimeout) }
                }
                return 0
            }
            if detach { return 0 }
            // Attached: print every container's output until they exit (or one does, with
            // --abort-on-container-exit), then stop them.
            let containers = try ctx.containers(services: plan.order)
            let follower = LogFollower(engine: ctx.engine, containers: containers, color: !noColor && isatty(1) != 0, prefix: !noLogPrefix)
            print("Attaching to \(containers.map(\.name).joined(separator: ", "))")
            fflush(stdout)   // the follower writes to fd 1 directly
            let abort = abortOnExit || exitCodeFrom != nil
            let first = follower.follow(untilFirstExit: abort, keepFollowing: true)
            var code: Int32 = 0
            if abort || LogFollower.interrupted {
                if abort { print("Aborting on container exit...") } else { print("Gracefully stopping... (press Ctrl+C again to force)") }
                fflush(stdout)
                let running = try ctx.containers(services: plan.order).filter(\.isRunning)
                DispatchQueue.concurrentPerform(iterations: running.count) { i in
                    try? ctx.adapter.stop(running[i].id, timeout: timeout)
                    ctx.progress.done("Container", running[i].name, "Stopped")
                }
            }
            if let e = exitCodeFrom {
                code = (try ctx.containers(services: [e]).first.flatMap { ctx.adapter.inspect($0.id) }?.exitCode) ?? 0
            } else if abort, let first {
                code = first.exitCode
            }
            return code
        }
    }
}

struct ComposeDown: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop and remove the project's containers and networks (and volumes with -v).")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Also remove the named volumes declared in the project.") var volumes = false
    @Flag(name: .customLong("remove-orphans"), help: "Also remove containers of services no longer in the project.") var removeOrphans = false
    @Option(name: [.short, .long], help: "Seconds to wait for each container to stop.") var timeout: Int?
    @Option(help: "Remove images used by services: local (those built without an image: name) or all.") var rmi: String?
    @Flag(name: .customLong("dry-run"), help: "Print the plan; change nothing.") var dryRun = false

    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals)
            if let rmi, rmi != "local" && rmi != "all" { throw ComposeError("invalid --rmi \(rmi) (local, all)") }
            let labels = [ComposeLabel.project: ctx.project.name]
            let plan = Planner(ctx.project).downPlan(observed: try ctx.containers(oneOff: true),
                                                     existingNetworks: Set(ctx.adapter.networks(labels: labels)),
                                                     existingVolumes: Set(ctx.adapter.volumes(labels: labels)),
                                                     removeVolumes: volumes, removeOrphans: removeOrphans)
            plan.warnings.forEach(ctx.progress.warn)
            if dryRun || ComposeGlobals.current.dryRun {
                for step in plan.steps { print("DRY-RUN MODE -  \(step)") }
                return 0
            }
            let executor = Executor(engine: ctx.adapter, project: ctx.project, progress: ctx.progress)
            try executor.down(plan, timeout: timeout, parallelism: ctx.parallelism)
            try? FileManager.default.removeItem(atPath: ctx.adapter.filesDir(ctx.project.name))
            if let rmi { try executor.removeImages(all: rmi == "all") }
            return 0
        }
    }
}
