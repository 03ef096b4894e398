// `compose up --dry-run`, after the plan's one-line steps (as docker compose prints
// them): each step narrated as `run --dry-run` narrates a container — the networks and
// volumes the project would create, then each container's create and start in
// dependency order. Nothing is made: the engine narrates on a DryRunWorld that holds
// the planned networks and the addresses the earlier containers would take.
import SwiftboxCompose
import SwiftboxEngine
import SwiftboxKernel
import SwiftboxNetwork

extension ComposeContext {
    /// `start`: false with --no-start (each container's create only).
    func narrate(_ plan: Plan, imageIDs: [String: String], start: Bool) throws -> String {
        var world = DryRunWorld()
        var out = ""
        func section(_ title: String, _ steps: [NarratedStep]) {
            out += "\n# \(title)\n" + Narration.text(steps)
        }
        for step in plan.steps {
            switch step.action {
            case .createNetwork:
                guard let n = project.networks.values.first(where: { $0.name == step.name }) else { continue }
                var r = Networks.CreateRequest(name: step.name)   // as ComposeEngineAdapter.createNetwork asks it
                if let pool = n.ipam?.config.first { r.subnet = pool.subnet; r.gateway = pool.gateway; r.ipRange = pool.ipRange }
                r.isInternal = n.internal
                section("Network \(step.name)", [try engine.dryRunCreateNetwork(r, world: &world)])
            case .createVolume:
                section("Volume \(step.name)", [engine.dryRunCreateVolume(step.name, world: &world)])
            default: continue
            }
        }
        let executor = Executor(engine: adapter, project: project, progress: progress)
        for name in plan.order {
            guard let service = project.services[name] else { continue }
            for step in plan.steps(for: name) {
                switch step.action {
                case .create, .recreate:
                    if case .recreate = step.action { world.freedNames.insert(step.name) }
                    let spec = executor.spec(for: service, number: step.number, imageID: imageIDs[name])
                    var (o, warnings) = try ComposeEngineAdapter.runOptions(spec)
                    o.mounts += try adapter.fileMounts(spec, warnings: &warnings, write: false)
                    if let mode = service.networkMode, mode.hasPrefix("service:") {
                        // As create asks it (ComposeEngineAdapter.create): the namespace of
                        // X's running container by then — the one this up makes (X comes
                        // first: a dependency), else one that is there.
                        let other = String(mode.dropFirst(8))
                        let planned = plan.steps(for: other).first { s in
                            if case .create = s.action { return true }
                            if case .recreate = s.action { return true }
                            return false
                        }
                        let there = try adapter.list(labels: [ComposeLabel.project: project.name, ComposeLabel.service: other])
                        guard let target = planned?.name ?? (there.first(where: \.isRunning) ?? there.first)?.id else {
                            throw ComposeError("service \"\(name)\" uses the network of service \"\(other)\", which has no running container")
                        }
                        o.networks = ["container:" + target]
                    }
                    var steps = try engine.dryRun(o, start: start, world: &world)
                    // The other networks are connected after the create (ComposeEngineAdapter.create).
                    for (key, real) in ComposeEngineAdapter.orderedNetworks(spec).dropFirst() {
                        let aliases = [name] + (service.networks[key]?.aliases ?? [])
                        steps.append(NarratedStep(.network, "connect to \(real)", [
                            "swiftbox network connect \(aliases.map { "--alias \($0) " }.joined())\(real) \(step.name)",
                        ]))
                    }
                    let what: String
                    if case .recreate(let reason) = step.action { what = "recreated (\(reason))" } else { what = "created" }
                    section("Container \(step.name): \(what)\(start ? " and started" : "")", steps)
                case .start:
                    guard start, let id = step.containerID else { continue }
                    section("Container \(step.name): started", try engine.dryRunStart(id))
                default: continue
                }
            }
        }
        return out
    }
}
