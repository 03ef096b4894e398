// A container's OCI config.json, from its image and `run` options, with Docker's
// defaults: 14 capabilities, masked and read-only /proc and /sys paths, its own
// namespaces (network: a private namespace with only lo until networking lands),
// /etc/hostname and /etc/hosts bind-mounted from the container's directory.
import SwiftboxOCI
import SwiftboxRuntime
import SwiftboxSecurity

public enum SpecGenerator {
    public static func spec(for c: EngineContainer, rootfs: String, containerDir: String, uid: UInt32, gid: UInt32,
                            additionalGids: [UInt32]) throws -> RuntimeSpec {
        var caps = DockerDefaults.capabilities
        if c.privileged {
            caps = Array(CapabilityNames.allNames)
        } else {
            let drop = Set(c.capDrop.map(normalizeCap))
            caps = drop.contains("CAP_ALL") ? [] : caps.filter { !drop.contains($0) }
            for add in c.capAdd.map(normalizeCap) where !caps.contains(add) {
                if add == "CAP_ALL" { caps = Array(CapabilityNames.allNames) } else { caps.append(add) }
            }
        }
        var spec = DefaultSpec.make(args: [c.path] + c.args)
        spec.hostname = c.hostname
        spec.root = .init(path: rootfs, readonly: c.readOnly)
        spec.process?.env = c.tty == true && !c.env.contains(where: { $0.hasPrefix("TERM=") }) ? c.env + ["TERM=xterm"] : c.env
        spec.process?.terminal = c.tty == true
        if let rows = c.consoleRows, let cols = c.consoleColumns { spec.process?.consoleSize = .init(height: rows, width: cols) }
        spec.process?.cwd = c.workingDir.isEmpty ? "/" : c.workingDir
        spec.process?.user = .init(uid: uid, gid: gid, additionalGids: additionalGids.isEmpty ? nil : additionalGids)
        spec.process?.capabilities = .init(bounding: caps, effective: caps, inheritable: nil, permitted: caps, ambient: nil)
        spec.process?.noNewPrivileges = c.noNewPrivileges ?? false
        spec.process?.rlimits = try (c.ulimits ?? []).map { try Ulimit.parse($0) }
        // Seccomp: Docker's kind of default profile, unless --privileged or told otherwise.
        switch c.seccompProfile {
        case nil: spec.linux?.seccomp = c.privileged ? nil : DefaultSeccompProfile.make(capabilities: caps)
        case "unconfined"?: spec.linux?.seccomp = nil
        case let json?: spec.linux?.seccomp = try SpecLoader.decodeSeccomp(Array(json.utf8), file: "--security-opt seccomp")
        }
        if let remap = c.usernsRemap {
            // --userns-remap: a user namespace of its own, created with the others in one
            // clone so that it owns them; the runtime writes the maps while the child waits.
            let namespaces = spec.linux?.namespaces ?? []
            spec.linux?.namespaces = namespaces + [.init(type: "user")]
            spec.linux?.uidMappings = remap.uidMappings
            spec.linux?.gidMappings = remap.gidMappings
        }
        // --network none: the runtime makes the namespace, so it writes Docker's sysctls
        // there (a bridge's namespace gets them from the engine, NetworkNamespace.create).
        // In a remapped container it writes them from inside its user namespace, where
        // a gid past the range does not exist (EINVAL): the range's last gid ends it.
        if c.networkMode == nil || c.networkMode == "none" {
            var sysctls = DockerDefaults.networkSysctls
            if let remap = c.usernsRemap { sysctls["net.ipv4.ping_group_range"] = "0 \(remap.count - 1)" }
            spec.linux?.sysctl = sysctls
        }
        spec.linux?.cgroupsPath = "/swiftbox/\(c.id)"
        spec.linux?.resources = c.resources
        try applyDevices(&spec, c)
        spec.linux?.maskedPaths = c.privileged ? [] : DockerDefaults.maskedPaths
        spec.linux?.readonlyPaths = c.privileged ? [] : DockerDefaults.readonlyPaths
        var mounts = spec.mounts ?? []
        if c.privileged {
            // --privileged: /sys and cgroups writable, as Docker does.
            for i in mounts.indices where mounts[i].destination == "/sys" || mounts[i].destination == "/sys/fs/cgroup" {
                mounts[i].options = (mounts[i].options ?? []).filter { $0 != "ro" } + ["rw"]
            }
        }
        mounts.append(.init(destination: "/etc/hostname", type: "bind", source: containerDir + "/hostname", options: ["rbind", "rprivate"]))
        mounts.append(.init(destination: "/etc/hosts", type: "bind", source: containerDir + "/hosts", options: ["rbind", "rprivate"]))
        spec.mounts = mounts
        spec.annotations = ["org.swiftbox.container.name": c.name, "org.swiftbox.image": c.image]
        if c.initProcess == true { spec.annotations?[PlanBuilder.initAnnotation] = "true" }
        return spec
    }

