// Merging several compose files (`-f a.yaml -f b.yaml`, compose.override.yaml, extends),
// following the rules of the Compose spec's merge.md, written from the spec:
//  - mappings are merged key by key, recursively; a scalar of the later file replaces;
//  - command, entrypoint and healthcheck.test are replaced whole (they are commands);
//  - environment, labels, sysctls, extra_hosts, depends_on, networks, annotations,
//    deploy.labels, logging.options: the list form is turned into a mapping first,
//    then merged as mappings (so `- FOO=1` and `FOO: 2` meet on FOO);
//  - ports, volumes, secrets, configs, env_file: sequences merged by their key
//    (the mount target, the port mapping, the source), a later entry replacing an
//    earlier one with the same key;
//  - any other sequence (cap_add, dns, profiles, …): appended, without duplicates;
//  - build: the short form (a context) is merged as {context: …};
//  - the `!reset` tag removes the value, `!override` replaces it without merging.

public enum ComposeMerge {
    /// Merge a whole file's tree over another's.
    public static func mergeFiles(_ base: YNode, _ over: YNode) -> YNode {
        merge(base, over, path: [])
    }

    /// Merge a service's mapping over another's (used by extends too).
    public static func mergeService(_ base: YNode, _ over: YNode) -> YNode {
        merge(base, over, path: ["services", "*"])
    }

    static let replaced: Set<String> = ["services.*.command", "services.*.entrypoint", "services.*.healthcheck.test"]
    static let mappingLike: [String: Character] = [
        "services.*.environment": "=", "services.*.labels": "=", "services.*.sysctls": "=", "services.*.annotations": "=",
        "services.*.deploy.labels": "=", "services.*.logging.options": "=", "services.*.build.args": "=", "services.*.build.labels": "=",
        "services.*.extra_hosts": ":", "services.*.depends_on": "\0", "services.*.networks": "\0",
    ]
    static let keyed: Set<String> = ["services.*.ports", "services.*.volumes", "services.*.secrets", "services.*.configs", "services.*.env_file", "services.*.build.secrets"]

    static func pattern(_ path: [String]) -> String {
        // services.<name>.… → services.*.…
        var p = path
        if p.count >= 2 && p[0] == "services" { p[1] = "*" }
        return p.joined(separator: ".")
    }

    static func merge(_ base: YNode, _ over: YNode, path: [String]) -> YNode {
        if over.tag == "!override" { var o = over; o.tag = nil; return o }
        let pat = pattern(path)
        if replaced.contains(pat) { return over }
        // build: the short form is the long form's context (compose-go does the same), so
        // `build: ./web` in one file and `build: {target: x}` in another make one section.
        if pat == "services.*.build" { return mergeMappings(buildMapping(base), buildMapping(over), path: path) }
        if let sep = mappingLike[pat] {
            let b = asMapping(base, separator: sep, isDependsOn: pat.hasSuffix("depends_on"))
            let o = asMapping(over, separator: sep, isDependsOn: pat.hasSuffix("depends_on"))
            return mergeMappings(b, o, path: path)
        }
        switch (base.value, over.value) {
        case (.map, .map):
            return mergeMappings(base, over, path: path)
        case let (.seq(a), .seq(b)):
            var out = a
            if keyed.contains(pat) {
                for item in b {
                    let k = key(of: item, pattern: pat)
                    if let i = out.firstIndex(where: { key(of: $0, pattern: pat) == k }) { out[i] = item } else { out.append(item) }
                }
            } else {
                for item in b where !out.contains(where: { $0.value == item.value }) { out.append(item) }
            }
            return YNode(.seq(out), over.loc)
        default:
            return over
        }
    }

    static func mergeMappings(_ base: YNode, _ over: YNode, path: [String]) -> YNode {
        guard case .map(var out) = base.value, case .map(let o) = over.value else { return over }
        for (k, v) in o {
            if v.tag == "!reset" { out.removeAll { $0.0 == k }; continue }
            if let i = out.firstIndex(where: { $0.0 == k }) {
                out[i].1 = merge(out[i].1, v, path: path + [k])
            } else {
                var v2 = v
                if v2.tag == "!override" { v2.tag = nil }
                out.append((k, v2))
            }
        }
        return YNode(.map(out), base.loc)
    }

    /// The list form of environment/labels/… as a mapping; depends_on and networks lists
    /// become mappings of the names (depends_on with the default condition).
    static func asMapping(_ node: YNode, separator: Character, isDependsOn: Bool) -> YNode {
        guard case .seq(let items) = node.value else { return node }
        var pairs: [(String, YNode)] = []
        for item in items {
            guard let s = item.scalar else { continue }
            if separator == "\0" {
                let v: YNode = isDependsOn ? YNode(.map([("condition", YNode(.scalar("service_started", quoted: false), item.loc))]), item.loc) : YNode(.null, item.loc)
                pairs.removeAll { $0.0 == s }
                pairs.append((s, v))
                continue
            }
            let sepIndex = s.firstIndex(of: separator) ?? (separator == ":" ? s.firstIndex(of: "=") : nil)
            let k = sepIndex.map { String(s[..<$0]) } ?? s
            let v = sepIndex.map { YNode(.scalar(String(s[s.index(after: $0)...]), quoted: true), item.loc) } ?? YNode(.null, item.loc)
            pairs.removeAll { $0.0 == k }
            pairs.append((k, v))
        }
        return YNode(.map(pairs), node.loc)
    }

    /// `build: PATH` as `build: {context: PATH}`.
    static func buildMapping(_ node: YNode) -> YNode {
        guard node.scalar != nil else { return node }
        return YNode(.map([("context", node)]), node.loc)
    }

    /// What identifies an entry of a keyed sequence.
    static func key(of item: YNode, pattern: String) -> String {
        if pattern.hasSuffix("volumes") {
            if let s = item.scalar { return VolumeParser.parse(s)?.target ?? s }
            return item["target"]?.scalar ?? ""
        }
        if pattern.hasSuffix("ports") {
            if let s = item.scalar { return s }
            let f = { (k: String) in item[k]?.scalar ?? "" }
            return "\(f("host_ip")):\(f("published")):\(f("target"))/\(item["protocol"]?.scalar ?? "tcp")"
        }
        if pattern.hasSuffix("env_file") { return item.scalar ?? item["path"]?.scalar ?? "" }
        // secrets, configs: by target when given, else by source.
        if let s = item.scalar { return s }
        return item["target"]?.scalar ?? item["source"]?.scalar ?? ""
    }
}
