// Checks across keys, once the project is parsed: references to services, networks,
// volumes, secrets and configs that exist; no dependency cycle; container_name only
// with one replica; an image or a build for every service; build secrets that exist.
// Errors point at the key in the file.

struct ProjectValidator {
    let root: YNode

    func loc(_ service: String, _ keys: String...) -> SourceLocation? {
        var node = root["services"]?[service]
        var best = node?.loc
        for k in keys {
            node = node?[k]
            if let n = node { best = n.loc }
        }
        return best
    }

    func validate(_ project: inout Project, warnings: inout ComposeWarnings) throws {
        let all = Set(project.services.keys).union(project.disabledServices.keys)
        for name in project.serviceNames {
            let s = project.services[name]!
            let path = "services.\(name)"
            if s.image == nil && s.build == nil {
                throw ComposeError("service \"\(name)\" has neither an image nor a build context specified", at: loc(name), key: path)
            }
            for r in s.build?.secrets ?? [] where project.secrets[r.source] == nil {
                throw ComposeError("service \"\(name)\" refers to undefined build secret \(r.source): invalid compose project", at: loc(name, "build", "secrets"), key: path + ".build.secrets")
            }
            for (dep, d) in s.dependsOn.sorted(by: { $0.key < $1.key }) {
                if project.services[dep] != nil { continue }
                if !d.required {
                    warnings.add("service \"\(name)\" depends on \"\(dep)\", which is \(all.contains(dep) ? "disabled" : "not defined"): ignored (required: false)")
                    project.services[name]!.dependsOn[dep] = nil
                    continue
                }
                if project.disabledServices[dep] != nil {
                    let profiles = project.disabledServices[dep]!.profiles.joined(separator: ", ")
                    throw ComposeError("service \"\(dep)\" is required by \"\(name)\" but is disabled; it can be enabled with the profile(s) \(profiles)", at: loc(name, "depends_on", dep), key: path + ".depends_on")
                }
                throw ComposeError("service \"\(name)\" depends on undefined service \"\(dep)\"", at: loc(name, "depends_on"), key: path + ".depends_on")
            }
            if let mode = s.networkMode {
                if !s.networks.isEmpty {
                    throw ComposeError("network_mode and networks cannot be combined", at: loc(name, "network_mode"), key: path + ".network_mode")
                }
                if mode.hasPrefix("service:") {
                    let other = String(mode.dropFirst(8))
                    guard project.services[other] != nil else {
                        throw ComposeError("service \"\(name)\" uses the network stack of undefined service \"\(other)\"", at: loc(name, "network_mode"), key: path + ".network_mode")
                    }
                }
            }
            for net in s.networks.keys.sorted() where net != "default" && project.networks[net] == nil {
                throw ComposeError("service \"\(name)\" refers to undefined network \(net): invalid compose project", at: loc(name, "networks"), key: path + ".networks")
            }
            for (i, v) in s.volumes.enumerated() where v.type == "volume" {
                guard let src = v.source else { continue }
                if project.volumes[src] == nil {
                    throw ComposeError("service \"\(name)\" refers to undefined volume \(src): invalid compose project", at: loc(name, "volumes"), key: "\(path).volumes[\(i)]")
                }
            }
            for r in s.secrets where project.secrets[r.source] == nil {
                throw ComposeError("service \"\(name)\" refers to undefined secret \(r.source): invalid compose project", at: loc(name, "secrets"), key: path + ".secrets")
            }
            for r in s.configs where project.configs[r.source] == nil {
                throw ComposeError("service \"\(name)\" refers to undefined config \(r.source): invalid compose project", at: loc(name, "configs"), key: path + ".configs")
            }
            if s.containerName != nil && s.replicas > 1 {
                throw ComposeError("services.\(name): can't set container_name and \(name) as container name must be unique", at: loc(name, "container_name"), key: path + ".container_name")
            }
            if s.replicas < 0 { throw ComposeError("replicas must not be negative", at: loc(name, "deploy"), key: path) }
        }
        if let cycle = DependencyGraph(project.services).cycle() {
            let first = cycle[0]
            throw ComposeError("dependency cycle detected: \(cycle.joined(separator: " -> "))", at: loc(first, "depends_on"), key: "services.\(first).depends_on")
        }
        // Every service without network_mode or networks joins the project's default network.
        for name in project.serviceNames where project.services[name]!.networkMode == nil && project.services[name]!.networks.isEmpty {
            project.services[name]!.networks["default"] = ServiceNetwork()
        }
        if project.services.values.contains(where: { $0.networks["default"] != nil }), project.networks["default"] == nil {
            project.networks["default"] = NetworkConfig(name: "\(project.name)_default")
        }
    }
}

/// The depends_on graph (network_mode: service:X counts as a dependency too).
public struct DependencyGraph {
    public let edges: [String: [String]]

    public init(_ services: [String: Service]) {
        var e: [String: [String]] = [:]
        for (n, s) in services {
            var deps = Array(s.dependsOn.keys)
            if let m = s.networkMode, m.hasPrefix("service:") { deps.append(String(m.dropFirst(8))) }
            e[n] = deps.filter { services[$0] != nil }.sorted()
        }
        edges = e
    }

    /// A cycle as a path a -> b -> a, or nil.
    public func cycle() -> [String]? {
        var state: [String: Int] = [:]   // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ n: String) -> [String]? {
            state[n] = 1
            stack.append(n)
            for d in edges[n] ?? [] {
                if state[d] == 1 { return Array(stack[stack.firstIndex(of: d)!...]) + [d] }
                if state[d] == nil, let c = visit(d) { return c }
            }
            stack.removeLast()
            state[n] = 2
            return nil
        }
        for n in edges.keys.sorted() where state[n] == nil {
            if let c = visit(n) { return c }
        }
        return nil
    }

    /// Services in an order where each comes after its dependencies (ties by name).
    public func order(_ names: [String]? = nil) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func visit(_ n: String) {
            guard !seen.contains(n) else { return }
            seen.insert(n)
            for d in edges[n] ?? [] { visit(d) }
            out.append(n)
        }
        for n in (names ?? Array(edges.keys)).sorted() { visit(n) }
        return out
    }

    /// The named services and everything they depend on, transitively.
    public func closure(_ names: [String]) -> Set<String> {
        var out = Set<String>()
        var todo = names
        while let n = todo.popLast() {
            if out.insert(n).inserted { todo += edges[n] ?? [] }
        }
        return out
    }

    /// Services that depend on n (directly).
    public func dependents(of n: String) -> [String] {
        edges.filter { $0.value.contains(n) }.map(\.key).sorted()
    }
}
