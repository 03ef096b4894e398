// swiftbox's packet filtering and NAT: one nftables table (`ip swiftbox`, or
// `ip swiftbox-<hash>` for a non-default state root) that swiftbox owns whole. A change
// of networks regenerates the table from the stored networks and published ports and
// replaces it in one nft transaction (`nft -f`: the delete and the new table commit
// together, so no packet sees half a ruleset). Rules of other tables are never read
// or changed; when the last network goes, the table goes.
//
// Published ports are elements of two maps, looked up by the DNAT rules: publishing
// adds elements and unpublishing deletes them, without replacing the table. Measured
// here: `nft add element` 4-8 ms, replacing the table 16-24 ms — a commit that deletes
// anything makes the kernel wait for an RCU grace period before nft can exit, and a
// container start with -p waited for it.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public struct Firewall {
    public let table: String

    public init(table: String) { self.table = table }

    /// The table's text for these networks and ports (pure; unit-tested).
    public static func ruleset(table: String, networks: [NetworkRecord], ports: [PublishedPort]) -> String {
        let q = { (s: String) in "\"\(s)\"" }
        let bridges = networks.map { q($0.bridge) }.joined(separator: ", ")
        var out = "table ip \(table) {\n"
        // DNAT of published ports, for traffic from outside (prerouting) and from the
        // host itself, 127.0.0.1 included (output). `fib daddr type local`: only
        // packets addressed to one of the host's own addresses.
        // Keys: host address, protocol and port (ports_addr) or, for ports published on
        // every address (0.0.0.0), protocol and port (ports_any); values: the
        // container's address and port.
        let specific = ports.filter { $0.hostIP != "0.0.0.0" }, any = ports.filter { $0.hostIP == "0.0.0.0" }
        out += "\tmap ports_addr {\n\t\ttype ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service\n"
        if !specific.isEmpty { out += "\t\telements = { " + specific.map(element).joined(separator: ", ") + " }\n" }
        out += "\t}\n"
        out += "\tmap ports_any {\n\t\ttype inet_proto . inet_service : ipv4_addr . inet_service\n"
        if !any.isEmpty { out += "\t\telements = { " + any.map(element).joined(separator: ", ") + " }\n" }
        out += "\t}\n"
        out += "\tchain ports {\n"
        out += "\t\tdnat ip to ip daddr . meta l4proto . th dport map @ports_addr\n"
        out += "\t\tdnat ip to meta l4proto . th dport map @ports_any\n"
        out += "\t}\n"
        out += "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
        out += "\t\tfib daddr type local jump ports\n\t}\n"
        out += "\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n"
        out += "\t\tfib daddr type local jump ports\n\t}\n"
        // Source NAT: containers reaching beyond their bridge leave with the host's
        // address (not for internal networks, which cannot leave at all); connections
        // to a published port that come from 127.0.0.1 or from a container (hairpin)
        // are masqueraded so the reply comes back through us. Others keep the client's
        // address.
        out += "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
        for n in networks where !n.isInternal {
            out += "\t\tip saddr \(n.subnet) oifname != \(q(n.bridge)) masquerade\n"
        }
        out += "\t\tct status dnat ip saddr 127.0.0.0/8 masquerade\n"
        for n in networks {
            out += "\t\tct status dnat ip saddr \(n.subnet) oifname \(q(n.bridge)) masquerade\n"
        }
        out += "\t}\n"
        // Forwarding: within a network yes; published ports from anywhere yes; between
        // two swiftbox networks no; an internal network talks to nothing else.
        out += "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n"
        if !networks.isEmpty {
            out += "\t\tct state established,related accept\n"
            out += "\t\tct status dnat oifname { \(bridges) } accept\n"
            for n in networks { out += "\t\tiifname \(q(n.bridge)) oifname \(q(n.bridge)) accept\n" }
            for n in networks where n.isInternal {
                out += "\t\tiifname \(q(n.bridge)) drop\n\t\toifname \(q(n.bridge)) drop\n"
            }
            out += "\t\tiifname { \(bridges) } oifname { \(bridges) } drop\n"
        }
        out += "\t}\n"
        out += "}\n"
        return out
    }

    /// A published port's key in ports_addr (host address . protocol . port) or
    /// ports_any (protocol . port, for 0.0.0.0), and its value (container address . port).
    static func key(_ p: PublishedPort) -> String {
        (p.hostIP == "0.0.0.0" ? "" : "\(p.hostIP) . ") + "\(p.proto) . \(p.hostPort)"
    }
    static func element(_ p: PublishedPort) -> String { key(p) + " : \(p.containerIP) . \(p.containerPort)" }

    /// The nft commands that add (or delete) these ports' elements; a deletion names
    /// the key only.
    public static func portElements(table: String, _ ports: [PublishedPort], delete: Bool) -> String {
        var out = ""
        for p in ports {
            let map = p.hostIP == "0.0.0.0" ? "ports_any" : "ports_addr"
            out += "\(delete ? "delete" : "add") element ip \(table) \(map) { \(delete ? key(p) : element(p)) }\n"
        }
        return out
    }

    /// Add the elements of published ports to the table's maps (one nft transaction).
    public func addPorts(_ ports: [PublishedPort]) throws {
        guard !ports.isEmpty else { return }
        try Firewall.nft(Firewall.portElements(table: table, ports, delete: false))
    }

    /// Delete published ports' elements.
    public func removePorts(_ ports: [PublishedPort]) throws {
        guard !ports.isEmpty else { return }
        try Firewall.nft(Firewall.portElements(table: table, ports, delete: true))
    }

    /// Replace the table (or delete it when there is nothing left to filter).
    public func apply(networks: [NetworkRecord], ports: [PublishedPort]) throws {
        // "add table" first makes "delete table" safe when it does not exist yet.
        var script = "add table ip \(table)\ndelete table ip \(table)\n"
        if !networks.isEmpty { script += Firewall.ruleset(table: table, networks: networks, ports: ports) }
        try Firewall.nft(script)
    }

    /// Remove the table if it exists.
    public func remove() { try? Firewall.nft("add table ip \(table)\ndelete table ip \(table)\n") }

    public func exists() -> Bool {
        (try? Firewall.nft("list table ip \(table)\n", quiet: true)) != nil
    }

    /// Run `nft -f -` with the script on stdin; stderr becomes the error.
    static func nft(_ script: String, quiet: Bool = false) throws {
        let (status, errText) = try Subprocess.run(["/usr/sbin/nft", "-f", "-"], input: Array(script.utf8))
        guard status == 0 else {
            throw NetworkError.failed("nft: \(errText.trimmed())" + (quiet ? "" : "\n(script:\n\(script))"))
        }
    }
}

