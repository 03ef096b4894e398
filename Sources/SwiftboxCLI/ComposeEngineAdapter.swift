// SwiftboxCompose's Engine protocol on top of SwiftboxEngine: a compose service becomes
// RunOptions (the same record `swiftbox run` fills from its flags), and what the engine
// has no equivalent for yet is returned as a warning instead of being dropped silently.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine
import SwiftboxImage
import SwiftboxNetwork

struct ComposeEngineAdapter: ComposeEngine {
    let engine: Engine
    /// Where the builds of one command print their progress (ComposeEngineAdapter+Build):
    /// shared by the command's builds so their steps are numbered in one sequence.
    var buildProgress = PlainProgress(quiet: false)

    func summary(_ c: EngineContainer, _ s: EngineState) -> ContainerSummary {
        let status: ContainerSummary.Status
        switch s.status {
        case .created: status = .created
        case .running: status = .running
        case .restarting: status = .restarting
        case .exited: status = .exited
        case .dead, .unknown: status = .dead
        }
        var out = ContainerSummary(id: c.id, name: c.name, image: c.image, imageID: c.imageID, labels: c.labels, status: status)
        out.exitCode = s.exitCode
        out.health = s.health?.Status.rawValue
        out.hasHealthcheck = c.healthcheck?.isEnabled ?? false
        out.created = c.created
        out.startedAt = s.startedAt
        out.finishedAt = s.finishedAt
        out.command = Ps.command(c, trunc: false)
        let paused = Ps.paused(c, s, engine)
        out.statusText = Ps.status(s, paused: paused)
        if paused { out.status = .paused }
        if s.status == .running {
            out.ports = ((try? engine.publishedPorts(c.id)) ?? []).map { "\($0.hostIP.isEmpty ? "0.0.0.0" : $0.hostIP):\($0.hostPort)->\($0.containerPort)/\($0.proto)" }
        }
        return out
    }

    func list(labels: [String: String]) throws -> [ContainerSummary] {
        engine.list().filter { c, _ in labels.allSatisfy { c.labels[$0.key] == $0.value } }.map { summary($0.0, $0.1) }
    }

    func inspect(_ id: String) -> ContainerSummary? {
        guard let c = try? engine.container(id) else { return nil }
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

    /// Where secrets and configs given by content are written for binding:
    /// <root>/compose/<project>/<kind>s/<name> (removed by `down`).
    func filesDir(_ project: String) -> String { engine.root + "/compose/" + project }

    /// Secrets and configs as read-only bind mounts. A file source is bound as it is
    /// (uid/gid/mode cannot apply to it, as in docker compose without swarm); content and
    /// environment sources are written with their mode (default 0444) and owner.
    /// `write: false` (a dry run): the same mounts, with no file written.
    func fileMounts(_ spec: ContainerSpec, warnings: inout [String], write: Bool = true) throws -> [ContainerMount] {
        var out: [ContainerMount] = []
        for f in spec.files {
            let host: String
            switch f.source {
            case .path(let p):
                guard FileManager.default.fileExists(atPath: p) else { throw ComposeError("\(f.kind) \(f.name): file \(p) not found") }
                if f.uid != nil || f.gid != nil || f.mode != nil {
                    warnings.append("service \"\(spec.service.name)\": uid, gid and mode of file-based \(f.kind) \(f.name) are ignored (it is bound as it is)")
                }
                host = p
            case .content(let text):
                let dir = filesDir(spec.projectName) + "/\(f.kind)s"
                host = dir + "/" + f.name
                guard write else { break }
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: host, contents: Data(text.utf8)) else { throw ComposeError("cannot write \(host)") }
                chmod(host, mode_t(f.mode ?? 0o444))
                if f.uid != nil || f.gid != nil { chown(host, uid_t(f.uid.flatMap { UInt32($0) } ?? 0), gid_t(f.gid.flatMap { UInt32($0) } ?? 0)) }
            }
            out.append(ContainerMount(type: .bind, source: host, target: f.target, readOnly: true))
        }
        return out
    }

    func create(_ spec: ContainerSpec) throws -> (id: String, warnings: [String]) {
        var (o, warnings) = try ComposeEngineAdapter.runOptions(spec)
        o.mounts += try fileMounts(spec, warnings: &warnings)
        // network_mode: service:X → the network stack of X's first container.
        if let mode = spec.service.networkMode, mode.hasPrefix("service:") {
            let other = String(mode.dropFirst(8))
            guard let c = try list(labels: [ComposeLabel.project: spec.projectName, ComposeLabel.service: other]).first(where: \.isRunning) else {
                throw ComposeError("service \"\(spec.service.name)\" uses the network of service \"\(other)\", which has no running container")
            }
            o.networks = ["container:" + c.id]
        }
        let id = try engine.create(o).id
        // The first network is given at create; the others are connected now, each with
        // the service name and the service's aliases for it.
        do {
            for (key, real) in ComposeEngineAdapter.orderedNetworks(spec).dropFirst() {
                let sn = spec.service.networks[key] ?? ServiceNetwork()
                try engine.connect(network: real, container: id, ip: sn.ipv4Address, aliases: [spec.service.name] + sn.aliases)
            }
        } catch {
            try? engine.remove(id, force: true)
            throw error
        }
        _ = warnings
        return (id, warnings)
    }

