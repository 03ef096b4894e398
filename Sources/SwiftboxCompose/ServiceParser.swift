// One service's mapping → `Service`, key by key, with the Compose spec's short and long
// forms normalized (ports, volumes, depends_on, networks, environment, healthcheck.test).

struct ServiceParser {
    var reader: NodeReader
    let workingDir: String
    let lookupEnv: (String) -> String?
    /// Reads a service's env_file: (absolute path) → contents, or nil when missing.
    let readFile: (String) -> String?

    /// Keys we parse and apply (or warn about when applying).
    static let keys: Set<String> = [
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "tmpfs",
        "networks", "network_mode", "depends_on", "healthcheck", "restart", "deploy", "mem_limit", "mem_reservation", "cpus",
        "pids_limit", "scale", "user", "working_dir", "hostname", "domainname", "dns", "dns_search", "extra_hosts",
        "cap_add", "cap_drop", "privileged", "devices", "read_only", "security_opt", "ulimits", "sysctls", "init", "stop_signal",
        "stop_grace_period", "labels", "logging", "container_name", "profiles", "secrets", "configs", "extends",
        "pull_policy", "stdin_open", "tty", "platform",
    ]
    /// Keys of the Compose spec the engine has no equivalent for: accepted, kept, warned about.
    static let unsupportedKeys: Set<String> = [
        "annotations", "attach", "blkio_config", "cgroup", "cgroup_parent", "cpu_count", "cpu_percent", "cpu_period",
        "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpuset", "credential_spec", "develop",
        "device_cgroup_rules", "dns_opt", "external_links", "gpus", "group_add", "ipc", "isolation",
        "label_file", "links", "mac_address", "mem_swappiness", "memswap_limit", "oom_kill_disable", "oom_score_adj",
        "pid", "post_start", "pre_stop", "runtime", "shm_size", "storage_opt", "userns_mode", "uts", "volumes_from",
    ]

