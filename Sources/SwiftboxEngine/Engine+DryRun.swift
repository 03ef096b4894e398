// `swiftbox run --dry-run` and `create --dry-run`: the steps a start would take, as
// numbered commands, with nothing done — no container record, no name claimed, no
// address taken, no netns, no cgroup, no mount. Each step comes from the StartSteps
// function the real start calls around the same work (see Narrator), computed here on
// the values the real start would use: the same record (newRecord), the address IPAM
// would give next, the spec SpecGenerator makes, the LaunchPlan PlanBuilder builds.
//
// What it cannot know ahead is marked in the output: the monitor's pid and the fd by
// which it holds the namespace (`/proc/<monitor>/fd/<netns>`).
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage
import SwiftboxKernel
import SwiftboxNetwork
import SwiftboxOCI
import SwiftboxRuntime
import SwiftboxSecurity

extension Engine {
    /// Where the spec points the container's network namespace in a dry run.
    public static let dryRunNamespacePath = "/proc/<monitor>/fd/<netns>"

    /// `start`: also the monitor's part (rootfs, network, cgroups, clone, the wait);
    /// false for `create --dry-run`.
    public func dryRun(_ o: RunOptions, start: Bool = true) throws -> [NarratedStep] {
        var world = DryRunWorld()
        return try dryRun(o, start: start, world: &world)
    }

    /// The same, after the earlier steps of a larger dry run (`world`: what they would
    /// have made), which this one extends with the addresses it takes.
    public func dryRun(_ o: RunOptions, start: Bool = true, world: inout DryRunWorld) throws -> [NarratedStep] {
        var steps: [NarratedStep] = []
        let image = try images.resolve(o.image)
        steps.append(StartSteps.resolve(o.image, image))
        let id = EngineStore.newID()
        let made = try newRecord(o, image: image, id: id)
        var c = made.container
        if let name = o.name, !world.freedNames.contains(name), (try? store.resolve(name)) != nil {
            throw EngineError.failed("Conflict. The container name \"/\(name)\" is already in use")
        }
        let (records, createdNetwork) = try resolveNetworking(o, exposed: made.exposedPorts, into: &c, dryRun: true,
                                                              planned: world.networks, plannedContainers: world.plannedContainers)
        world.plannedContainers[c.name] = id
        if let createdNetwork { steps.append(createdNetwork) }
        let dir = store.dir(id)
        steps.append(StartSteps.record(c, dir: dir))
        if !made.mounts.isEmpty {
            // As materializeMounts would make them: an anonymous volume's name is random.
            var created = Set<String>()
            c.mounts = made.mounts.map { m in
                var m = m
                if m.type == .volume {
                    if m.source.isEmpty { m.source = EngineStore.newID() }
                    if volumes.get(m.source) == nil && !world.plannedVolumes.contains(m.source) { created.insert(m.source) }
                    if m.noCopy != true { m.copyUpPending = true }
                }
                return m
            }
            steps.append(StartSteps.volumes(c.mounts ?? [], created: created, engine: self))
        }
        let nets = networks
        var endpoints: [(NetworkRecord, IPv4Address, [String])] = []
        for (i, a) in (c.networks ?? []).enumerated() {
            var n = try world.networks.first { $0.id == a.networkID } ?? records.first { $0.id == a.networkID } ?? nets.store.find(a.networkID)
            let address = try i == 0 && c.requestedIP != nil ? IPv4Address(c.requestedIP!)! : IPAM.nextAddress(in: n)
            steps.append(StartSteps.address(n, address, container: c.name))
            endpoints.append((n, address, a.aliases))
            // Taken, for the containers after this one in the same dry run.
            n.endpoints[id] = Endpoint(containerID: id, containerName: c.name, address: address, aliases: a.aliases)
            world.remember(n)
        }
        guard start else { return steps }
        var madeEarlier = world.plannedNames
        if createdNetwork != nil { madeEarlier.insert(Engine.defaultNetwork) }
        return steps + (try startSteps(c, image: image, endpoints: endpoints, networksMadeEarlier: madeEarlier,
                                       plannedContainers: world.plannedContainers))
    }

    /// `start --dry-run` of a created (or stopped) container: the monitor's part, on
    /// the addresses its create took.
    public func dryRunStart(_ ref: String) throws -> [NarratedStep] {
        let id = try store.resolve(ref)
        let c = try store.config(id)
        guard !isRunning(id) else { throw EngineError.failed("container \(c.shortID) is running: there is nothing to start") }
        let image = try images.resolve(c.imageID)
        let taken = networks.endpoints(of: id)
        let endpoints = (c.networks ?? []).compactMap { a in taken[a.networkID].map { ($0.0, $0.1.address, $0.1.aliases) } }
        return try startSteps(c, image: image, endpoints: endpoints, networksMadeEarlier: [])
    }

