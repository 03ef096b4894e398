// `swiftbox network create|ls|inspect|rm|connect|disconnect|prune` and `swiftbox port`,
// with Docker's output formats and error messages.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine
import SwiftboxNetwork
import SwiftboxTemplate

struct NetworkGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Manage networks.",
        subcommands: [NetworkCreate.self, NetworkLs.self, NetworkInspect.self, NetworkRm.self, NetworkConnect.self,
                      NetworkDisconnect.self, NetworkPrune.self, NetworkDNSServe.self])
}

struct NetworkCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a bridge network.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "Only bridge.") var driver = "bridge"
    @Option(help: "CIDR, e.g. 172.30.0.0/16 (default: a free one from the pools).") var subnet: String?
    @Option(help: "The bridge's address (default: the subnet's first).") var gateway: String?
    @Option(name: .customLong("ip-range"), help: "Give containers addresses from this CIDR only.") var ipRange: String?
    @Flag(help: "No traffic leaves the network.") var `internal` = false
    @Option(help: "KEY=VALUE; repeatable.") var label: [String] = []
    @Argument var name: String
    func run() throws {
        engineCommand {
            guard driver == "bridge" else { throw NetworkError.failed("plugin \"\(driver)\" not found") }
            var r = Networks.CreateRequest(name: name)
            r.subnet = subnet
            r.gateway = gateway
            r.ipRange = ipRange
            r.isInternal = `internal`
            for l in label {
                let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
                r.labels[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
            let n = try globals.engine.networks.create(r)
            globals.engine.networkEvent("create", id: n.id, name: n.name)
            print(n.id)
            return 0
        }
    }
}

struct NetworkLs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks.", aliases: ["list"])
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Only IDs.") var quiet = false
    @Flag(name: .customLong("no-trunc")) var noTrunc = false
    @Option(name: [.short, .long], help: "name=, id=, driver=, type=builtin|custom, label=KEY[=VALUE]; repeatable.") var filter: [String] = []
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"

    /// The stored networks and the predefined ones not stored (host, none, bridge
    /// before its first container), sorted by name as Docker's CLI does.
    func listed() -> [NetworkRecord] {
        let nets = globals.engine.networks
        var all = nets.store.all()
        for p in nets.predefined where !all.contains(where: { $0.name == p.name }) {
            var n = NetworkRecord(id: p.id, name: p.name, created: "0001-01-01T00:00:00Z", subnet: IPv4Subnet(address: IPv4Address(0), prefix: 0),
                                  gateway: IPv4Address(0), ipRange: nil, isInternal: false, labels: [:], bridge: "", userSubnet: false)
            n.driver = p.driver
            all.append(n)
        }
        return all.sorted { $0.name < $1.name }.filter { n in filter.allSatisfy { matches(n, $0) } }
    }

    func run() throws {
        engineCommand {
            let listing = try ListingFormat.option(format)
            let networks = listed()
            if !quiet && !listing.isDefaultTable {
                try listing.print(networks.map { ListingRows.network($0, noTrunc: noTrunc) }, header: ListingRows.networkHeader)
                return 0
            }
            var rows = [["NETWORK ID", "NAME", "DRIVER", "SCOPE"]]
            var ids: [String] = []
            for n in networks {
                let id = noTrunc ? n.id : n.shortID
                ids.append(id)
                rows.append([id, n.name, n.driver, "local"])
            }
            if quiet { ids.forEach { print($0) } } else { printTable(rows) }
            return 0
        }
    }

    func matches(_ n: NetworkRecord, _ f: String) -> Bool {
        let kv = f.split(separator: "=", maxSplits: 1).map(String.init)
        let value = kv.count > 1 ? kv[1] : ""
        switch kv[0] {
        case "name": return n.name.contains(value)
        case "id": return n.id.hasPrefix(value)
        case "driver": return n.driver == value
        case "type": return (value == "builtin") == Networks.predefinedNames.contains(n.name)
        case "label":
            let lv = value.split(separator: "=", maxSplits: 1).map(String.init)
            return lv.count == 1 ? n.labels[lv[0]] != nil : n.labels[lv[0]] == lv[1]
        default: return false
        }
    }
}

