// A network as stored under <root>/networks/<id>.json: its configuration (what
// `network create` was given and chose) and its endpoints (the containers plugged
// into it, with the address each holds). The endpoints live in the same file so one
// locked read-modify-rename hands out an address: never twice, even across crashes.
public struct NetworkRecord: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var driver: String          // "bridge"
    public var created: String
    public var subnet: IPv4Subnet
    public var gateway: IPv4Address
    /// --ip-range: containers get addresses from here (within the subnet).
    public var ipRange: IPv4Subnet?
    public var isInternal: Bool
    public var labels: [String: String]
    /// The Linux bridge on the host ("swiftbox0", "br-<id12>").
    public var bridge: String
    /// true when the user chose the subnet (then --ip is allowed, as Docker requires).
    public var userSubnet: Bool
    public var endpoints: [String: Endpoint]
    /// Set while `network create` builds the bridge: the record is written first, so a
    /// create killed half-way leaves a record naming the link it may have made. Creates
    /// hold the store's lock throughout, so whoever holds the lock and sees this flag
    /// knows its creator died (Networks.reapIncomplete).
    public var creating: Bool?

    public var shortID: String { String(id.prefix(12)) }
    /// The default network (`bridge`) resolves names only through /etc/hosts, as
    /// Docker's default bridge; user networks get the embedded DNS.
    public var isDefault: Bool { name == "bridge" }

    public init(id: String, name: String, created: String, subnet: IPv4Subnet, gateway: IPv4Address, ipRange: IPv4Subnet?,
                isInternal: Bool, labels: [String: String], bridge: String, userSubnet: Bool) {
        self.id = id
        self.name = name
        self.driver = "bridge"
        self.created = created
        self.subnet = subnet
        self.gateway = gateway
        self.ipRange = ipRange
        self.isInternal = isInternal
        self.labels = labels
        self.bridge = bridge
        self.userSubnet = userSubnet
        self.endpoints = [:]
    }
}

public struct Endpoint: Codable, Equatable, Sendable {
    public var containerID: String
    public var containerName: String
    public var address: IPv4Address
    public var aliases: [String]
    public init(containerID: String, containerName: String, address: IPv4Address, aliases: [String]) {
        self.containerID = containerID
        self.containerName = containerName
        self.address = address
        self.aliases = aliases
    }
    public var mac: String { macString(macAddress(for: address)) }
}

/// IP address management, pure: the next free address of a network, and the subnet
/// for a new network from the default pools.
public enum IPAM {
    /// Docker's default pools: 172.17–31.0.0/16, then 192.168.0.0/16 in /20s.
    public static var defaultPools: [IPv4Subnet] {
        (17...31).map { IPv4Subnet(address: IPv4Address(0xAC00_0000 | UInt32($0) << 16), prefix: 16) }
            + (0..<16).map { IPv4Subnet(address: IPv4Address(0xC0A8_0000 | UInt32($0) << 12), prefix: 20) }
    }

    /// The first pool that overlaps no existing network and no route of the host
    /// (ignoring the default route, which overlaps everything).
    public static func chooseSubnet(taken: [IPv4Subnet], pools: [IPv4Subnet] = defaultPools) throws -> IPv4Subnet {
        let relevant = taken.filter { $0.prefix > 0 }
        guard let s = pools.first(where: { p in !relevant.contains { $0.overlaps(p) } }) else { throw NetworkError.poolExhausted }
        return s
    }

    /// The lowest free address: in the ip-range if any, never the network address,
    /// the broadcast address, the gateway or one an endpoint holds.
    public static func nextAddress(in n: NetworkRecord) throws -> IPv4Address {
        let range = n.ipRange ?? n.subnet
        let used = Set(n.endpoints.values.map(\.address))
        var a = range.first.value
        while a <= range.last.value {
            let ip = IPv4Address(a)
            if ip != n.subnet.first && ip != n.subnet.broadcast && ip != n.gateway && !used.contains(ip) { return ip }
            if a == UInt32.max { break }
            a += 1
        }
        throw NetworkError.addressesExhausted(n.name)
    }

    /// Check an address asked for with --ip.
    public static func validate(requested ip: IPv4Address, in n: NetworkRecord) throws {
        guard n.userSubnet else { throw NetworkError.ipWithoutSubnet }
        let range = n.ipRange ?? n.subnet
        guard range.contains(ip), ip != n.subnet.first, ip != n.subnet.broadcast else {
            throw NetworkError.addressOutside(ip.description, n.name)
        }
        if ip == n.gateway || n.endpoints.values.contains(where: { $0.address == ip }) {
            throw NetworkError.addressInUse(ip.description, n.name)
        }
    }

    /// The network `network create` describes, checked as Docker checks it.
    public static func plan(subnet: String?, gateway: String?, ipRange: String?, existing: [NetworkRecord],
                            hostRoutes: [IPv4Subnet], pools: [IPv4Subnet] = defaultPools) throws -> (IPv4Subnet, IPv4Address, IPv4Subnet?) {
        let chosen: IPv4Subnet
        if let subnet {
            chosen = try IPv4Subnet(subnet)
            if let other = existing.first(where: { $0.subnet.overlaps(chosen) }) {
                throw NetworkError.overlaps(chosen.description, "\(other.subnet) (network \(other.name))")
            }
        } else {
            guard gateway == nil && ipRange == nil else {
                throw NetworkError.failed("--gateway and --ip-range need --subnet")
            }
            chosen = try chooseSubnet(taken: existing.map(\.subnet) + hostRoutes, pools: pools)
        }
        var gw = chosen.host(1)
        if let gateway {
            guard let g = IPv4Address(gateway) else { throw NetworkError.invalidAddress(gateway) }
            guard chosen.contains(g), g != chosen.first, g != chosen.broadcast else {
                throw NetworkError.gatewayOutside(gateway, chosen.description)
            }
            gw = g
        }
        var range: IPv4Subnet?
        if let ipRange {
            let r = try IPv4Subnet(ipRange, allowHostBits: false)
            guard chosen.contains(r) else { throw NetworkError.rangeOutside(ipRange, chosen.description) }
            range = r
        }
        guard chosen.prefix <= 30 else { throw NetworkError.failed("subnet \(chosen) is too small: at least a /30 is needed") }
        return (chosen, gw, range)
    }
}