    /// The monitor's part of a start (Engine.prepareStart, OCIRuntime.run), narrated.
    func startSteps(_ c: EngineContainer, image: ImageRecord, endpoints: [(NetworkRecord, IPv4Address, [String])],
                    networksMadeEarlier: Set<String>, plannedContainers: [String: String] = [:]) throws -> [NarratedStep] {
        var steps: [NarratedStep] = []
        let id = c.id, dir = store.dir(c.id)
        // The rootfs (mountRootfs).
        var layers = SnapshotStore.chainIDs(image.diffIDs).map(images.snapshots.directory)
        steps.append(StartSteps.layers(image, directories: layers))
        if layers.isEmpty { layers = [images.snapshots.root + "/empty"] }
        let imageLayers = layers
        if let remap = c.usernsRemap {
            // --userns-remap (mountRootfs): the layers as LayerRemapper would show them.
            let remapper = LayerRemapper(remap: remap, mode: try EngineConfig.load(root: root).remapLayers)
            let upper = FileSystem.exists(dir + "/upper") ? nil : (path: dir + "/upper", owner: remapper.upperOwner(topLayer: layers.last))
            let remapped = try remapper.planned(layers, containerDir: dir)
            steps.append(remapper.narration(layers, remapped, upper: upper))
            layers = remapped.dirs
        }
        steps.append(StartSteps.overlay(containerDir: dir, data: Engine.overlayData(c, layers: layers, containerDir: dir), volatile: c.autoRemove))

        // The network (setUpNetwork), in its order.
        var setup = NetworkSetup()
        let mode = c.networkMode ?? "none"
        if mode == "host" { setup.hostNetwork = true }
        if mode.hasPrefix("container:") {
            // setUpNetwork: its first process's namespace. A container this dry run only
            // plans (compose) has no pid yet: a placeholder in the same path.
            let other = String(mode.dropFirst("container:".count))
            let planned = plannedContainers.first { $0.value == other }?.key
            let name = planned ?? (try? store.config(other).name) ?? other
            setup.namespacePath = planned == nil && isRunning(other) ? "/proc/\(store.state(other).pid)/ns/net" : "/proc/<pid of \(name)>/ns/net"
            steps.append(StartSteps.joinNetwork(of: name, path: setup.namespacePath!))
        }
        if !endpoints.isEmpty {
            setup.namespacePath = Engine.dryRunNamespacePath
            steps.append(StartSteps.namespace(id, sysctls: DockerDefaults.networkSysctls))
            let host = try NetlinkSocket()
            for (i, (n, address, aliases)) in endpoints.enumerated() {
                // (Made at create on its first use, or by an earlier step: there by now.)
                let made = networksMadeEarlier.contains(n.name)
                steps.append(StartSteps.bridge(n, exists: made || (try? host.linkIndex(n.bridge)) ?? nil != nil))
                let a = BridgeDriver.Attachment(hostName: BridgeDriver.hostLinkName(containerID: id, index: i), interface: "eth\(i)",
                                                address: address, subnet: n.subnet, gateway: i == 0 && !n.isInternal ? n.gateway : nil,
                                                bridge: n.bridge)
                steps.append(StartSteps.veth(a, network: n.name, id: id))
                setup.addresses.append(address)
                if !n.isDefault {
                    steps.append(StartSteps.dns(n, c, address: address, aliases: aliases))
                    setup.dnsServers.append(n.gateway)
                }
            }
            if let requests = c.publish, let ip = setup.addresses.first {
                // The port the kernel would give now: bound and let go at once.
                let ports = try requests.map { r in
                    let s = try PortBinder.bind(r)
                    defer { close(s) }
                    return PublishedPort(hostIP: r.hostIP, hostPort: PortBinder.port(of: s), containerIP: ip, containerPort: r.containerPort, proto: r.proto)
                }
                steps.append(StartSteps.ports(ports, table: networks.firewall.table))
            }
        }
        steps.append(StartSteps.files(dir, hostname: c.hostname, hosts: hostsFile(c, setup), resolvConf: resolvConf(c, setup)))

        // The spec (prepareStart) and the launch plan (OCIRuntime.run).
        let rootfs = dir + "/rootfs"
        // The user is looked up in the image's own /etc/passwd: the top layer that has one.
        let passwdRoot = imageLayers.reversed().first { FileSystem.exists($0 + "/etc/passwd") } ?? rootfs
        let (uid, gid, groups) = try UserLookup.resolve(c.user, rootfs: passwdRoot)
        var spec = try SpecGenerator.spec(for: c, rootfs: rootfs, containerDir: dir, uid: uid, gid: gid, additionalGids: groups)
        MountSpec.apply(c.mounts ?? [], to: &spec, volumeData: volumes.dataDir)
        SpecGenerator.applyNetwork(&spec, setup, containerDir: dir)
        steps.append(StartSteps.security(spec))
        // A compiled seccomp filter is cached on first use: a dry run compiles its own
        // (the same program) and writes no cache file.
        let cache = SeccompCompiler.cacheDirectory
        SeccompCompiler.cacheDirectory = nil
        defer { SeccompCompiler.cacheDirectory = cache }
        let runtime = runtime()
        let plan = try runtime.plan(spec: spec, bundle: dir + "/bundle", id: id, mode: .run, rootfsMustExist: false,
                                    filesMadeLater: Set(["hostname", "hosts", "resolv.conf"].map { dir + "/" + $0 }),
                                    directoriesMadeLater: Set((c.mounts ?? []).compactMap { m in
                                        m.type == .volume ? volumes.dataDir(m.source) : m.type == .bind && m.createHostPath == true ? m.source : nil
                                    }))
        steps.append(plan.buildNarration)
        if let step = plan.cgroupNarration(hierarchies: runtime.cgroups.hierarchies) { steps.append(step) }
        steps.append(plan.launchNarration)

        steps.append(StartSteps.monitorStart(id, engine: self))
        steps.append(StartSteps.monitorWait(c, engine: self))
        steps.append(StartSteps.monitorExit(c, engine: self, cgroupPath: plan.cgroupPath))
        return steps
    }
}