    /// The device cgroup (DeviceMapping.swift): Docker's rules, or none for --privileged;
    /// each --device as a node the runtime creates plus an allow rule, after the
    /// defaults. Host nodes are looked up at every start (numbers may change with a reboot).
    static func applyDevices(_ spec: inout RuntimeSpec, _ c: EngineContainer) throws {
        var rules = c.privileged ? [] : DockerDefaults.deviceRules
        var nodes = spec.linux?.devices ?? []
        for mapping in c.devices ?? [] {
            let (device, rule) = try mapping.resolve()
            nodes.removeAll { $0.path == device.path }
            nodes.append(device)
            rules.append(rule)
        }
        spec.linux?.devices = nodes.isEmpty ? nil : nodes
        if !rules.isEmpty {
            var resources = spec.linux?.resources ?? .init()
            resources.devices = rules
            spec.linux?.resources = resources
        }
    }

    /// The network namespace the container joins (a prepared one, another container's)
    /// or none of its own (host mode); /etc/resolv.conf from the container's directory.
    public static func applyNetwork(_ spec: inout RuntimeSpec, _ network: NetworkSetup?, containerDir: String) {
        var namespaces = spec.linux?.namespaces ?? []
        if network?.hostNetwork == true {
            namespaces.removeAll { $0.type == "network" }
        } else if let path = network?.namespacePath, let i = namespaces.firstIndex(where: { $0.type == "network" }) {
            namespaces[i].path = path
        }
        spec.linux?.namespaces = namespaces
        spec.mounts = (spec.mounts ?? []) + [.init(destination: "/etc/resolv.conf", type: "bind", source: containerDir + "/resolv.conf",
                                                   options: ["rbind", "rprivate"])]
    }

    static func normalizeCap(_ name: String) -> String {
        let up = name.uppercased()
        return up.hasPrefix("CAP_") ? up : "CAP_" + up
    }
}

/// The capability names the spec generator may hand out for --privileged / ALL.
public enum CapabilityNames {
    public static let allNames = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]
}

/// Docker's --ulimit NAME=SOFT[:HARD] ("nofile=1024:2048", "nproc=64", "core=-1").
public enum Ulimit {
    public static func parse(_ text: String) throws -> RuntimeSpec.Rlimit {
        let kv = text.split(separator: "=", maxSplits: 1).map(String.init)
        let names = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
                     "rtprio", "rttime", "sigpending", "stack", "as"]
        guard kv.count == 2, names.contains(kv[0]) else { throw EngineError.failed("invalid ulimit argument: \(text)") }
        let limits = kv[1].split(separator: ":").map { $0 == "-1" ? UInt64.max : UInt64($0) }
        guard (1...2).contains(limits.count), let soft = limits[0], let hard = limits.count == 2 ? limits[1] : limits[0] else {
            throw EngineError.failed("invalid ulimit argument: \(text)")
        }
        guard soft <= hard else { throw EngineError.failed("ulimit soft limit must be less than or equal to hard limit: \(soft) > \(hard)") }
        return .init(type: "RLIMIT_" + kv[0].uppercased(), soft: soft, hard: hard)
    }
}
