// `compose config`: the normalized project printed back as a compose file (YAML, or
// JSON with --format json), keys sorted, defaults and empty values left out, so two
// equivalent inputs print the same text.
import Yams

public enum ProjectEncoder {
    public static func value(_ project: Project) throws -> JSONValue {
        var top: [String: JSONValue] = ["name": .string(project.name)]
        var services: [String: JSONValue] = [:]
        for (n, s) in project.services { services[n] = try serviceValue(s) }
        top["services"] = .object(services)
        let resources: [(String, JSONValue)] = [("networks", try .from(project.networks)), ("volumes", try .from(project.volumes)),
                                                ("secrets", try .from(project.secrets)), ("configs", try .from(project.configs))]
        for (key, v) in resources { if let p = v.pruned { top[key] = p } }
        return .object(top)
    }

    public static func serviceValue(_ s: Service) throws -> JSONValue {
        var v = try JSONValue.from(s).pruned ?? .object([:])
        v["name"] = nil
        v["unsupported"] = nil
        v["build"]?["unsupported"] = nil
        return v
    }

    public static func json(_ project: Project) throws -> String { try value(project).jsonText() }

    public static func yaml(_ project: Project) throws -> String { try yaml(try value(project)) }

    public static func yaml(_ value: JSONValue) throws -> String {
        try Yams.serialize(node: node(value))
    }

    /// Strings that would read back as something else (a number, true, null) are quoted.
    static func node(_ v: JSONValue) -> Node {
        switch v {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d), Tag(.float))
        case .string(let s):
            // y and n too: YAML 1.1 readers (Go's yaml.v2, PyYAML's) take them for booleans.
            let risky = Double(s) != nil || ["true", "false", "yes", "no", "y", "n", "on", "off", "null", "~", ""].contains(s.lowercased())
                || s.hasPrefix(" ") || s.hasSuffix(" ")
            // Several lines (dockerfile_inline, a script) as a literal block, as docker compose prints them.
            if s.contains("\n") && !s.hasPrefix(" ") && !s.contains(" \n") && !s.contains("\t") { return Node(s, Tag(.str), .literal) }
            return Node(s, Tag(.str), risky ? .doubleQuoted : .any)
        case .array(let a): return Node(a.map(node))
        case .object(let o): return Node(o.keys.sorted().map { (Node($0, Tag(.str)), node(o[$0]!)) })
        }
    }
}