struct NetworkInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show networks as JSON, or draw them (--diagram).")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: ArgumentHelp(FormatHelp.inspect + " With --diagram: dot (the default) or svg."))
    var format: String?
    @Flag(help: "Draw the bridge networks (all when none is named): bridges, veth pairs, namespaces, published ports and nft chains, as Graphviz DOT.")
    var diagram = false
    @Argument var networks: [String] = []
    func run() throws {
        engineCommand {
            if diagram {
                let dot = try globals.engine.networkDiagram(networks)
                switch format ?? "dot" {
                case "dot": print(dot, terminator: "")
                case "svg": print(try Graphviz.svg(dot), terminator: "")
                default: throw EngineError.failed("--diagram draws --format dot or svg, not \"\(format!)\"")
                }
                return 0
            }
            guard !networks.isEmpty else { throw EngineError.failed("\"network inspect\" requires at least 1 argument") }
            let template = try InspectFormat(format)
            let engine = globals.engine
            let nets = engine.networks
            var out: [NetworkJSON] = []
            var missing: [String] = []
            for ref in networks {
                if let n = try? nets.store.find(ref) {
                    out.append(NetworkJSON(n))
                } else if let p = nets.findPredefined(ref) {
                    // bridge: made now, as Docker's exists from the daemon's start;
                    // host and none: the containers running in that mode.
                    if p.name == "bridge" { out.append(NetworkJSON(try nets.ensureDefault())) } else { out.append(NetworkJSON(p, engine)) }
                } else {
                    missing.append(ref)
                }
            }
            if let template {
                return template.print(try out.map(TemplateValueEncoder.encode), missing: missing.map { "network \($0) not found" })
            }
            print(try jsonText(out, pretty: true))
            for m in missing { SwiftboxMain.printError("network \(m) not found") }
            return missing.isEmpty ? 0 : 1
        }
    }
}

/// `docker network inspect`'s shape.
struct NetworkJSON: Encodable {
    struct IPAMConfig: Encodable { var Subnet: String; var Gateway: String; var IPRange: String? }
    struct IPAMJSON: Encodable { var Driver = "default"; var Options: [String: String] = [:]; var Config: [IPAMConfig] }
    struct ContainerJSON: Encodable { var Name: String; var EndpointID: String; var MacAddress: String; var IPv4Address: String; var IPv6Address = "" }
    var Name: String
    var Id: String
    var Created: String
    var Scope = "local"
    var Driver: String
    var EnableIPv6 = false
    var IPAM: IPAMJSON
    var Internal: Bool
    var Attachable = false
    var Ingress = false
    var Containers: [String: ContainerJSON]
    var Options: [String: String]
    var Labels: [String: String]

    init(_ n: NetworkRecord) {
        Name = n.name
        Id = n.id
        Created = n.created
        Driver = n.driver
        IPAM = IPAMJSON(Config: [IPAMConfig(Subnet: n.subnet.description, Gateway: n.gateway.description, IPRange: n.ipRange?.description)])
        Internal = n.isInternal
        Containers = n.endpoints.mapValues { e in
            ContainerJSON(Name: e.containerName, EndpointID: e.containerID, MacAddress: e.mac, IPv4Address: "\(e.address)/\(n.subnet.prefix)")
        }
        Options = n.isDefault ? NetworkJSON.defaultBridgeOptions(n.bridge) : ["com.docker.network.bridge.name": n.bridge]
        Labels = n.labels
    }

