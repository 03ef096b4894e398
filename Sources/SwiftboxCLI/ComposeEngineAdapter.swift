// SwiftboxCompose's Engine protocol on top of SwiftboxEngine: a compose service becomes
// RunOptions (the same record `swiftbox run` fills from its flags), and what the engine
// has no equivalent for yet is returned as a warning instead of being dropped silently.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxCompose
import SwiftboxEngine
import SwiftboxImage

struct ComposeEngineAdapter: ComposeEngine {
    let engine: Engine

    func summary(_ c: EngineContainer, _ s: EngineState) -> ContainerSummary {
        let status: ContainerSummary.Status
        switch s.status {
        case .created: status = .created
        case .running: status = .running
        case .restarting: status = .restarting
        case .exited: status = .exited
        case .dead: status = .dead
        }
        var out = ContainerSummary(id: c.id, name: c.name, image: c.image, imageID: c.imageID, labels: c.labels, status: status)
        out.exitCode = s.exitCode
        out.health = s.health?.Status.rawValue
        out.created = c.created
        out.startedAt = s.startedAt
        out.finishedAt = s.finishedAt
        out.command = Ps.command(c, trunc: false)
        out.statusText = Ps.status(s)
        return out
    }

    func list(labels: [String: String]) throws -> [ContainerSummary] {
        engine.list().filter { c, _ in labels.allSatisfy { c.labels[$0.key] == $0.value } }.map { summary($0.0, $0.1) }
    }

    func inspect(_ id: String) -> ContainerSummary? {
        guard let c = try? engine.store.config(id) else { return nil }
        return summary(c, engine.observedState(id))
    }

    func imageID(_ reference: String) -> String? { (try? engine.images.resolve(reference))?.id.description }

    func pull(_ reference: String) throws {
        let ref = try ImageReference.parse(reference)
        var puller = ImagePuller(store: engine.images)
        puller.certsDirectory = engine.root + "/certs.d"
        puller.progress = nil
        _ = try puller.pull(ref, credentials: Credentials(root: engine.root))
    }

    func create(_ spec: ContainerSpec) throws -> (id: String, warnings: [String]) {
        let (o, warnings) = try ComposeEngineAdapter.runOptions(spec)
        return (try engine.create(o).id, warnings)
    }

    /// A service (and a one-off's overrides) as RunOptions; the keys not applied yet.
    static func runOptions(_ spec: ContainerSpec) throws -> (RunOptions, [String]) {
        let s = spec.service
        var warnings: [String] = []
        func unsupported(_ what: String) { warnings.append("service \"\(s.name)\": \(what) is not supported by swiftbox yet: ignored") }
        var o = RunOptions(image: s.image ?? "")
        o.name = spec.name
        // Compose's command/entrypoint are argv lists; RunOptions takes the entrypoint as
        // its first word with the rest prepended to the args, as docker run --entrypoint does.
        let entrypoint = spec.entrypoint ?? s.entrypoint
        let command = spec.command ?? s.command
        if let ep = entrypoint {
            o.entrypoint = ep.first ?? ""
            o.args = Array(ep.dropFirst()) + (command ?? [])
        } else if let command {
            o.args = command
        }
        var env = s.environment
        env.merge(spec.extraEnv) { $1 }
        o.env = env.keys.sorted().map { "\($0)=\(env[$0]!)" }
        o.workingDir = s.workingDir
        o.user = s.user
        o.hostname = s.hostname
        o.labels = spec.labels
        o.autoRemove = spec.autoRemove
        o.readOnly = s.readOnly ?? false
        o.privileged = s.privileged ?? false
        o.capAdd = s.capAdd
        o.capDrop = s.capDrop
        o.stopSignal = s.stopSignal
        o.stopTimeout = s.stopGracePeriod.map { Int($0.rounded(.up)) }
        o.initProcess = s.`init` ?? false
        o.securityOpt = s.securityOpt
        o.ulimits = s.ulimits.keys.sorted().map { "\($0)=\(s.ulimits[$0]!.soft):\(s.ulimits[$0]!.hard)" }
        o.interactive = spec.interactive || (s.stdinOpen ?? false)
        o.tty = spec.tty || (s.tty ?? false)
        if let l = s.logging {
            if let d = l.driver, d != "json-file" { unsupported("logging driver \(d)") }
            o.logOpts = l.options.keys.sorted().filter { ["max-size", "max-file"].contains($0) }.map { "\($0)=\(l.options[$0]!)" }
        }
        // Restart: restart:, else deploy.restart_policy (any → always, none → no).
        if let r = s.restart {
            o.restartPolicy = try RestartPolicy.parse(r)
        } else if let rp = s.deploy?.restartPolicy {
            switch rp.condition ?? "any" {
            case "none": o.restartPolicy = RestartPolicy.no
            case "on-failure": o.restartPolicy = .onFailure(maximumRetryCount: rp.maxAttempts ?? 0)
            default: o.restartPolicy = .always
            }
        }
        if let h = s.healthcheck {
            if h.disable {
                o.health = HealthConfig(test: ["NONE"])
            } else {
                func ns(_ d: Double?) -> Int64? { d.map { Int64($0 * 1_000_000_000) } }
                o.health = HealthConfig(test: h.test, interval: ns(h.interval), timeout: ns(h.timeout), startPeriod: ns(h.startPeriod),
                                        startInterval: ns(h.startInterval), retries: h.retries)
            }
        }
        // Resources: mem_limit/cpus/pids_limit, or deploy.resources.limits.
        var r = ResourceFlags()
        let limits = s.deploy?.resources?.limits
        r.memory = s.memLimit ?? limits?.memory
        r.memoryReservation = s.memReservation ?? s.deploy?.resources?.reservations?.memory
        if let cpus = s.cpus ?? limits?.cpus { r.nanoCPUs = Int64(cpus * 1_000_000_000) }
        if let p = s.pidsLimit ?? limits?.pids { r.pidsLimit = Int64(p) }
        if !r.isEmpty { o.resources = r }

        if !s.ports.isEmpty { unsupported("ports (\(s.ports.map(\.publishSpec).joined(separator: ", ")))") }
        let mounts = s.volumes.filter { $0.type != "tmpfs" }
        if !mounts.isEmpty { unsupported("volumes (\(mounts.map(\.target).joined(separator: ", ")))") }
        if !s.tmpfs.isEmpty || s.volumes.contains(where: { $0.type == "tmpfs" }) { unsupported("tmpfs") }
        if s.networks.keys.contains(where: { $0 != "default" }) { unsupported("networks other than the default") }
        if let m = s.networkMode, m != "none" { unsupported("network_mode \(m)") }
        for (key, present) in [("dns", !s.dns.isEmpty), ("dns_search", !s.dnsSearch.isEmpty), ("extra_hosts", !s.extraHosts.isEmpty),
                               ("sysctls", !s.sysctls.isEmpty), ("domainname", s.domainname != nil), ("secrets", !s.secrets.isEmpty),
                               ("configs", !s.configs.isEmpty)] where present {
            unsupported(key)
        }
        for key in s.unsupported { unsupported(key) }
        return (o, warnings)
    }

    func start(_ id: String) throws { try engine.start(id) }
    func stop(_ id: String, timeout: Int?) throws { try engine.stop(id, timeout: timeout) }
    func kill(_ id: String, signal: String) throws { try engine.kill(id, signal: signal) }
    func remove(_ id: String, force: Bool) throws { try engine.remove(id, force: force) }
    func wait(_ id: String) -> Int32 { engine.wait(id) ?? 255 }
}
