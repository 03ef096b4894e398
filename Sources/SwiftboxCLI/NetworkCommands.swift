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
    @Option(name: [.short, .long], help: "name=, id=, label=KEY[=VALUE]; repeatable.") var filter: [String] = []
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"
    func run() throws {
        engineCommand {
            let listing = try ListingFormat.option(format)
            if !quiet && !listing.isDefaultTable {
                let networks = globals.engine.networks.store.all().filter { n in filter.allSatisfy { matches(n, $0) } }
                try listing.print(networks.map { ListingRows.network($0, noTrunc: noTrunc) }, header: ListingRows.networkHeader)
                return 0
            }
            var rows = [["NETWORK ID", "NAME", "DRIVER", "SCOPE"]]
            var ids: [String] = []
            for n in globals.engine.networks.store.all() where filter.allSatisfy({ matches(n, $0) }) {
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
        case "label":
            let lv = value.split(separator: "=", maxSplits: 1).map(String.init)
            return lv.count == 1 ? n.labels[lv[0]] != nil : n.labels[lv[0]] == lv[1]
        default: return false
        }
    }
}

struct NetworkInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show networks as JSON.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: ArgumentHelp(FormatHelp.inspect)) var format: String?
    @Argument var networks: [String]
    func run() throws {
        engineCommand {
            let template = try InspectFormat(format)
            let store = globals.engine.networks.store
            var out: [NetworkJSON] = []
            var missing: [String] = []
            for ref in networks {
                if let n = try? store.find(ref) { out.append(NetworkJSON(n)) } else { missing.append(ref) }
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
        Options = ["com.docker.network.bridge.name": n.bridge]
        Labels = n.labels
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
