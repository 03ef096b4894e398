// Networks as the engine uses them: create/remove (store + bridge + firewall
// together, undone together on failure), endpoints (IPAM) and published ports.
// Two locks, always taken in this order: the state root's store lock (records), then
// a host-wide lock in /run (subnets and bridge names are a host-wide resource: two
// state roots must not pick the same subnet at the same moment).
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public struct Networks {
    public let store: NetworkStore
    public let firewall: Firewall
    /// The default network's bridge: "swiftbox0" for the default root; a name derived
    /// from the root otherwise (tests use their own roots at the same time).
    public let defaultBridge: String
    /// Called with a message the user should see (e.g. "enabled net.ipv4.ip_forward").
    public var notice: (String) -> Void = { _ in }

    public init(root: String, rootTag: String?) {
        store = NetworkStore(root: root)
        if let tag = rootTag {
            firewall = Firewall(table: "swiftbox-" + tag)
            defaultBridge = "sbr" + tag.prefix(10)
        } else {
            firewall = Firewall(table: "swiftbox")
            defaultBridge = "swiftbox0"
        }
    }

    static let hostLockPath = "/run/swiftbox/network.lock"

    func withHostLock<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.makeDirectories("/run/swiftbox", mode: 0o711)
        let fd = open(Networks.hostLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KernelError("open", [Networks.hostLockPath]) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw KernelError("flock", [Networks.hostLockPath]) } }
        return try body()
    }

    // MARK: networks

    public struct CreateRequest {
        public var name: String
        public var subnet: String?
        public var gateway: String?
        public var ipRange: String?
        public var isInternal = false
        public var labels: [String: String] = [:]
        public init(name: String) { self.name = name }
    }

    public func create(_ r: CreateRequest) throws -> NetworkRecord {
        try NetworkStore.validate(name: r.name)
        if ["host", "none"].contains(r.name) || r.name.hasPrefix("container:") {
            throw NetworkError.failed("network name \(r.name) is reserved")
        }
        // `bridge` exists from the start on Docker (ours from its first container).
        if r.name == "bridge" { throw NetworkError.nameExists(r.name) }
        return try store.withLock {
            reapIncomplete()
            let existing = store.all()
            if existing.contains(where: { $0.name == r.name }) { throw NetworkError.nameExists(r.name) }
            return try withHostLock { try makeNetwork(r, existing: existing, bridge: nil) }
        }
    }

    /// The default network `bridge`, created on first use.
    public func ensureDefault() throws -> NetworkRecord {
        if let n = store.all().first(where: { $0.name == "bridge" }), (try? NetlinkSocket().linkIndex(n.bridge)) != nil { return n }
        return try store.withLock {
            reapIncomplete()
            let existing = store.all()
            if let n = existing.first(where: { $0.name == "bridge" }) {
                // The record survived but the bridge did not (a reboot): make it again.
                try withHostLock { try setUpBridge(n) }
                try applyFirewall()
                return n
            }
            return try withHostLock { try makeNetwork(CreateRequest(name: "bridge"), existing: existing, bridge: defaultBridge) }
        }
    }

    /// Make sure a stored network's bridge, sysctls and rules exist — after a reboot
    /// the record survives but the bridge and the nft table do not.
    public func ensureUp(_ n: NetworkRecord) throws {
        if (try? NetlinkSocket().linkIndex(n.bridge)) != nil { return }
        try store.withLock {
            try withHostLock { try setUpBridge(n) }
            try applyFirewall()
        }
    }

    /// The default network as ensureDefault would make it now, made of nothing (a dry
    /// run's): its subnet chosen against the host's routes, its ID derived from the root.
    public func plannedDefault() throws -> NetworkRecord {
        try planNetwork(CreateRequest(name: "bridge"), existing: store.all(), bridge: defaultBridge, host: try NetlinkSocket())
    }

    /// The record `create` would make now, with nothing made (`compose up --dry-run`);
    /// `alsoPlanned`: networks planned before it, whose subnets it must not take.
    public func planned(_ r: CreateRequest, alsoPlanned: [NetworkRecord]) throws -> NetworkRecord {
        try planNetwork(r, existing: store.all() + alsoPlanned, bridge: nil, host: try NetlinkSocket())
    }

    /// The record of a new network: subnet, gateway, ID and bridge name; nothing made.
    func planNetwork(_ r: CreateRequest, existing: [NetworkRecord], bridge: String?, host: NetlinkSocket) throws -> NetworkRecord {
        // What the host already uses: every route in every table (the local table holds
        // each address too) and every address's own subnet — a docker0 on 172.17.0.0/16
        // makes our `bridge` take 172.18.0.0/16, as Docker's IPAM would.
        let inUse = try host.routeDestinations() + host.addressSubnets()
        let (subnet, gateway, range) = try IPAM.plan(subnet: r.subnet, gateway: r.gateway, ipRange: r.ipRange,
                                                      existing: existing, hostRoutes: inUse,
                                                      // 172.17.0.0/16 is the default network's first choice, as Docker's.
                                                      pools: bridge == nil ? Array(IPAM.defaultPools.dropFirst()) : IPAM.defaultPools)
        // The default network's ID is derived from the root: `network ls` shows it before
        // the bridge exists (PredefinedNetworks.swift).
        let id = bridge != nil ? predefinedID("bridge") : NetworkStore.newID()
        return NetworkRecord(id: id, name: r.name, created: Clock.rfc3339Nano(), subnet: subnet, gateway: gateway, ipRange: range,
                             isInternal: r.isInternal, labels: r.labels, bridge: bridge ?? "br-" + id.prefix(12), userSubnet: r.subnet != nil)
    }

    /// Store lock and host lock held.
    func makeNetwork(_ r: CreateRequest, existing: [NetworkRecord], bridge: String?) throws -> NetworkRecord {
        let host = try NetlinkSocket()
        var n = try planNetwork(r, existing: existing, bridge: bridge, host: host)
        if try host.linkIndex(n.bridge) != nil {
            throw NetworkError.failed("a link named \(n.bridge) already exists on this host and swiftbox did not create it")
        }
        // The record first, marked as being created: a create killed after this line
        // leaves a record that names the bridge, and the next holder of the lock removes
        // both (reapIncomplete). Killed before it, nothing exists yet.
        n.creating = true
        try store.save(n)
        do {
            try setUpBridge(n)
            n.creating = nil
            try store.save(n)
            try applyFirewall()
        } catch {
            store.remove(n.id)
            _ = try? host.deleteLink(n.bridge)
            try? applyFirewall()
            throw error
        }
        return n
    }

    /// `network prune`: what killed creates left, under the lock — and the nft table made
    /// again from the records (or removed when none is left): a `network rm` killed
    /// between removing its record and rewriting the table left rules for a bridge
    /// that is gone, and with no network left nothing else rewrites it.
    public func pruneIncomplete() throws {
        try store.withLock {
            reapIncomplete()
            try applyFirewall()
        }
    }

    /// Store lock held: remove what creates killed half-way left — the bridge their record
    /// names (made by that create: the link did not exist when the record was written),
    /// and the record.
    func reapIncomplete() {
        let incomplete = store.allRecords().filter { $0.creating == true }
        guard !incomplete.isEmpty, let host = try? NetlinkSocket() else { return }
        for n in incomplete {
            _ = try? host.deleteLink(n.bridge)
            store.remove(n.id)
        }
    }

    func setUpBridge(_ n: NetworkRecord) throws {
        let host = try NetlinkSocket()
        try BridgeDriver(host: host).ensureBridge(name: n.bridge, gateway: n.gateway, subnet: n.subnet)
        // Published ports answer on 127.0.0.1: the DNAT'd packet leaves through the
        // bridge with a loopback source, which the kernel drops as martian unless
        // route_localnet is on for that interface (then it is masqueraded).
        _ = try? Sysctl.ensure("net/ipv4/conf/\(n.bridge)/route_localnet", "1")
        if !n.isInternal, try Sysctl.ensure("net.ipv4.ip_forward", "1") {
            notice("enabled net.ipv4.ip_forward (it was 0) so containers on \(n.name) can reach other networks")
        }
    }

    /// Remove a network without endpoints: its bridge, its rules, its record.
    public func remove(_ ref: String, allowDefault: Bool = false) throws -> NetworkRecord {
        return try store.withLock {
            let n: NetworkRecord
            if let stored = try? store.find(ref) {
                n = stored
            } else if let p = findPredefined(ref) {
                throw NetworkError.predefined(p.name)   // host, none, or a bridge not made yet
            } else {
                throw NetworkError.notFound(ref)
            }
            if n.isDefault && !allowDefault { throw NetworkError.predefined(n.name) }
            if !n.endpoints.isEmpty { throw NetworkError.activeEndpoints(n.name, n.id) }
            store.remove(n.id)
            _ = try? NetlinkSocket().deleteLink(n.bridge)
            try applyFirewall()
            return n
        }
    }

    /// Store lock held: regenerate the table from the records (removing it when no
    /// network is left).
    func applyFirewall() throws {
        let networks = store.all()
        if networks.isEmpty { firewall.remove(); return }
        try firewall.apply(networks: networks, ports: store.ports().keys.sorted().flatMap { store.ports()[$0]! })
    }

    // MARK: endpoints

    /// Give a container an address on a network (or the one it asked for).
    /// `exists` tells whether a container ID still exists: endpoints of containers
    /// that vanished (a crash between steps) are dropped first.
    public func connect(_ ref: String, containerID: String, name: String, ip: String?, aliases: [String],
                        exists: (String) -> Bool) throws -> (NetworkRecord, Endpoint) {
        try store.withLock {
            var n = try store.find(ref)
            n.endpoints = n.endpoints.filter { $0.key == containerID || exists($0.key) }
            if n.endpoints[containerID] != nil { throw NetworkError.alreadyConnected(name, n.name) }
            let address: IPv4Address
            if let ip {
                guard let a = IPv4Address(ip) else { throw NetworkError.invalidAddress(ip) }
                try IPAM.validate(requested: a, in: n)
                address = a
            } else {
                address = try IPAM.nextAddress(in: n)
            }
            let e = Endpoint(containerID: containerID, containerName: name, address: address, aliases: aliases)
            n.endpoints[containerID] = e
            try store.save(n)
            return (n, e)
        }
    }

    /// Release a container's address on one network; false if it was not connected.
    @discardableResult
    public func disconnect(_ ref: String, containerID: String) throws -> Bool {
        try store.withLock {
            var n = try store.find(ref)
            guard n.endpoints.removeValue(forKey: containerID) != nil else { return false }
            try store.save(n)
            return true
        }
    }

    /// The container is gone: every address and port it held.
    public func release(containerID: String) {
        _ = try? store.withLock {
            for var n in store.all() where n.endpoints[containerID] != nil {
                n.endpoints[containerID] = nil
                try? store.save(n)
            }
            var p = store.ports()
            if let gone = p.removeValue(forKey: containerID) {
                try? store.savePorts(p)
                withdraw(gone)
            }
        }
    }

    /// Endpoints of a container, by network ID.
    public func endpoints(of containerID: String) -> [String: (NetworkRecord, Endpoint)] {
        var out: [String: (NetworkRecord, Endpoint)] = [:]
        for n in store.all() { if let e = n.endpoints[containerID] { out[n.id] = (n, e) } }
        return out
    }

    // MARK: published ports

    /// Record a running container's ports and install their DNAT rules; refuses a
    /// host port another container of this root already publishes.
    public func publish(containerID: String, _ ports: [PublishedPort]) throws {
        try store.withLock {
            var all = store.ports()
            for (other, list) in all where other != containerID {
                for p in ports {
                    if list.contains(where: { $0.hostPort == p.hostPort && $0.proto == p.proto && ($0.hostIP == p.hostIP || $0.hostIP == "0.0.0.0" || p.hostIP == "0.0.0.0") }) {
                        throw NetworkError.failed("Bind for \(p.hostIP):\(p.hostPort) failed: port is already allocated")
                    }
                }
            }
            let previous = all[containerID] ?? []
            all[containerID] = ports
            try store.savePorts(all)
            do {
                // Elements for the new ports; the whole table again if that fails (a table
                // from an older swiftbox, or one that vanished) or ports were replaced.
                if previous.isEmpty, (try? firewall.addPorts(ports)) != nil { return }
                try applyFirewall()
            } catch {
                all[containerID] = nil
                try? store.savePorts(all)
                throw error
            }
        }
    }

    /// Store lock held: delete the ports' map elements, or regenerate the table if that
    /// fails.
    func withdraw(_ ports: [PublishedPort]) {
        if (try? firewall.removePorts(ports)) == nil { try? applyFirewall() }
    }

    public func unpublish(containerID: String) {
        _ = try? store.withLock {
            var all = store.ports()
            guard let gone = all.removeValue(forKey: containerID) else { return }
            try? store.savePorts(all)
            withdraw(gone)
        }
    }
}
