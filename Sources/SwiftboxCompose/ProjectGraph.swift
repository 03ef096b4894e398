// `swiftbox compose graph`: a project as Graphviz DOT — each service (image, replicas,
// published ports, healthcheck), its depends_on edges labelled with the condition the
// executor waits for (started, healthy, completed successfully), and the networks and
// named volumes the services join. Pure: from the loaded Project only, so `graph`
// needs no engine and a golden file can pin it.
public enum ProjectGraph {
    public static func dot(_ p: Project) -> String {
        var out = """
            // swiftbox compose graph (render: dot -Tsvg)
            digraph \(quote("compose_" + p.name)) {
              graph [rankdir=LR, fontname="monospace", fontsize=11, label=\(quote("project \(p.name)")), labelloc=t];
              node [fontname="monospace", fontsize=10];
              edge [fontname="monospace", fontsize=9];

            """
        for name in p.serviceNames {
            let s = p.services[name]!
            var lines = ["service \(name)", s.image ?? s.build.map { "build \($0)" } ?? "(no image)"]
            let replicas = s.scale ?? s.deploy?.replicas ?? 1
            if replicas != 1 { lines.append("× \(replicas)") }
            for port in s.ports { lines.append("\(port.hostIp.map { $0 + ":" } ?? "")\(port.published ?? "(any)") → \(port.target)/\(port.protocol)") }
            if let h = s.healthcheck, !h.disable, h.test?.first != "NONE" { lines.append("healthcheck: " + (h.test ?? []).dropFirst().joined(separator: " ")) }
            out += "  \(quote("svc:" + name)) [shape=box, style=rounded, label=\"\(label(lines))\"];\n"
        }
        let networks = p.networks.keys.sorted()
        for key in networks {
            let n = p.networks[key]!
            out += "  \(quote("net:" + key)) [shape=ellipse, label=\"\(label(["network \(key)", n.name] + (n.external ? ["external"] : []) + (n.internal ? ["internal"] : [])))\"];\n"
        }
        let volumes = p.volumes.keys.sorted()
        for key in volumes {
            let v = p.volumes[key]!
            out += "  \(quote("vol:" + key)) [shape=cylinder, label=\"\(label(["volume \(key)", v.name] + (v.external ? ["external"] : [])))\"];\n"
        }
        out += "\n"
        for name in p.serviceNames {
            let s = p.services[name]!
            for (dep, d) in s.dependsOn.sorted(by: { $0.key < $1.key }) {
                let condition = d.condition.rawValue.replacingUnderscores()
                let style = d.required ? "" : ", style=dashed"
                out += "  \(quote("svc:" + name)) -> \(quote("svc:" + dep)) [label=\(quote("depends on: " + condition + (d.restart ? ", restart" : "")))\(style)];\n"
            }
            for (key, sn) in s.networks.sorted(by: { $0.key < $1.key }) {
                let aliases = sn.aliases
                out += "  \(quote("svc:" + name)) -> \(quote("net:" + key)) [dir=none, style=dotted\(aliases.isEmpty ? "" : ", label=" + quote("aliases: " + aliases.joined(separator: " ")))];\n"
            }
            for v in s.volumes where v.type == "volume" {
                guard let source = v.source, p.volumes[source] != nil else { continue }
                out += "  \(quote("svc:" + name)) -> \(quote("vol:" + source)) [dir=none, style=dotted, label=\(quote(v.target + (v.readOnly ? " (ro)" : "")))];\n"
            }
        }
        return out + "}\n"
    }

    static func quote(_ s: String) -> String { "\"" + escape(s) + "\"" }
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
    /// Left-justified lines (DOT's \l).
    static func label(_ lines: [String]) -> String { lines.map { escape($0) + "\\l" }.joined() }
}

extension String {
    /// "service_healthy" → "service healthy"
    func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