    /// The service's networks as (key, real name), by priority (highest first), then name.
    static func orderedNetworks(_ spec: ContainerSpec) -> [(String, String)] {
        spec.service.networks.keys.sorted {
            let a = spec.service.networks[$0]?.priority ?? 0, b = spec.service.networks[$1]?.priority ?? 0
            return a != b ? a > b : $0 < $1
        }.compactMap { key in spec.networks[key].map { (key, $0) } }
    }

    /// A service (and a one-off's overrides) as RunOptions; the keys not applied yet.
    static func runOptions(_ spec: ContainerSpec) throws -> (RunOptions, [String]) {
        let s = spec.service
        var warnings: [String] = []
        func unsupported(_ what: String) { warnings.append("service \"\(s.name)\": \(what) is not supported by swiftbox yet: ignored") }
        var o = RunOptions(image: spec.image)
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
        o.devices = try (s.devices ?? []).map(DeviceMapping.parse)
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

        // Networks: network_mode, else the first of the service's networks (the others
        // are connected after create); the service name is an alias on each.
        if let mode = s.networkMode {
            if mode.hasPrefix("container:") || mode == "none" || mode == "host" || mode == "bridge" { o.networks = [mode] }
        } else if let (key, real) = orderedNetworks(spec).first {
            o.networks = [real]
            let sn = s.networks[key] ?? ServiceNetwork()
            o.networkAliases = [s.name] + sn.aliases
            o.ip = sn.ipv4Address
        }
        o.publish = s.ports.map(\.publishSpec)
        o.dns = s.dns
        o.dnsSearch = s.dnsSearch
        o.addHosts = s.extraHosts
        // Volumes: named ones by their real name (project_name), binds by absolute path.
        for v in s.volumes {
            var m: ContainerMount
            switch v.type {
            case "volume":
                if let src = v.source {
                    m = ContainerMount(type: .volume, source: spec.volumes[src] ?? src, target: v.target, readOnly: v.readOnly)
                } else {
                    m = try MountParser.parseVolumeFlag(v.target)
                    m.readOnly = v.readOnly
                }
                m.noCopy = v.volume?.nocopy
                if v.volume?.subpath != nil { unsupported("volume subpath") }
            case "bind":
                m = ContainerMount(type: .bind, source: v.source ?? "", target: v.target, readOnly: v.readOnly)
                m.propagation = v.bind?.propagation
                m.createHostPath = v.bind?.createHostPath ?? true
            case "tmpfs":
                m = ContainerMount(type: .tmpfs, source: "", target: v.target, readOnly: v.readOnly)
                m.tmpfsSize = v.tmpfs?.size
                m.tmpfsMode = v.tmpfs?.mode.map { UInt32($0) }
            default:
                unsupported("volumes of type \(v.type)")
                continue
            }
            o.mounts.append(m)
        }
        for t in s.tmpfs { o.mounts.append(try MountParser.parseTmpfsFlag(t)) }
        for (key, present) in [("sysctls", !s.sysctls.isEmpty), ("domainname", s.domainname != nil)] where present {
            unsupported(key)
        }
        for key in s.unsupported { unsupported(key) }
        return (o, warnings)
    }

    func start(_ id: String) throws { try engine.start(id) }
    func stop(_ id: String, timeout: Int?) throws { try engine.stop(id, timeout: timeout) }
    func kill(_ id: String, signal: String) throws { try engine.kill(id, signal: signal) }
    func remove(_ id: String, force: Bool) throws { try engine.remove(id, force: force, removeVolumes: true) }
    func wait(_ id: String) -> Int32 { engine.wait(id) ?? 255 }

    // MARK: networks and volumes

    var supportsNetworks: Bool { true }
    var supportsVolumes: Bool { true }

    func networkExists(_ name: String) -> Bool { engine.networks.store.all().contains { $0.name == name } }

    func createNetwork(_ name: String, config: NetworkConfig, labels: [String: String]) throws {
        if networkExists(name) { return }
        var r = Networks.CreateRequest(name: name)
        if let pool = config.ipam?.config.first {
            r.subnet = pool.subnet
            r.gateway = pool.gateway
            r.ipRange = pool.ipRange
        }
        r.isInternal = config.internal
        r.labels = config.labels.merging(labels) { $1 }
        _ = try engine.networks.create(r)
    }

    func removeNetwork(_ name: String) throws { _ = try engine.removeNetwork(name) }

    func networks(labels: [String: String]) -> [String] {
        engine.networks.store.all().filter { n in labels.allSatisfy { n.labels[$0.key] == $0.value } }.map(\.name)
    }

    func volumeExists(_ name: String) -> Bool { engine.volumes.get(name) != nil }

    func createVolume(_ name: String, config: VolumeConfig, labels: [String: String]) throws {
        let store = engine.volumes
        try store.withLock { _ = try store.create(name, labels: config.labels.merging(labels) { $1 }, options: config.driverOpts) }
    }

    func removeVolume(_ name: String) throws {
        let store = engine.volumes
        let users = engine.volumeUsers(name)
        try store.withLock { try store.remove(name, users: users) }
    }

    func volumes(labels: [String: String]) -> [String] {
        engine.volumes.list().filter { v in labels.allSatisfy { v.Labels[$0.key] == $0.value } }.map(\.Name)
    }
}
