// The reconciler: desired project + observed containers → plan. Pure: the observed
// containers and the images' current IDs are inputs, so every decision is testable.
//
// Per service, containers are matched by container number: numbers 1…replicas are
// wanted. A wanted one is kept when its config hash and image ID still match the
// service (started if stopped), recreated otherwise (or with --force-recreate, or when
// a `depends_on: {restart: true}` dependency is recreated); missing numbers are created;
// numbers above replicas are removed, highest first (scale down). Containers whose
// service is no longer in the project are orphans: removed with --remove-orphans.

public struct PlanOptions: Sendable {
    /// Services to bring up (empty: all enabled); their dependencies come too unless noDeps.
    public var services: [String] = []
    public var noDeps = false
    public var scale: [String: Int] = [:]
    public var forceRecreate = false
    public var noRecreate = false
    public var removeOrphans = false
    /// Whether the engine can create networks / volumes.
    public var networks = true
    public var volumes = true
    public init() {}
}

public struct Planner {
    public let project: Project
    public init(_ project: Project) { self.project = project }

    /// - observed: the project's containers (by the project label), one-offs included.
    /// - imageIDs: the current local ID of each service's image (nil: not pulled yet).
    /// - existingNetworks/Volumes: names that already exist.
    public func plan(observed: [ContainerSummary], imageIDs: [String: String], existingNetworks: Set<String> = [],
                     existingVolumes: Set<String> = [], options o: PlanOptions = PlanOptions()) throws -> Plan {
        var plan = Plan()
        let graph = DependencyGraph(project.services)
        for s in o.services where project.services[s] == nil {
            throw ComposeError("no such service: \(s)")
        }
        let selected = o.services.isEmpty ? Set(project.services.keys) : (o.noDeps ? Set(o.services) : graph.closure(o.services))
        plan.order = graph.order(Array(selected)).filter { selected.contains($0) }

        // Networks and volumes used by the selected services (external ones are never created).
        var nets = Set<String>()
        var vols = Set<String>()
        for n in selected {
            let s = project.services[n]!
            nets.formUnion(s.networks.keys)
            for v in s.volumes where v.type == "volume" { if let src = v.source { vols.insert(src) } }
        }
        for key in nets.sorted() {
            guard let cfg = project.networks[key], !cfg.external, !existingNetworks.contains(cfg.name) else { continue }
            plan.steps.append(PlanStep(.createNetwork, service: nil, name: cfg.name))
        }
        for key in vols.sorted() {
            guard let cfg = project.volumes[key], !cfg.external, !existingVolumes.contains(cfg.name) else { continue }
            plan.steps.append(PlanStep(.createVolume, service: nil, name: cfg.name))
        }

        let mine = observed.filter { !$0.isOneOff }
        var recreated = Set<String>()
        for name in plan.order {
            let service = project.services[name]!
            let wanted = o.scale[name] ?? service.replicas
            let hash = ConfigHash.of(service)
            let existing = mine.filter { $0.service == name }.sorted { $0.number < $1.number }
            // A dependency recreated with restart: true recreates this service too.
            let depRestart = service.dependsOn.first { recreated.contains($0.key) && $0.value.restart }?.key
            var used = Set<Int>()
            var steps: [PlanStep] = []
            for c in existing {
                guard c.number >= 1, c.number <= wanted, !used.contains(c.number) else { continue }
                used.insert(c.number)
                var reason: String?
                if o.forceRecreate {
                    reason = "forced"
                } else if !o.noRecreate {
                    if c.labels[ComposeLabel.configHash] != hash {
                        reason = "config changed"
                    } else if let current = imageIDs[name], current != c.imageID {
                        reason = "image changed"
                    } else if let dep = depRestart {
                        reason = "dependency \(dep) recreated"
                    }
                }
                if let reason {
                    steps.append(PlanStep(.recreate(reason: reason), service: name, name: c.name, number: c.number, containerID: c.id))
                    recreated.insert(name)
                } else if c.isRunning {
                    steps.append(PlanStep(.keep, service: name, name: c.name, number: c.number, containerID: c.id))
                } else {
                    steps.append(PlanStep(.start, service: name, name: c.name, number: c.number, containerID: c.id))
                }
            }
            if wanted > 0 {
                for n in 1...wanted where !used.contains(n) {
                    steps.append(PlanStep(.create, service: name, name: ComposeLabel.containerName(project: project.name, service: service, number: n), number: n))
                }
            }
            // Scale down: highest numbers first; duplicates of a number too.
            let extra = existing.filter { c in !steps.contains { $0.containerID == c.id } }.sorted { $0.number > $1.number }
            for c in extra {
                steps.append(PlanStep(.remove(reason: "scale down"), service: name, name: c.name, number: c.number, containerID: c.id))
            }
            plan.steps += steps.sorted { ($0.number, $0.name) < ($1.number, $1.name) }
        }

        // Orphans: containers of services this project no longer has.
        let known = Set(project.services.keys).union(project.disabledServices.keys)
        let orphans = mine.filter { !known.contains($0.service ?? "") }.sorted { $0.name < $1.name }
        if !orphans.isEmpty {
            if o.removeOrphans {
                for c in orphans { plan.steps.append(PlanStep(.remove(reason: "orphan"), service: nil, name: c.name, number: c.number, containerID: c.id)) }
            } else {
                plan.warnings.append("Found orphan containers (\(orphans.map(\.name).joined(separator: ", "))) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.")
            }
        }
        return plan
    }

    /// `down`: every container of the project (one-offs too), then its networks, and its
    /// volumes with -v. Dependents are stopped before what they depend on.
    public func downPlan(observed: [ContainerSummary], existingNetworks: Set<String>, existingVolumes: Set<String>,
                         removeVolumes: Bool, removeOrphans: Bool) -> Plan {
        var plan = Plan()
        let graph = DependencyGraph(project.services)
        let order = Array(graph.order().reversed())
        plan.order = order
        let known = Set(project.services.keys).union(project.disabledServices.keys)
        func rank(_ c: ContainerSummary) -> Int { order.firstIndex(of: c.service ?? "") ?? -1 }
        var containers = observed.filter { known.contains($0.service ?? "") || $0.isOneOff }
        if removeOrphans { containers = observed }
        for c in containers.sorted(by: { (rank($0), $0.name) < (rank($1), $1.name) }) {
            plan.steps.append(PlanStep(.remove(reason: c.isOneOff ? "one-off" : "down"), service: c.service, name: c.name, number: c.number, containerID: c.id))
        }
        let orphans = observed.filter { !known.contains($0.service ?? "") && !$0.isOneOff }
        if !removeOrphans && !orphans.isEmpty {
            plan.warnings.append("Found orphan containers (\(orphans.map(\.name).sorted().joined(separator: ", "))) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.")
        }
        for (_, n) in project.networks.sorted(by: { $0.key < $1.key }) where !n.external && existingNetworks.contains(n.name) {
            plan.steps.append(PlanStep(.removeNetwork, service: nil, name: n.name))
        }
        if removeVolumes {
            for (_, v) in project.volumes.sorted(by: { $0.key < $1.key }) where !v.external && existingVolumes.contains(v.name) {
                plan.steps.append(PlanStep(.removeVolume, service: nil, name: v.name))
            }
        }
        return plan
    }
}
