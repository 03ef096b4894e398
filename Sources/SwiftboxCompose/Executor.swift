// Carries out a plan through the engine. Networks and volumes first; then the services
// in depends_on order, several at once (bounded): a service starts once every service it
// depends on has been brought up and meets its condition — service_started,
// service_healthy (its healthcheck reports healthy) or service_completed_successfully
// (it exited 0). A failure stops what has not started yet and is reported as Compose does.
import Foundation

public struct ExecuteOptions: Sendable {
    /// --no-start: create only.
    public var start = true
    /// Concurrent engine operations (COMPOSE_PARALLEL_LIMIT).
    public var parallelism = 4
    /// Give up waiting on a condition after this many seconds (--wait-timeout).
    public var waitTimeout: Double = 600
    /// Check the conditions of dependencies (not with --no-deps).
    public var checkDependencies = true
    public init() {}
}

public final class Executor: @unchecked Sendable {
    public let engine: ComposeEngine
    public let project: Project
    public let progress: Progress
    public var warnings: [String] = []
    let lock = NSLock()
    /// How often conditions are polled.
    public var pollInterval: Double = 0.05

    public init(engine: ComposeEngine, project: Project, progress: Progress) {
        self.engine = engine
        self.project = project
        self.progress = progress
    }

    // MARK: up

    public func up(_ plan: Plan, imageIDs: [String: String], options o: ExecuteOptions = ExecuteOptions()) throws {
        try resources(plan)
        for step in plan.steps where step.service == nil && step.containerID != nil {
            try removeContainer(step)
        }
        try inDependencyOrder(plan.order, parallelism: o.parallelism) { service in
            if o.checkDependencies { try self.waitForDependencies(of: service, timeout: o.waitTimeout) }
            for step in plan.steps(for: service) { try self.apply(step, imageID: imageIDs[service], start: o.start) }
        }
    }

    /// `down --rmi local|all`: the services' images — with `local` only those named after
    /// the project because the service has `build:` and no `image:` (Compose's rule). An
    /// image another container still uses is kept, with a warning.
    public func removeImages(all: Bool) throws {
        var seen = Set<String>()
        for name in project.serviceNames {
            let s = project.services[name]!
            guard all || (s.image == nil && s.build != nil) else { continue }
            let image = project.imageName(of: s)
            guard seen.insert(image).inserted, engine.imageID(image) != nil else { continue }
            do {
                try engine.removeImage(image)
                progress.done("Image", image, "Removed")
            } catch {
                progress.warn("image \(image) kept: \(error)")
            }
        }
    }

    /// Create the plan's networks and volumes.
    public func resources(_ plan: Plan) throws {
        var warnedNetworks = false
        var warnedVolumes = false
        for step in plan.steps {
            switch step.action {
            case .createNetwork:
                guard engine.supportsNetworks else {
                    if !warnedNetworks { progress.warn("networks are not supported by this engine yet: services run with network none (\(step.name) not created)") }
                    warnedNetworks = true
                    continue
                }
                let key = project.networks.first { $0.value.name == step.name }!
                try engine.createNetwork(step.name, config: key.value, labels: [ComposeLabel.project: project.name, ComposeLabel.network: key.key, ComposeLabel.version: ComposeLabel.composeVersion])
                progress.done("Network", step.name, "Created")
            case .createVolume:
                guard engine.supportsVolumes else {
                    if !warnedVolumes { progress.warn("named volumes are not supported by this engine yet: \(step.name) not created, its mounts are skipped") }
                    warnedVolumes = true
                    continue
                }
                let key = project.volumes.first { $0.value.name == step.name }!
                try engine.createVolume(step.name, config: key.value, labels: [ComposeLabel.project: project.name, ComposeLabel.volume: key.key, ComposeLabel.version: ComposeLabel.composeVersion])
                progress.done("Volume", step.name, "Created")
            default: break
            }
        }
    }