    /// host or none: no addresses; the running containers in that mode, as Docker lists them.
    init(_ p: PredefinedNetwork, _ engine: Engine) {
        Name = p.name
        Id = p.id
        Created = "0001-01-01T00:00:00Z"
        Driver = p.driver
        IPAM = IPAMJSON(Config: [])
        Internal = false
        var containers: [String: ContainerJSON] = [:]
        for (c, state) in engine.list() where c.networkMode == p.name && state.status == .running {
            containers[c.id] = ContainerJSON(Name: c.name, EndpointID: c.id, MacAddress: "", IPv4Address: "")
        }
        Containers = containers
        Options = [:]
        Labels = [:]
    }

    /// What `docker network inspect bridge` shows for docker0.
    static func defaultBridgeOptions(_ bridge: String) -> [String: String] {
        ["com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.enable_icc": "true",
         "com.docker.network.bridge.enable_ip_masquerade": "true", "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
         "com.docker.network.bridge.name": bridge, "com.docker.network.driver.mtu": "1500"]
    }
}

struct NetworkRm: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove networks.", aliases: ["remove"])
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Do not fail when a network does not exist.") var force = false
    @Argument var networks: [String]
    func run() throws {
        engineCommand {
            var failed = false
            for ref in networks {
                do {
                    let n = try globals.engine.removeNetwork(ref)
                    globals.engine.networkEvent("destroy", id: n.id, name: n.name)
                    print(ref)
                } catch NetworkError.notFound(_) where force {
                } catch {
                    SwiftboxMain.printError("\(error)")
                    failed = true
                }
            }
            return failed ? 1 : 0
        }
    }
}

struct NetworkConnect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect", abstract: "Connect a container to a network.")
    @OptionGroup var globals: EngineGlobals
    @Option(help: "Another DNS name on the network.") var alias: [String] = []
    @Option(help: "IPv4 address (the network needs --subnet).") var ip: String?
    @Argument var network: String
    @Argument var container: String
    func run() throws {
        engineCommand {
            try globals.engine.connect(network: network, container: container, ip: ip, aliases: alias)
            return 0
        }
    }
}

struct NetworkDisconnect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Disconnect a container from a network.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long]) var force = false
    @Argument var network: String
    @Argument var container: String
    func run() throws {
        engineCommand {
            try globals.engine.disconnect(network: network, container: container)
            return 0
        }
    }
}

struct NetworkPrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove networks no container uses.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Do not ask (swiftbox never asks).") var force = false
    func run() throws {
        engineCommand {
            let removed = try globals.engine.pruneNetworks()
            if !removed.isEmpty { print("Deleted Networks:"); removed.forEach { print($0) } }
            return 0
        }
    }
}

struct Port: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "port", abstract: "List a container's published ports.")
    @OptionGroup var globals: EngineGlobals
    @Argument var container: String
    @Argument(help: "PRIVATE_PORT[/PROTO]") var privatePort: String?
    func run() throws {
        engineCommand {
            var ports = try globals.engine.publishedPorts(container)
            if let privatePort {
                let parts = privatePort.split(separator: "/").map(String.init)
                let proto = parts.count > 1 ? parts[1] : "tcp"
                ports = ports.filter { "\($0.containerPort)" == parts[0] && $0.proto == proto }
                if ports.isEmpty { throw NetworkError.failed("No public port '\(privatePort)\(parts.count > 1 ? "" : "/tcp")' published for \(container)") }
                ports.forEach { print("\($0.hostIP):\($0.hostPort)") }
                return 0
            }
            ports.sorted { ($0.containerPort, $0.proto) < ($1.containerPort, $1.proto) }.forEach { print($0.line) }
            return 0
        }
    }
}

/// The embedded DNS server of a user network (started by swiftbox itself; see EmbeddedDNS).
struct NetworkDNSServe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dns-serve", abstract: "A network's DNS server (started by swiftbox itself).",
                                                    shouldDisplay: false)
    @OptionGroup var globals: EngineGlobals
    @Argument var network: String
    func run() throws { globals.engine.serveDNS(networkID: network, readyFD: 3) }
}
