// `network connect|disconnect|rm|prune` and `port`: the operations that touch both
// a network's record and containers (their records, and running ones' namespaces).
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel
import SwiftboxNetwork

extension Engine {
    /// Attach a container to one more network; a running container gets the next
    /// interface (eth1, …) at once.
    public func connect(network ref: String, container: String, ip: String?, aliases: [String]) throws {
        let id = try store.resolve(container)
        var c = try store.config(id)
        let mode = c.networkMode ?? "none"
        guard mode != "none" && mode != "host" && !mode.hasPrefix("container:") else {
            throw EngineError.failed("container cannot be disconnected from host network or connected to host network")
        }
        let nets = networks
        let n = ref == "bridge" ? try nets.ensureDefault() : try nets.store.find(ref)
        if (c.networks ?? []).contains(where: { $0.networkID == n.id }) { throw NetworkError.alreadyConnected(c.name, n.name) }
        if n.isDefault && !aliases.isEmpty { throw EngineError.failed("network-scoped aliases are only supported for user-defined networks") }
        let (_, e) = try nets.connect(n.id, containerID: id, name: c.name, ip: ip, aliases: aliases,
                                      exists: { FileSystem.exists(store.dir($0)) })
        let index = (c.networks ?? []).count
        do {
            if isRunning(id) {
                let pid = store.state(id).pid
                let nsfd = open("/proc/\(pid)/ns/net", O_RDONLY | O_CLOEXEC)
                guard nsfd >= 0 else { throw KernelError("open", ["/proc/\(pid)/ns/net"]) }
                defer { close(nsfd) }
                let inside = try NetworkNamespace.socket(in: nsfd)
                let driver = BridgeDriver(host: try NetlinkSocket())
                try driver.ensureBridge(name: n.bridge, gateway: n.gateway, subnet: n.subnet)
                try driver.attach(.init(hostName: BridgeDriver.hostLinkName(containerID: id, index: index), interface: "eth\(index)",
                                        address: e.address, subnet: n.subnet, gateway: nil, bridge: n.bridge),
                                  namespaceFD: nsfd, inside: inside)
            }
            c.networks = (c.networks ?? []) + [NetworkAttachment(networkID: n.id, networkName: n.name, aliases: aliases)]
            try store.save(c)
            networkEvent("connect", id: n.id, name: n.name, container: id)
        } catch {
            try? nets.disconnect(n.id, containerID: id)
            throw error
        }
    }

    public func disconnect(network ref: String, container: String) throws {
        let id = try store.resolve(container)
        var c = try store.config(id)
        let nets = networks
        let n = try nets.store.find(ref)
        guard let index = (c.networks ?? []).firstIndex(where: { $0.networkID == n.id }) else {
            throw NetworkError.notConnected(c.name, n.name)
        }
        if isRunning(id) { _ = try? NetlinkSocket().deleteLink(BridgeDriver.hostLinkName(containerID: id, index: index)) }
        c.networks?.remove(at: index)
        try store.save(c)
        try nets.disconnect(n.id, containerID: id)
        networkEvent("disconnect", id: n.id, name: n.name, container: id)
    }

    /// `network rm`: refused while containers are attached (Docker's message).
    public func removeNetwork(_ ref: String) throws -> NetworkRecord {
        let nets = networks
        dropStaleEndpoints()
        let removed = try nets.remove(ref)
        stopDNS(removed.id)
        return removed
    }

    /// `network prune` (user networks without containers); `system prune` also removes
    /// an unused default network, so nothing swiftbox made stays behind.
    public func pruneNetworks(includingDefault: Bool = false) throws -> [String] {
        let nets = networks
        try nets.pruneIncomplete()
        dropStaleEndpoints()
        var removed: [String] = []
        for n in nets.store.all() where n.endpoints.isEmpty && (includingDefault || !n.isDefault) {
            if (try? nets.remove(n.id, allowDefault: includingDefault)) != nil {
                stopDNS(n.id)
                removed.append(n.name)
            }
        }
        return removed
    }

    /// Endpoints whose container no longer exists (a crash mid-create).
    func dropStaleEndpoints() {
        let nets = networks
        for n in nets.store.all() {
            for cid in n.endpoints.keys where !FileSystem.exists(store.dir(cid)) {
                _ = try? nets.disconnect(n.id, containerID: cid)
            }
        }
    }

    /// The host ports a running container publishes (`swiftbox port`).
    public func publishedPorts(_ ref: String) throws -> [PublishedPort] {
        let id = try store.resolve(ref)
        guard isRunning(id) else { return [] }
        return networks.store.ports()[id] ?? []
    }
}