    /// The container spec of service number n.
    public func spec(for service: Service, number: Int, imageID: String?, name: String? = nil, oneOff: Bool = false) -> ContainerSpec {
        var spec = ContainerSpec(name: name ?? ComposeLabel.containerName(project: project.name, service: service, number: number),
                                 service: service,
                                 image: project.imageName(of: service),
                                 labels: ComposeLabel.container(project: project, service: service, number: number, imageID: imageID, oneOff: oneOff),
                                 projectName: project.name)
        for key in service.networks.keys { if let n = project.networks[key] { spec.networks[key] = n.name } }
        for v in service.volumes where v.type == "volume" {
            if let src = v.source, let vol = project.volumes[src] { spec.volumes[src] = vol.name }
        }
        for (kind, refs, defs) in [("secret", service.secrets, project.secrets), ("config", service.configs, project.configs)] {
            for r in refs {
                guard let d = defs[r.source] else { continue }
                let source: MountedFile.Source
                if let f = d.file { source = .path(f) }
                else if let c = d.content { source = .content(c) }
                else if let e = d.environment { source = .content(ProcessInfo.processInfo.environment[e] ?? "") }
                else { continue }   // external: nothing to mount without a swarm
                spec.files.append(MountedFile(kind: kind, name: r.source, source: source, target: r.target ?? "/run/secrets/" + r.source,
                                              uid: r.uid, gid: r.gid, mode: r.mode))
            }
        }
        return spec
    }

    func apply(_ step: PlanStep, imageID: String?, start: Bool) throws {
        guard let name = step.service, let service = project.services[name] else { return }
        switch step.action {
        case .keep:
            progress.done("Container", step.name, "Running")
        case .start:
            guard start else { return }
            try engine.start(step.containerID!)
            progress.done("Container", step.name, "Started")
        case .create:
            let id = try create(spec(for: service, number: step.number, imageID: imageID))
            progress.done("Container", step.name, "Created")
            if start { try startContainer(id, step.name) }
        case .recreate:
            try engine.stop(step.containerID!, timeout: service.stopGracePeriod.map { Int($0) })
            try engine.remove(step.containerID!, force: true)
            let id = try create(spec(for: service, number: step.number, imageID: imageID))
            progress.done("Container", step.name, "Recreated")
            if start { try startContainer(id, step.name) }
        case .remove:
            try removeContainer(step)
        default: break
        }
    }

    func create(_ spec: ContainerSpec) throws -> String {
        do {
            let (id, w) = try engine.create(spec)
            lock.lock()
            for m in w where !warnings.contains(m) { warnings.append(m); progress.warn(m) }
            lock.unlock()
            return id
        } catch {
            progress.failed("Container", spec.name)
            throw error
        }
    }

    func startContainer(_ id: String, _ name: String) throws {
        do { try engine.start(id) } catch { progress.failed("Container", name); throw error }
        progress.done("Container", name, "Started")
    }

    func removeContainer(_ step: PlanStep) throws {
        guard let id = step.containerID else { return }
        let grace = step.service.flatMap { project.services[$0]?.stopGracePeriod }.map { Int($0) }
        if engine.inspect(id)?.isRunning ?? false {
            try engine.stop(id, timeout: grace)
            progress.done("Container", step.name, "Stopped")
        }
        try engine.remove(id, force: true)
        progress.done("Container", step.name, "Removed")
    }

    // MARK: conditions

    public func waitForDependencies(of service: String, timeout: Double) throws {
        guard let s = project.services[service] else { return }
        for (dep, d) in s.dependsOn.sorted(by: { $0.key < $1.key }) where project.services[dep] != nil {
            try waitFor(dep, d.condition, timeout: timeout)
        }
    }

    func containers(of service: String) throws -> [ContainerSummary] {
        try engine.list(labels: [ComposeLabel.project: project.name, ComposeLabel.service: service])
            .filter { !$0.isOneOff }.sorted { $0.number < $1.number }
    }

    /// Block until every container of `service` meets the condition.
    public func waitFor(_ service: String, _ condition: Dependency.Condition, timeout: Double) throws {
        if condition == .serviceStarted { return }
        let deadline = Date().addingTimeInterval(timeout)
        var announced = Set<String>()
        while true {
            var pending = false
            for c in try containers(of: service) {
                let current = engine.inspect(c.id) ?? c
                switch condition {
                case .serviceStarted: break
                case .serviceHealthy:
                    switch current.health {
                    case "healthy"?:
                        if announced.insert(c.name).inserted { progress.done("Container", c.name, "Healthy") }
                    case "unhealthy"?:
                        progress.failed("Container", c.name, "Error")
                        throw ComposeError("dependency failed to start: container \(c.name) is unhealthy")
                    case nil where !current.hasHealthcheck:
                        throw ComposeError("container \(c.name) has no healthcheck configured: service_healthy needs a healthcheck on service \"\(service)\"")
                    default:
                        if !current.isRunning { throw ComposeError("dependency failed to start: container \(c.name) exited (\(current.exitCode))") }
                        pending = true
                    }
                case .serviceCompletedSuccessfully:
                    if current.isRunning || current.status == .created { pending = true; continue }
                    guard current.exitCode == 0 else {
                        throw ComposeError("service \"\(service)\" didn't complete successfully: exit \(current.exitCode)")
                    }
                    if announced.insert(c.name).inserted { progress.done("Container", c.name, "Exited") }
                }
            }
            if !pending { return }
            if Date() > deadline { throw ComposeError("timeout waiting for service \"\(service)\" to be \(condition == .serviceHealthy ? "healthy" : "completed")") }
            Thread.sleep(forTimeInterval: pollInterval)
        }
    }