    mutating func parse(_ name: String, _ node: YNode) throws -> Service {
        let path = "services.\(name)"
        var s = Service(name: name)
        var envFromFiles: [(String, String?)] = []
        var environment: [(String, String?)] = []
        for (key, v) in try reader.mapping(node, path, allowed: ServiceParser.keys.union(ServiceParser.unsupportedKeys)) {
            let p = path + "." + key
            if ServiceParser.unsupportedKeys.contains(key) { s.unsupported.append(key); continue }
            switch key {
            case "image": s.image = try reader.string(v, p)
            case "build": s.build = try build(v, p)
            case "command": s.command = try command(v, p)
            case "entrypoint": s.entrypoint = try command(v, p)
            case "environment": environment = try reader.keyValues(v, p)
            case "env_file": envFromFiles = try envFiles(v, p)
            case "ports": s.ports = try ports(v, p)
            case "expose": s.expose = try (v.sequence ?? []).enumerated().map { try reader.string($1, "\(p)[\($0)]") }
            case "volumes": s.volumes = try volumes(v, p)
            case "tmpfs": s.tmpfs = try reader.stringOrList(v, p)
            case "networks": s.networks = try networks(v, p)
            case "network_mode": s.networkMode = try reader.string(v, p)
            case "depends_on": s.dependsOn = try dependsOn(v, p)
            case "healthcheck": s.healthcheck = try healthcheck(v, p)
            case "restart":
                let r = try reader.string(v, p)
                let base = r.split(separator: ":").first.map(String.init) ?? r
                guard ["no", "always", "on-failure", "unless-stopped"].contains(base) else {
                    throw reader.fail(v, p, "invalid restart policy \"\(r)\" (no, always, on-failure[:N], unless-stopped)")
                }
                s.restart = r
            case "deploy": s.deploy = try deploy(v, p)
            case "mem_limit": s.memLimit = try reader.bytes(v, p)
            case "mem_reservation": s.memReservation = try reader.bytes(v, p)
            case "cpus": s.cpus = try reader.double(v, p)
            case "pids_limit": s.pidsLimit = try reader.int(v, p)
            case "scale": s.scale = try reader.int(v, p)
            case "user": s.user = try reader.string(v, p)
            case "working_dir": s.workingDir = try reader.string(v, p)
            case "hostname": s.hostname = try reader.string(v, p)
            case "domainname": s.domainname = try reader.string(v, p)
            case "dns": s.dns = try reader.stringOrList(v, p)
            case "dns_search": s.dnsSearch = try reader.stringOrList(v, p)
            case "extra_hosts":
                // host:ip in the list form, host=ip also accepted; a mapping host: ip.
                if let m = v.mapping {
                    s.extraHosts = try m.map { "\($0.0):\(try reader.string($0.1, p + "." + $0.0))" }
                } else {
                    s.extraHosts = try reader.list(v, p).map { $0.contains("=") ? $0.replacingFirst("=", with: ":") : $0 }
                }
            case "cap_add": s.capAdd = try reader.uniqueList(v, p)
            case "cap_drop": s.capDrop = try reader.uniqueList(v, p)
            case "privileged": s.privileged = try reader.bool(v, p)
            case "devices": s.devices = try reader.uniqueList(v, p)
            case "read_only": s.readOnly = try reader.bool(v, p)
            case "security_opt": s.securityOpt = try reader.list(v, p)
            case "ulimits": s.ulimits = try ulimits(v, p)
            case "sysctls": s.sysctls = try reader.stringMap(v, p)
            case "init": s.`init` = try reader.bool(v, p)
            case "stop_signal": s.stopSignal = try reader.string(v, p)
            case "stop_grace_period": s.stopGracePeriod = try reader.duration(v, p)
            case "labels": s.labels.merge(try reader.stringMap(v, p)) { $1 }
            case "logging":
                var l = Logging()
                for (k, lv) in try reader.mapping(v, p, allowed: ["driver", "options"]) {
                    if k == "driver" { l.driver = try reader.string(lv, p + ".driver") } else { l.options = try reader.stringMap(lv, p + ".options") }
                }
                s.logging = l
            case "container_name": s.containerName = try reader.string(v, p)
            case "profiles": s.profiles = try reader.uniqueList(v, p)
            case "secrets": s.secrets = try fileReferences(v, p, defaultDir: "/run/secrets/")
            case "configs": s.configs = try fileReferences(v, p, defaultDir: "/")
            case "extends": break   // resolved before parsing (Extends.swift)
            case "pull_policy":
                let pp = try reader.string(v, p)
                guard ["always", "never", "missing", "build", "if_not_present", "daily", "weekly"].contains(pp) || pp.hasPrefix("every_") else {
                    throw reader.fail(v, p, "invalid pull_policy \"\(pp)\"")
                }
                s.pullPolicy = pp
            case "stdin_open": s.stdinOpen = try reader.bool(v, p)
            case "tty": s.tty = try reader.bool(v, p)
            case "platform": s.platform = try reader.string(v, p)
            default: break
            }
        }
        // environment: wins over env_file; a name without a value comes from the shell.
        for (k, v) in envFromFiles + environment {
            if let v { s.environment[k] = v } else if let shell = lookupEnv(k) { s.environment[k] = shell } else { s.environment[k] = nil }
        }
        return s
    }

    // MARK: command

    func command(_ node: YNode, _ path: String) throws -> [String]? {
        if node.isNull { return nil }
        if let s = node.scalar {
            guard let words = ShellWords.split(s) else { throw reader.fail(node, path, "unterminated quote in \"\(s)\"") }
            return words
        }
        return try reader.list(node, path)
    }

    // MARK: env_file

    func envFiles(_ node: YNode, _ path: String) throws -> [(String, String?)] {
        var entries: [(path: String, required: Bool, node: YNode)] = []
        if node.scalar != nil {
            entries.append((try reader.string(node, path), true, node))
        } else {
            guard let seq = node.sequence else { throw reader.fail(node, path, "must be a string or a list") }
            for (i, item) in seq.enumerated() {
                let p = "\(path)[\(i)]"
                if item.scalar != nil { entries.append((try reader.string(item, p), true, item)); continue }
                var file: String?
                var required = true
                for (k, v) in try reader.mapping(item, p, allowed: ["path", "required", "format"]) {
                    switch k {
                    case "path": file = try reader.string(v, p + ".path")
                    case "required": required = try reader.bool(v, p + ".required")
                    default:
                        let f = try reader.string(v, p + ".format")
                        guard f == "raw" || f.isEmpty else { throw reader.fail(v, p + ".format", "unsupported env_file format \"\(f)\" (raw, or none for the .env format)") }
                    }
                }
                guard let file else { throw reader.fail(item, p, "path is required") }
                entries.append((file, required, item))
            }
        }
        var out: [(String, String?)] = []
        for e in entries {
            let full = Paths.absolute(e.path, relativeTo: workingDir)
            guard let text = readFile(full) else {
                if e.required { throw reader.fail(e.node, path, "env file \(full) not found") }
                continue
            }
            out += try EnvFile.parse(text, file: full, lookup: lookupEnv)
        }
        return out
    }

