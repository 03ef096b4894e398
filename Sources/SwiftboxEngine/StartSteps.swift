// The words of a narrated start (`run --dry-run`, `run --trace`): one function per
// step, from the typed values the engine works with. The real start calls these
// around the work it does (Narrator.step), the dry run calls them on the values it
// would use (Engine.dryRun): one description for both, so they cannot drift apart
// without a test noticing (NarrationTests compares the two lists).
// Lines are commands a learner could type to do the same by hand; `#` lines explain.
import SwiftboxImage
import SwiftboxKernel
import SwiftboxNetwork
import SwiftboxOCI

enum StartSteps {
    // MARK: image

    static func resolve(_ reference: String, _ image: ImageRecord) -> NarratedStep {
        NarratedStep(.image, "resolve \(reference)", [
            "# \(reference) → image \(image.id) (manifest \(image.manifest), \(image.layers.count) layer\(image.layers.count == 1 ? "" : "s"))",
        ])
    }

    /// Each layer is unpacked once, into a directory named by its chain ID (the digest
    /// of the layers below it and itself), shared by every container of the image.
    static func layers(_ image: ImageRecord, directories: [String]) -> NarratedStep {
        let chains = SnapshotStore.chainIDs(image.diffIDs)
        var out: [String] = []
        for (i, (chain, dir)) in zip(chains, directories).enumerated() {
            out.append("# layer \(i + 1): diff \(image.diffIDs[i].short), chain \(chain) → \(dir)")
        }
        if out.isEmpty { out.append("# no layers (FROM scratch): an empty lower directory") }
        out.append("# unpacked once per chain ID (tar -xf of the layer blob, whiteouts turned into overlay whiteouts)")
        return NarratedStep(.image, "layers", out)
    }

    static func overlay(containerDir dir: String, data: String, volatile: Bool) -> NarratedStep {
        NarratedStep(.image, "mount the root filesystem (overlay)", [
            "mkdir -p \(dir)/upper \(dir)/work \(dir)/rootfs",
            "mount -t overlay overlay -o \(data)\(volatile ? ",volatile" : "") \(dir)/rootfs",
            "# lower layers are read-only and shared; writes land in upper/ (copy-up); work/ is overlayfs' scratch space",
        ] + (volatile ? ["# volatile: --rm, so the kernel never syncs the upper layer (it is thrown away)"] : []))
    }

    // MARK: container record

    static func record(_ c: EngineContainer, dir: String) -> NarratedStep {
        NarratedStep(.container, "record the container \(c.name)", [
            "mkdir \(dir)",
            "# \(dir)/config.json: the request (image, command, env, limits, networks); state.json: created",
            "# the name \(c.name) is a hard link to a claim file in <root>/names: link(2) makes it unique",
        ])
    }

    /// -v, --mount, --tmpfs and the image's VOLUMEs, as create makes them ready
    /// (`created`: the volumes that did not exist yet).
    static func volumes(_ mounts: [ContainerMount], created: Set<String>, engine: Engine) -> NarratedStep {
        var out: [String] = []
        for m in mounts {
            switch m.type {
            case .volume:
                if created.contains(m.source) {
                    out.append(m.anonymous == true ? "swiftbox volume create \(m.source)   # anonymous: a random name, removed with the container by rm -v or --rm"
                                                   : "swiftbox volume create \(m.source)")
                }
                out.append("# \(m.target) ← volume \(m.source): \(engine.volumes.dataDir(m.source))\(m.readOnly ? " (ro)" : "")")
                if m.noCopy != true { out.append("# at the first start, if it is empty: cp -a $ROOTFS\(m.target)/. \(engine.volumes.dataDir(m.source))/   (the image's files, as Docker)") }
            case .bind:
                if m.createHostPath == true { out.append("mkdir -p \(m.source)   # if missing") }
                out.append("# \(m.target) ← bind \(m.source)\(m.readOnly ? " (ro)" : "")")
            case .tmpfs:
                out.append("# \(m.target) ← tmpfs\(m.tmpfsSize.map { ", size \($0)" } ?? "")")
            }
        }
        out.append("# mounted by the launch plan, inside the container's mount namespace (mount --bind …)")
        return NarratedStep(.container, "volumes and mounts", out)
    }

    // MARK: network

    /// The netns the container is cloned into; named here so the later commands can
    /// refer to it (swiftbox holds it by a file descriptor instead of a name).
    static func namespaceName(_ id: String) -> String { "sb-" + id.prefix(12) }

    static func address(_ n: NetworkRecord, _ address: IPv4Address, container: String) -> NarratedStep {
        NarratedStep(.network, "take an address on \(n.name)", [
            "# IPAM: \(address) is the first free address of \(n.subnet) (gateway \(n.gateway)), kept for \(container) until rm",
        ])
    }

