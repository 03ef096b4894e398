// The links of a bridge network: a Linux bridge on the host holding the gateway
// address, and per container a veth pair — one end enslaved to the bridge, the other
// ("eth0", "eth1", …) inside the container's network namespace with the container's
// address and, for its first network, the default route via the gateway.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public struct BridgeDriver {
    public let host: NetlinkSocket

    public init(host: NetlinkSocket) { self.host = host }

    /// Create the bridge if it is missing: `ip link add NAME address MAC type bridge; ip
    /// addr add GATEWAY/PREFIX dev NAME; ip link set NAME up`. Returns its index.
    ///
    /// The MAC is set, not left to the kernel: a bridge without one of its own takes the
    /// lowest MAC of its ports and changes it as ports come and go (br_stp_recalculate_bridge_id),
    /// so a container whose neighbour entry still names the old MAC sends its packets for the
    /// gateway (DNS, NAT) to nobody until the entry expires — a minute without name
    /// resolution after another container on the network was recreated. A MAC given at
    /// creation (addr_assign_type NET_ADDR_SET) stays; Docker's bridge driver sets one too.
    @discardableResult
    public func ensureBridge(name: String, gateway: IPv4Address, subnet: IPv4Subnet) throws -> Int32 {
        if let index = try host.linkIndex(name) { return index }
        do {
            let mac = macAddress(for: gateway)
            try host.perform(RouteRequests.newBridge(name: name, address: mac), "ip link add \(name) address \(macString(mac)) type bridge")
        } catch NetworkError.netlink(_, let e) where e == EEXIST {
            // Another process made it a moment ago: fine, it is configured the same way.
            return try host.requireIndex(name)
        }
        let index = try host.requireIndex(name)
        do {
            try host.perform(RouteRequests.addAddress(index: index, address: gateway, prefix: subnet.prefix),
                             "ip addr add \(gateway)/\(subnet.prefix) dev \(name)")
            try host.perform(RouteRequests.setLink(index: index, up: true), "ip link set \(name) up")
        } catch {
            _ = try? host.deleteLink(name)
            throw error
        }
        return index
    }

    public struct Attachment {
        public var hostName: String       // "vsb…" on the host, in the bridge
        public var interface: String      // "eth0" in the container
        public var address: IPv4Address
        public var subnet: IPv4Subnet
        public var gateway: IPv4Address?  // nil: no default route (internal networks, later networks)
        public var bridge: String
        public init(hostName: String, interface: String, address: IPv4Address, subnet: IPv4Subnet, gateway: IPv4Address?, bridge: String) {
            self.hostName = hostName
            self.interface = interface
            self.address = address
            self.subnet = subnet
            self.gateway = gateway
            self.bridge = bridge
        }
    }

    /// Plug a container's namespace into a bridge. Undone (host end deleted, which
    /// deletes the peer too) if any step fails.
    public func attach(_ a: Attachment, namespaceFD: Int32, inside: NetlinkSocket) throws {
        let bridgeIndex = try host.requireIndex(a.bridge)
        let mac = macAddress(for: a.address)
        try host.perform(RouteRequests.newVeth(name: a.hostName, peer: a.interface, peerNamespaceFD: namespaceFD,
                                               peerMAC: mac, master: bridgeIndex),
                         "ip link add \(a.hostName) master \(a.bridge) type veth peer name \(a.interface) netns \(namespaceFD)")
        do {
            try host.setUp(a.hostName)
            let index = try inside.requireIndex(a.interface)
            try inside.perform(RouteRequests.addAddress(index: index, address: a.address, prefix: a.subnet.prefix),
                               "ip addr add \(a.address)/\(a.subnet.prefix) dev \(a.interface)")
            try inside.perform(RouteRequests.setLink(index: index, up: true), "ip link set \(a.interface) up")
            if let gw = a.gateway {
                try inside.perform(RouteRequests.addDefaultRoute(gateway: gw, index: index), "ip route add default via \(gw)")
            }
        } catch {
            _ = try? host.deleteLink(a.hostName)
            throw error
        }
    }

    /// What `attach` does, as the `ip` commands that would do it by hand, with the
    /// namespace called `namespace` (`ip netns add NAME` names one; ours is held by an
    /// fd instead). Kept beside `attach`, in the same order: narrations print these.
    public static func commands(_ a: Attachment, namespace: String) -> [String] {
        var out = ["ip link add \(a.hostName) master \(a.bridge) type veth peer name \(a.interface) address \(macString(macAddress(for: a.address))) netns \(namespace)",
                   "ip link set \(a.hostName) up",
                   "ip -n \(namespace) addr add \(a.address)/\(a.subnet.prefix) dev \(a.interface)",
                   "ip -n \(namespace) link set \(a.interface) up"]
        if let gw = a.gateway { out.append("ip -n \(namespace) route add default via \(gw)") }
        return out
    }

    /// What `ensureBridge` does when the bridge is missing.
    public static func bridgeCommands(name: String, gateway: IPv4Address, subnet: IPv4Subnet) -> [String] {
        ["ip link add \(name) type bridge", "ip addr add \(gateway)/\(subnet.prefix) dev \(name)", "ip link set \(name) up"]
    }

    /// The host end's name for a container's n-th network: at most 15 bytes (IFNAMSIZ-1),
    /// derived from the container ID so cleanup finds it without any other record.
    public static func hostLinkName(containerID: String, index: Int) -> String {
        "vsb" + containerID.prefix(10) + (index < 10 ? "\(index)" : String(UnicodeScalar(UInt8(87 + min(index, 35)))))
    }
}

/// A few /proc/sys switches (sysctl(8)); written only when they differ.
public enum Sysctl {
    public static func read(_ key: String) -> String? {
        (try? FileSystem.readString("/proc/sys/" + key.replacingDots()))?.trimmed()
    }

    /// Returns true if it changed the value.
    @discardableResult
    public static func ensure(_ key: String, _ value: String) throws -> Bool {
        if read(key) == value { return false }
        try FileSystem.write("/proc/sys/" + key.replacingDots(), value)
        return true
    }
}

extension String {
    /// "net.ipv4.ip_forward" → "net/ipv4/ip_forward"; interface names with dots are
    /// passed with slashes already ("net/ipv4/conf/br-x/route_localnet").
    func replacingDots() -> String { contains("/") ? self : split(separator: ".").joined(separator: "/") }
}