    // MARK: ports

    func ports(_ node: YNode, _ path: String) throws -> [PortConfig] {
        guard let seq = node.sequence else { throw reader.fail(node, path, "must be a list, not \(node.kindName)") }
        var out: [PortConfig] = []
        for (i, item) in seq.enumerated() {
            let p = "\(path)[\(i)]"
            if let text = item.scalar {
                guard let parsed = PortParser.parse(text) else { throw reader.fail(item, p, "invalid port \"\(text)\" (expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])") }
                out += parsed
                continue
            }
            var port = PortConfig(target: 0)
            var hasTarget = false
            for (k, v) in try reader.mapping(item, p, allowed: ["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"]) {
                switch k {
                case "target": port.target = try reader.int(v, p + ".target"); hasTarget = true
                case "published": port.published = try reader.string(v, p + ".published")
                case "host_ip": port.hostIp = try reader.string(v, p + ".host_ip")
                case "protocol": port.protocol = try reader.string(v, p + ".protocol")
                case "mode": port.mode = try reader.string(v, p + ".mode")
                case "name": port.name = try reader.string(v, p + ".name")
                default: port.appProtocol = try reader.string(v, p + ".app_protocol")
                }
            }
            guard hasTarget, (1...65535).contains(port.target) else { throw reader.fail(item, p, "target must be a port number (1-65535)") }
            out.append(port)
        }
        return out
    }

    // MARK: volumes

    func volumes(_ node: YNode, _ path: String) throws -> [ServiceVolume] {
        guard let seq = node.sequence else { throw reader.fail(node, path, "must be a list, not \(node.kindName)") }
        var out: [ServiceVolume] = []
        for (i, item) in seq.enumerated() {
            let p = "\(path)[\(i)]"
            var v: ServiceVolume
            if let text = item.scalar {
                guard let parsed = VolumeParser.parse(text) else { throw reader.fail(item, p, "invalid volume \"\(text)\" (expected [SOURCE:]TARGET[:MODE])") }
                v = parsed
            } else {
                v = ServiceVolume(type: "", target: "")
                for (k, val) in try reader.mapping(item, p, allowed: ["type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency", "image"]) {
                    let kp = p + "." + k
                    switch k {
                    case "type": v.type = try reader.string(val, kp)
                    case "source": v.source = try reader.string(val, kp)
                    case "target": v.target = try reader.string(val, kp)
                    case "read_only": v.readOnly = try reader.bool(val, kp)
                    case "consistency": v.consistency = try reader.string(val, kp)
                    case "bind":
                        var b = ServiceVolume.BindOptions()
                        for (bk, bv) in try reader.mapping(val, kp, allowed: ["propagation", "create_host_path", "selinux"]) {
                            switch bk {
                            case "propagation": b.propagation = try reader.string(bv, kp + ".propagation")
                            case "create_host_path": b.createHostPath = try reader.bool(bv, kp + ".create_host_path")
                            default: b.selinux = try reader.string(bv, kp + ".selinux")
                            }
                        }
                        v.bind = b
                    case "volume":
                        var o = ServiceVolume.VolumeOptions()
                        for (vk, vv) in try reader.mapping(val, kp, allowed: ["nocopy", "subpath", "labels"]) {
                            if vk == "nocopy" { o.nocopy = try reader.bool(vv, kp + ".nocopy") } else if vk == "subpath" { o.subpath = try reader.string(vv, kp + ".subpath") }
                        }
                        v.volume = o
                    case "tmpfs":
                        var t = ServiceVolume.TmpfsOptions()
                        for (tk, tv) in try reader.mapping(val, kp, allowed: ["size", "mode"]) {
                            if tk == "size" { t.size = try reader.bytes(tv, kp + ".size") } else { t.mode = try reader.int(tv, kp + ".mode") }
                        }
                        v.tmpfs = t
                    default: break
                    }
                }
                guard ["volume", "bind", "tmpfs", "npipe", "cluster", "image"].contains(v.type) else {
                    throw reader.fail(item, p + ".type", v.type.isEmpty ? "type is required" : "invalid volume type \"\(v.type)\"")
                }
                guard !v.target.isEmpty else { throw reader.fail(item, p, "target is required") }
            }
            if v.type == "bind", let src = v.source { v.source = Paths.absolute(Paths.expandHome(src, lookup: lookupEnv), relativeTo: workingDir) }
            guard v.target.hasPrefix("/") else { throw reader.fail(item, p, "the target \"\(v.target)\" must be an absolute path") }
            out.append(v)
        }
        return out
    }