    /// --network container:NAME (compose: network_mode service:X): the namespace of
    /// NAME's first process, at `path`, entered by the launch plan instead of a new one.
    static func joinNetwork(of name: String, path: String) -> NarratedStep {
        NarratedStep(.network, "join the network namespace of \(name)", [
            "# no namespace of its own, no veth, no address: \(name)'s interfaces, addresses, routes and published ports are this container's too",
            "# the launch plan enters \(path) (setns(2), CLONE_NEWNET: child[…] below) instead of cloning a new one",
            "nsenter --net=\(path) ip addr   # what it will see",
        ])
    }

    static func namespace(_ id: String, sysctls: [String: String]) -> NarratedStep {
        let ns = namespaceName(id)
        var out = ["ip netns add \(ns)   # swiftbox: unshare(CLONE_NEWNET) on a thread of the monitor, which holds it by fd"]
        for (k, v) in sysctls.sorted(by: { $0.key < $1.key }) { out.append("ip netns exec \(ns) sysctl -w \(k)=\"\(v)\"") }
        out.append("ip -n \(ns) link set lo up")
        return NarratedStep(.network, "network namespace", out)
    }

    /// The default network, made on its first use (Networks.ensureDefault).
    static func createNetwork(_ n: NetworkRecord) -> NarratedStep {
        NarratedStep(.network, "create network \(n.name) (its first use)", [
            "# subnet \(n.subnet), gateway \(n.gateway): the first pool no route of the host overlaps",
        ] + BridgeDriver.bridgeCommands(name: n.bridge, gateway: n.gateway, subnet: n.subnet) + [
            "sysctl -w net.ipv4.conf.\(n.bridge).route_localnet=1",
            "sysctl -w net.ipv4.ip_forward=1   # if it was 0",
            "nft -f -   # the table of every network: masquerade, forward rules, the port maps",
        ])
    }

    /// A user network (`network create`, compose's networks): made whole at once.
    static func createUserNetwork(_ n: NetworkRecord) -> NarratedStep {
        NarratedStep(.network, "create network \(n.name)", [
            "swiftbox network create \(n.isInternal ? "--internal " : "")\(n.name)",
            "# subnet \(n.subnet), gateway \(n.gateway)\(n.userSubnet == true ? " (asked)" : ": the first pool neither another network nor a route of the host overlaps")",
        ] + BridgeDriver.bridgeCommands(name: n.bridge, gateway: n.gateway, subnet: n.subnet) + [
            "sysctl -w net.ipv4.conf.\(n.bridge).route_localnet=1",
            "nft -f -   # the table of every network, regenerated with this one",
        ])
    }

    static func bridge(_ n: NetworkRecord, exists: Bool) -> NarratedStep {
        if exists {
            return NarratedStep(.network, "bridge \(n.bridge) of \(n.name)", [
                "# \(n.bridge) exists: \(n.gateway)/\(n.subnet.prefix) (ip addr show dev \(n.bridge)); nft table of the networks loaded",
            ])
        }
        return NarratedStep(.network, "bridge \(n.bridge) of \(n.name)",
                            BridgeDriver.bridgeCommands(name: n.bridge, gateway: n.gateway, subnet: n.subnet) +
                            ["sysctl -w net.ipv4.conf.\(n.bridge).route_localnet=1", "nft -f -   # the table of every network, regenerated"])
    }

    static func veth(_ a: BridgeDriver.Attachment, network: String, id: String) -> NarratedStep {
        NarratedStep(.network, "veth pair into \(network)", BridgeDriver.commands(a, namespace: namespaceName(id)))
    }

    static func ports(_ ports: [PublishedPort], table: String) -> NarratedStep {
        var out = ports.map { "# \($0.hostIP):\($0.hostPort)/\($0.proto) bound by the monitor (a socket that reserves the port, never listens)" }
        out += Firewall.portElements(table: table, ports, delete: false).split(separator: "\n").map { "nft " + $0 }
        out.append("# chains: prerouting and output jump to `ports` for local addresses; its dnat rules look these maps up")
        return NarratedStep(.network, "publish ports", out)
    }

    static func dns(_ n: NetworkRecord, _ c: EngineContainer, address: IPv4Address, aliases: [String]) -> NarratedStep {
        var names = [c.name, String(c.id.prefix(12))] + aliases
        if let service = c.labels["com.docker.compose.service"] { names.append(service) }
        return NarratedStep(.network, "embedded DNS of \(n.name)", [
            "# swiftbox network dns-serve \(n.name): one server per network on \(n.gateway):53, started if missing",
        ] + names.map { "# \($0) → \(address)" } + ["# other names: forwarded to the host's resolvers"])
    }

    static func files(_ dir: String, hostname: String, hosts: String, resolvConf: String) -> NarratedStep {
        var out = ["echo \(hostname) > \(dir)/hostname"]
        for (file, text) in [("hosts", hosts), ("resolv.conf", resolvConf)] {
            out.append("cat > \(dir)/\(file) <<'EOF'")
            out += text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            out.append("EOF")
        }
        out.append("# bind-mounted onto /etc/hostname, /etc/hosts and /etc/resolv.conf by the launch plan")
        return NarratedStep(.network, "/etc/hostname, /etc/hosts, /etc/resolv.conf", out)
    }

