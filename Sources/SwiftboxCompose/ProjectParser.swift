// The merged tree's top level → `Project`: services, networks, volumes, secrets,
// configs; resource names get their Compose v2 defaults (`<project>_<key>`).

struct ProjectParser {
    var reader: NodeReader
    let projectName: String
    let workingDir: String
    let lookup: (String) -> String?
    let files: FileSource

    static let topLevel: Set<String> = ["version", "name", "services", "networks", "volumes", "secrets", "configs", "include"]

    mutating func parse(_ root: YNode, files paths: [String]) throws -> Project {
        var project = Project(name: projectName, workingDir: workingDir, composeFiles: paths, services: [:])
        for (key, v) in try reader.mapping(root, "", allowed: ProjectParser.topLevel) {
            switch key {
            case "version": reader.warnings.add("\(v.loc.file): the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion")
            case "include": throw ComposeError("include is not supported yet: merge the files with -f instead", at: v.loc, key: "include")
            case "services":
                guard !v.isNull else { continue }
                let source = files
                var sp = ServiceParser(reader: reader, workingDir: workingDir, lookupEnv: lookup, readFile: { source.read($0) })
                for (name, node) in try reader.mapping(v, "services") {
                    guard ServiceName.isValid(name) else {
                        throw ComposeError("invalid service name \"\(name)\": only [a-zA-Z0-9._-] allowed, starting with a letter or digit", at: node.loc, key: "services")
                    }
                    project.services[name] = try sp.parse(name, node.isNull ? YNode(.map([]), node.loc) : node)
                }
            case "networks":
                for (n, node) in try reader.mapping(v, "networks") { project.networks[n] = try network(n, node) }
            case "volumes":
                for (n, node) in try reader.mapping(v, "volumes") { project.volumes[n] = try volume(n, node) }
            case "secrets", "configs":
                for (n, node) in try reader.mapping(v, key) {
                    let obj = try fileObject(n, node, path: key + "." + n, isConfig: key == "configs")
                    if key == "secrets" { project.secrets[n] = obj } else { project.configs[n] = obj }
                }
            default: break
            }
        }
        return project
    }

    func resourceName(_ key: String, explicit: String?, external: Bool) -> String {
        if let explicit { return explicit }
        return external ? key : "\(projectName)_\(key)"
    }

    func network(_ key: String, _ node: YNode) throws -> NetworkConfig {
        let path = "networks." + key
        var n = NetworkConfig(name: "")
        var explicit: String?
        if !node.isNull {
            for (k, v) in try reader.mapping(node, path, allowed: ["name", "driver", "driver_opts", "external", "internal", "attachable", "enable_ipv6", "enable_ipv4", "labels", "ipam"]) {
                let p = path + "." + k
                switch k {
                case "name": explicit = try reader.string(v, p)
                case "driver": n.driver = try reader.string(v, p)
                case "driver_opts": n.driverOpts = try reader.stringMap(v, p)
                case "external": n.external = try external(v, p, &explicit)
                case "internal": n.internal = try reader.bool(v, p)
                case "attachable": n.attachable = try reader.bool(v, p)
                case "enable_ipv6": n.enableIpv6 = try reader.bool(v, p)
                case "labels": n.labels = try reader.stringMap(v, p)
                case "ipam":
                    var ipam = NetworkConfig.IPAM()
                    for (ik, iv) in try reader.mapping(v, p, allowed: ["driver", "config", "options"]) {
                        if ik == "driver" { ipam.driver = try reader.string(iv, p + ".driver") }
                        if ik == "config" {
                            for (i, pool) in (iv.sequence ?? []).enumerated() {
                                let pp = "\(p).config[\(i)]"
                                var entry = NetworkConfig.Pool()
                                for (pk, pv) in try reader.mapping(pool, pp, allowed: ["subnet", "gateway", "ip_range", "aux_addresses"]) {
                                    switch pk {
                                    case "subnet": entry.subnet = try reader.string(pv, pp + ".subnet")
                                    case "gateway": entry.gateway = try reader.string(pv, pp + ".gateway")
                                    case "ip_range": entry.ipRange = try reader.string(pv, pp + ".ip_range")
                                    default: break
                                    }
                                }
                                ipam.config.append(entry)
                            }
                        }
                    }
                    n.ipam = ipam
                default: break
                }
            }
        }
        n.name = resourceName(key, explicit: explicit, external: n.external)
        return n
    }

    func volume(_ key: String, _ node: YNode) throws -> VolumeConfig {
        let path = "volumes." + key
        var vol = VolumeConfig(name: "")
        var explicit: String?
        if !node.isNull {
            for (k, v) in try reader.mapping(node, path, allowed: ["name", "driver", "driver_opts", "external", "labels"]) {
                let p = path + "." + k
                switch k {
                case "name": explicit = try reader.string(v, p)
                case "driver": vol.driver = try reader.string(v, p)
                case "driver_opts": vol.driverOpts = try reader.stringMap(v, p)
                case "external": vol.external = try external(v, p, &explicit)
                default: vol.labels = try reader.stringMap(v, p)
                }
            }
        }
        vol.name = resourceName(key, explicit: explicit, external: vol.external)
        return vol
    }

    /// `external: true`, or the legacy `external: {name: x}`.
    func external(_ v: YNode, _ p: String, _ explicit: inout String?) throws -> Bool {
        if v.mapping != nil {
            for (k, nv) in try reader.mapping(v, p, allowed: ["name"]) where k == "name" { explicit = try reader.string(nv, p + ".name") }
            return true
        }
        return try reader.bool(v, p)
    }

    func fileObject(_ key: String, _ node: YNode, path: String, isConfig: Bool) throws -> FileObjectConfig {
        var o = FileObjectConfig(name: "")
        var explicit: String?
        var allowed: Set<String> = ["name", "file", "environment", "external", "labels", "driver", "driver_opts", "template_driver"]
        if isConfig { allowed.insert("content") }
        for (k, v) in try reader.mapping(node, path, allowed: allowed) {
            let p = path + "." + k
            switch k {
            case "name": explicit = try reader.string(v, p)
            case "file": o.file = Paths.absolute(try reader.string(v, p), relativeTo: workingDir)
            case "environment": o.environment = try reader.string(v, p)
            case "content": o.content = try reader.string(v, p)
            case "external": o.external = try external(v, p, &explicit)
            case "labels": o.labels = try reader.stringMap(v, p)
            default: break
            }
        }
        let sources = [o.file != nil, o.environment != nil, o.content != nil, o.external].filter { $0 }.count
        guard sources == 1 else {
            throw ComposeError(sources == 0 ? "one of file, environment\(isConfig ? ", content" : "") or external is required" : "only one of file, environment\(isConfig ? ", content" : "") or external may be given", at: node.loc, key: path)
        }
        o.name = resourceName(key, explicit: explicit, external: o.external)
        return o
    }
}

enum ServiceName {
    static func isValid(_ s: String) -> Bool {
        guard let f = s.first, f.isASCII, f.isLetter || f.isNumber else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }
}