    // MARK: networks, depends_on

    func networks(_ node: YNode, _ path: String) throws -> [String: ServiceNetwork] {
        var out: [String: ServiceNetwork] = [:]
        if node.sequence != nil {
            for n in try reader.uniqueList(node, path) { out[n] = ServiceNetwork() }
            return out
        }
        for (name, v) in try reader.mapping(node, path) {
            let p = path + "." + name
            var sn = ServiceNetwork()
            if !v.isNull {
                for (k, val) in try reader.mapping(v, p, allowed: ["aliases", "ipv4_address", "ipv6_address", "priority", "link_local_ips", "mac_address", "driver_opts", "gw_priority", "interface_name"]) {
                    switch k {
                    case "aliases": sn.aliases = try reader.list(val, p + ".aliases")
                    case "ipv4_address": sn.ipv4Address = try reader.string(val, p + "." + k)
                    case "ipv6_address": sn.ipv6Address = try reader.string(val, p + "." + k)
                    case "priority": sn.priority = try reader.int(val, p + "." + k)
                    default: break
                    }
                }
            }
            out[name] = sn
        }
        return out
    }

    func dependsOn(_ node: YNode, _ path: String) throws -> [String: Dependency] {
        var out: [String: Dependency] = [:]
        if node.sequence != nil {
            for n in try reader.uniqueList(node, path) { out[n] = Dependency() }
            return out
        }
        for (name, v) in try reader.mapping(node, path) {
            let p = path + "." + name
            var d = Dependency()
            for (k, val) in try reader.mapping(v, p, allowed: ["condition", "restart", "required"]) {
                switch k {
                case "condition":
                    let c = try reader.string(val, p + ".condition")
                    guard let cond = Dependency.Condition(rawValue: c) else {
                        throw reader.fail(val, p + ".condition", "invalid condition \"\(c)\" (service_started, service_healthy, service_completed_successfully)")
                    }
                    d.condition = cond
                case "restart": d.restart = try reader.bool(val, p + ".restart")
                default: d.required = try reader.bool(val, p + ".required")
                }
            }
            out[name] = d
        }
        return out
    }

    // MARK: healthcheck, deploy, ulimits, secrets/configs

    func healthcheck(_ node: YNode, _ path: String) throws -> Healthcheck {
        var h = Healthcheck()
        for (k, v) in try reader.mapping(node, path, allowed: ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"]) {
            let p = path + "." + k
            switch k {
            case "test":
                if let s = v.scalar { h.test = ["CMD-SHELL", s] } else {
                    let t = try reader.list(v, p)
                    guard let first = t.first, ["CMD", "CMD-SHELL", "NONE"].contains(first) else {
                        throw reader.fail(v, p, "a test list must start with CMD, CMD-SHELL or NONE")
                    }
                    h.test = t
                }
            case "interval": h.interval = try reader.duration(v, p)
            case "timeout": h.timeout = try reader.duration(v, p)
            case "retries": h.retries = try reader.int(v, p)
            case "start_period": h.startPeriod = try reader.duration(v, p)
            case "start_interval": h.startInterval = try reader.duration(v, p)
            default: h.disable = try reader.bool(v, p)
            }
        }
        if h.test == ["NONE"] { h.disable = true }
        return h
    }