    // MARK: scheduling

    /// Run `body` for each service once all its dependencies (among `order`) finished,
    /// at most `parallelism` at a time. The first error stops services not yet begun.
    func inDependencyOrder(_ order: [String], parallelism: Int, _ body: @escaping @Sendable (String) throws -> Void) throws {
        try schedule(order, edges: DependencyGraph(project.services).edges, parallelism: parallelism, body)
    }

    /// What the scheduler's threads share, under its condition's lock.
    final class ScheduleState: @unchecked Sendable {
        let cond = NSCondition()
        var done = Set<String>()
        var running = 0
        var firstError: Error?
    }

    /// Run `body` for each item once every item it has an edge to (among `order`) is done.
    func schedule(_ order: [String], edges: [String: [String]], parallelism: Int, _ body: @escaping @Sendable (String) throws -> Void) throws {
        let st = ScheduleState()
        var started = Set<String>()
        let inPlan = Set(order)
        st.cond.lock()
        while st.done.count < order.count {
            if st.firstError != nil && st.running == 0 { break }
            var launched = false
            if st.firstError == nil {
                for s in order where !started.contains(s) && st.running < max(1, parallelism) {
                    let deps = (edges[s] ?? []).filter { inPlan.contains($0) }
                    guard deps.allSatisfy({ st.done.contains($0) }) else { continue }
                    started.insert(s)
                    st.running += 1
                    launched = true
                    Thread.detachNewThread {
                        var err: Error?
                        do { try body(s) } catch { err = error }
                        st.cond.lock()
                        if let err, st.firstError == nil { st.firstError = err }
                        st.done.insert(s)
                        st.running -= 1
                        st.cond.signal()
                        st.cond.unlock()
                    }
                }
            }
            if !launched { st.cond.wait() }
        }
        st.cond.unlock()
        if let e = st.firstError { throw e }
    }

    // MARK: down

    public func down(_ plan: Plan, timeout: Int?, parallelism: Int = 8) throws {
        // Containers in parallel, dependents before their dependencies.
        let containerSteps = plan.steps.filter { $0.containerID != nil }
        var byService: [String: [PlanStep]] = [:]
        for s in containerSteps { byService[s.service ?? "", default: []].append(s) }
        let order = plan.order.filter { byService[$0] != nil }
        // Stop dependents first: run the dependency order backwards by treating
        // "is depended on by" as the edge.
        final class Errors: @unchecked Sendable { let lock = NSLock(); var list: [Error] = [] }
        let errors = Errors()
        let stopOne: @Sendable (PlanStep) -> Void = { step in
            do {
                if self.engine.inspect(step.containerID!)?.isRunning ?? false {
                    try self.engine.stop(step.containerID!, timeout: timeout ?? step.service.flatMap { self.project.services[$0]?.stopGracePeriod }.map { Int($0) })
                    self.progress.done("Container", step.name, "Stopped")
                }
                try self.engine.remove(step.containerID!, force: true)
                self.progress.done("Container", step.name, "Removed")
            } catch { errors.lock.lock(); errors.list.append(error); errors.lock.unlock() }
        }
        // A service waits for the services that depend on it (the graph reversed).
        let graph = DependencyGraph(project.services)
        var reversedEdges: [String: [String]] = [:]
        for s in order { reversedEdges[s] = graph.dependents(of: s) }
        let stepsByService = byService
        try? schedule(order, edges: reversedEdges, parallelism: parallelism) { service in
            let steps = stepsByService[service] ?? []
            DispatchQueue.concurrentPerform(iterations: steps.count) { stopOne(steps[$0]) }
        }
        let rest = byService.filter { !order.contains($0.key) }.flatMap(\.value)
        DispatchQueue.concurrentPerform(iterations: rest.count) { stopOne(rest[$0]) }
        for step in plan.steps {
            switch step.action {
            case .removeNetwork:
                do { try engine.removeNetwork(step.name); progress.done("Network", step.name, "Removed") } catch { errors.list.append(error) }
            case .removeVolume:
                do { try engine.removeVolume(step.name); progress.done("Volume", step.name, "Removed") } catch { errors.list.append(error) }
            default: break
            }
        }
        if let e = errors.list.first { throw e }
    }
}