    // MARK: launch

    /// The OCI spec's security settings, summarised: what the launch plan enforces.
    static func security(_ spec: RuntimeSpec) -> NarratedStep {
        var out: [String] = []
        let caps = spec.process?.capabilities
        func list(_ c: [String]?) -> String { (c ?? []).isEmpty ? "none" : (c ?? []).map { $0.hasPrefix("CAP_") ? String($0.dropFirst(4)) : $0 }.joined(separator: " ") }
        out.append("# capabilities bounding (\(caps?.bounding?.count ?? 0)): \(list(caps?.bounding))")
        if caps?.effective != caps?.bounding { out.append("# effective: \(list(caps?.effective))") }
        if caps?.permitted != caps?.bounding { out.append("# permitted: \(list(caps?.permitted))") }
        out.append("# inheritable: \(list(caps?.inheritable)); ambient: \(list(caps?.ambient))")
        if let s = spec.linux?.seccomp {
            let rules = s.syscalls ?? []
            var byAction: [String: Int] = [:]
            for r in rules { byAction[r.action, default: 0] += r.names.count }
            let actions = byAction.sorted { $0.key < $1.key }.map { "\($1) \($0)" }.joined(separator: ", ")
            let conditional = rules.filter { !($0.args ?? []).isEmpty }.reduce(0) { $0 + $1.names.count }
            out.append("# seccomp: default \(s.defaultAction)\(s.defaultErrnoRet.map { "(\($0))" } ?? ""); \(actions)\(conditional > 0 ? "; \(conditional) with argument conditions" : "")")
            out.append("# seccomp architectures: \((s.architectures ?? []).joined(separator: " "))")
        } else {
            out.append("# seccomp: none (unconfined)")
        }
        out.append("# no_new_privs: \(spec.process?.noNewPrivileges == true ? "yes" : "no"); masked paths: \(spec.linux?.maskedPaths?.count ?? 0); read-only paths: \(spec.linux?.readonlyPaths?.count ?? 0)")
        let ns = (spec.linux?.namespaces ?? []).map { n in n.path.map { "\(n.type)=\($0)" } ?? n.type }
        out.append("# namespaces: \(ns.joined(separator: " "))")
        return NarratedStep(.launch, "OCI spec: security", out)
    }

    // MARK: monitor

    static func monitorStart(_ id: String, engine: Engine) -> NarratedStep {
        NarratedStep(.monitor, "start the monitor", [
            "# fork(): the monitor (shown as `swiftbox monitor --root \(engine.root) <id>`), setsid(), prctl(PR_SET_CHILD_SUBREAPER)",
            "# it does everything below and reports started(pid) on a pipe (one JSON line, MonitorMessage); this command waits for it",
            "flock \(engine.store.dir(id))/monitor.lock   # held for the monitor's life: one monitor per container",
        ])
    }

    static func monitorWait(_ c: EngineContainer, engine: Engine) -> NarratedStep {
        var holds = ["the stdout/stderr pipes"]
        if c.tty == true { holds = ["the pty master"] }
        if c.interactive == true || c.tty == true { holds.append("the attach socket \(engine.attachPath(c.id))") }
        if !(c.networks ?? []).isEmpty { holds.append("the network namespace fd") }
        if !(c.publish ?? []).isEmpty { holds.append("the published ports' sockets") }
        if c.healthcheck != nil { holds.append("the health probe timer") }
        return NarratedStep(.monitor, "wait for the container", [
            "# holds: " + holds.joined(separator: ", "),
            "# poll(2) on the output → \(engine.store.logPath(c.id)) (json-file lines), waitpid(2) for the first process",
        ])
    }

    static func monitorExit(_ c: EngineContainer, engine: Engine, cgroupPath: String?) -> NarratedStep {
        var out = ["# record the exit code in state.json; event die"]
        if let cgroupPath { out.append("rmdir " + engine.runtime().cgroups.directories(for: cgroupPath).joined(separator: " ")) }
        out.append("umount \(engine.store.dir(c.id))/rootfs")
        if !(c.publish ?? []).isEmpty { out.append("nft delete element …   # the published ports' map elements") }
        if !(c.networks ?? []).isEmpty { out.append("ip netns del \(namespaceName(c.id))   # closing its fd: the kernel removes the veth pair") }
        if c.autoRemove { out.append("rm -rf \(engine.store.dir(c.id))   # --rm: renamed into the trash, deleted in the background") }
        if let p = c.restartPolicy, p != .no { out.append("# restart policy \(p): decide whether to start it again") }
        return NarratedStep(.monitor, "clean up at exit", out)
    }
}