    func deploy(_ node: YNode, _ path: String) throws -> Deploy {
        var d = Deploy()
        for (k, v) in try reader.mapping(node, path, allowed: ["mode", "replicas", "labels", "resources", "restart_policy", "placement", "update_config", "rollback_config", "endpoint_mode"]) {
            let p = path + "." + k
            switch k {
            case "mode": d.mode = try reader.string(v, p)
            case "replicas": d.replicas = try reader.int(v, p)
            case "labels": d.labels = try reader.stringMap(v, p)
            case "resources":
                var r = Deploy.Resources()
                for (rk, rv) in try reader.mapping(v, p, allowed: ["limits", "reservations"]) {
                    var res = Deploy.Resource()
                    for (k2, v2) in try reader.mapping(rv, p + "." + rk, allowed: ["cpus", "memory", "pids", "devices", "generic_resources"]) {
                        let p2 = p + "." + rk + "." + k2
                        switch k2 {
                        case "cpus": res.cpus = try reader.double(v2, p2)
                        case "memory": res.memory = try reader.bytes(v2, p2)
                        case "pids": res.pids = try reader.int(v2, p2)
                        default: break
                        }
                    }
                    if rk == "limits" { r.limits = res } else { r.reservations = res }
                }
                d.resources = r
            case "restart_policy":
                var rp = Deploy.RestartPolicy()
                for (rk, rv) in try reader.mapping(v, p, allowed: ["condition", "delay", "max_attempts", "window"]) {
                    let p2 = p + "." + rk
                    switch rk {
                    case "condition":
                        let c = try reader.string(rv, p2)
                        guard ["none", "on-failure", "any"].contains(c) else { throw reader.fail(rv, p2, "invalid condition \"\(c)\" (none, on-failure, any)") }
                        rp.condition = c
                    case "delay": rp.delay = try reader.duration(rv, p2)
                    case "max_attempts": rp.maxAttempts = try reader.int(rv, p2)
                    default: rp.window = try reader.duration(rv, p2)
                    }
                }
                d.restartPolicy = rp
            default: break
            }
        }
        return d
    }

    func ulimits(_ node: YNode, _ path: String) throws -> [String: Ulimit] {
        var out: [String: Ulimit] = [:]
        for (name, v) in try reader.mapping(node, path) {
            let p = path + "." + name
            if v.scalar != nil { let n = try reader.int(v, p); out[name] = Ulimit(soft: n, hard: n); continue }
            var soft: Int?
            var hard: Int?
            for (k, val) in try reader.mapping(v, p, allowed: ["soft", "hard"]) {
                if k == "soft" { soft = try reader.int(val, p + ".soft") } else { hard = try reader.int(val, p + ".hard") }
            }
            guard let soft, let hard else { throw reader.fail(v, p, "soft and hard are required") }
            out[name] = Ulimit(soft: soft, hard: hard)
        }
        return out
    }

    /// - defaultDir: where a service's secret or config appears when no absolute target is
    ///   given; nil for build secrets (the target is the ID the Dockerfile mounts).
    func fileReferences(_ node: YNode, _ path: String, defaultDir: String?) throws -> [FileReference] {
        guard let seq = node.sequence else { throw reader.fail(node, path, "must be a list, not \(node.kindName)") }
        return try seq.enumerated().map { (i, item) in
            let p = "\(path)[\(i)]"
            if let s = item.scalar { return FileReference(source: s, target: defaultDir.map { $0 + s }) }
            var r = FileReference(source: "")
            for (k, v) in try reader.mapping(item, p, allowed: ["source", "target", "uid", "gid", "mode"]) {
                switch k {
                case "source": r.source = try reader.string(v, p + ".source")
                case "target": r.target = try reader.string(v, p + ".target")
                case "uid": r.uid = try reader.string(v, p + ".uid")
                case "gid": r.gid = try reader.string(v, p + ".gid")
                default:
                    // Modes are usually written in octal (0440); YAML 1.2 reads 0440 as decimal 440.
                    let text = try reader.string(v, p + ".mode")
                    guard let m = text.hasPrefix("0") ? Int(text.dropFirst(text.hasPrefix("0o") ? 2 : 1), radix: 8) ?? 0 : Int(text) else { throw reader.fail(v, p + ".mode", "invalid mode \"\(text)\"") }
                    r.mode = m
                }
            }
            guard !r.source.isEmpty else { throw reader.fail(item, p, "source is required") }
            if let defaultDir {
                if r.target == nil { r.target = defaultDir + r.source } else if !r.target!.hasPrefix("/") { r.target = defaultDir + r.target! }
            }
            return r
        }
    }
}

extension String {
    func replacingFirst(_ a: Character, with b: String) -> String {
        guard let i = firstIndex(of: a) else { return self }
        return String(self[..<i]) + b + String(self[index(after: i)...])
    }
}
