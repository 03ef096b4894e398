// `swiftbox network inspect --diagram`: what the bridge networks are made of, as a
// Graphviz DOT graph — the host's namespace with each bridge (subnet, gateway), the
// host end of each running container's veth pair enslaved to it, each container's own
// namespace with the other end (eth0…, address, MAC), the published ports and the nft
// chains a connection to them passes through. Pure: the engine gathers the records
// (Engine.networkDiagram), this only draws, so a golden file can pin it.
import SwiftboxNetwork

public enum NetworkDiagram {
    public struct Container: Equatable, Sendable {
        public var id: String
        public var name: String
        public var running: Bool
        /// The networks it is attached to, in order: the first is eth0.
        public var networkIDs: [String]
        public init(id: String, name: String, running: Bool, networkIDs: [String]) {
            self.id = id
            self.name = name
            self.running = running
            self.networkIDs = networkIDs
        }
    }

    public static func dot(networks: [NetworkRecord], containers: [Container], ports: [String: [PublishedPort]], table: String) -> String {
        let networks = networks.sorted { $0.name < $1.name }
        let shown = Set(networks.map(\.id))
        let containers = containers.filter { $0.networkIDs.contains(where: shown.contains) }.sorted { $0.name < $1.name }
        var out = """
            // swiftbox network inspect --diagram (render: dot -Tsvg)
            digraph swiftbox_networks {
              graph [rankdir=LR, fontname="monospace", fontsize=11, nodesep=0.3];
              node [shape=box, fontname="monospace", fontsize=10];
              edge [fontname="monospace", fontsize=9];

            """
        var edges: [String] = []
        out += "  subgraph cluster_host {\n    label=\"host: the root network namespace\";\n"
        let published = containers.filter(\.running).flatMap { c in (ports[c.id] ?? []).map { (c, $0) } }
        if !published.isEmpty {
            out += "    nft [shape=note, label=\"" + lines([
                "nft table ip \(table)",
                "prerouting, output: fib daddr type local → jump ports",
                "ports: dnat through the maps ports_any, ports_addr",
                "postrouting: masquerade leaving a subnet; hairpin",
                "forward: within a network, to published ports",
            ]) + "\"];\n"
        }
        for n in networks {
            out += "    \(node("br", n.id)) [shape=box3d, label=\"" + lines([
                "bridge \(n.bridge)", "network \(n.name)\(n.isInternal ? " (internal)" : "")",
                "\(n.subnet)", "gateway \(n.gateway)",
            ]) + "\"];\n"
        }
        for c in containers where c.running {
            for (i, nid) in c.networkIDs.enumerated() where shown.contains(nid) {
                out += "    \(node("veth", c.id, i)) [label=\"\(BridgeDriver.hostLinkName(containerID: c.id, index: i))\"];\n"
                edges.append("  \(node("br", nid)) -> \(node("veth", c.id, i)) [label=\"master\", dir=none];")
            }
        }
        for (k, (c, p)) in published.enumerated() {
            let pn = "port\(k + 1)"
            out += "    \(pn) [shape=cds, label=\"\(p.hostIP):\(p.hostPort)/\(p.proto)\"];\n"
            edges.append("  \(pn) -> nft;")
            if let i = c.networkIDs.firstIndex(where: shown.contains) {
                edges.append("  nft -> \(node("eth", c.id, i)) [label=\"dnat \(p.containerIP):\(p.containerPort)\"];")
            }
        }
        out += "  }\n"
        for c in containers {
            out += "  subgraph \(node("cluster_c", c.id)) {\n"
            out += "    label=\"container \(c.name) (\(c.id.prefix(12)))\(c.running ? ": its network namespace" : ": stopped, addresses kept")\";\n"
            out += "    style=\(c.running ? "rounded" : "\"rounded,dashed\"");\n"
            for (i, nid) in c.networkIDs.enumerated() {
                guard let n = networks.first(where: { $0.id == nid }), let e = n.endpoints[c.id] else { continue }
                let eth = node("eth", c.id, i)
                out += "    \(eth) [label=\"" + lines(["eth\(i)", "\(e.address)/\(n.subnet.prefix)", macString(macAddress(for: e.address))]
                    + (i == 0 && !n.isInternal ? ["default via \(n.gateway)"] : [])) + "\"];\n"
                if c.running {
                    edges.append("  \(node("veth", c.id, i)) -> \(eth) [label=\"veth pair\", dir=both, style=dashed];")
                } else {
                    edges.append("  \(node("br", nid)) -> \(eth) [label=\"address reserved\", style=dotted, dir=none];")
                }
            }
            out += "  }\n"
        }
        return out + "\n" + edges.joined(separator: "\n") + (edges.isEmpty ? "" : "\n") + "}\n"
    }

    /// DOT node IDs: a kind and the record's short ID (hex, so no quoting), plus the
    /// interface's index where there are several.
    static func node(_ kind: String, _ id: String, _ index: Int? = nil) -> String {
        "\(kind)_\(id.prefix(12))" + (index.map { "_\($0)" } ?? "")
    }

    /// A left-justified multi-line label (DOT's \l line ends), quotes escaped.
    static func lines(_ ls: [String]) -> String {
        ls.map { $0.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\\l" }.joined()
    }
}
