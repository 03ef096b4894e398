// A container's networking as `docker inspect` shows it (NetworkSettings), and the
// PORTS column of `ps` ("127.0.0.1:8080->80/tcp").
import SwiftboxEngine
import SwiftboxNetwork

struct NetworkSettingsJSON: Encodable {
    struct PortBinding: Encodable { var HostIp: String; var HostPort: String }
    struct EndpointJSON: Encodable {
        var Aliases: [String]?
        var NetworkID: String
        var EndpointID: String
        var Gateway: String
        var IPAddress: String
        var IPPrefixLen: Int
        var MacAddress: String
    }
    var Ports: [String: [PortBinding]?]
    var IPAddress = ""
    var IPPrefixLen = 0
    var Gateway = ""
    var MacAddress = ""
    var Networks: [String: EndpointJSON] = [:]

    init(_ c: EngineContainer, _ engine: Engine) {
        var ports: [String: [PortBinding]?] = [:]
        for r in c.publish ?? [] { ports["\(r.containerPort)/\(r.proto)"] = .some(nil) }
        for p in (try? engine.publishedPorts(c.id)) ?? [] {
            let key = "\(p.containerPort)/\(p.proto)"
            ports[key] = .some(((ports[key] ?? nil) ?? []) + [PortBinding(HostIp: p.hostIP, HostPort: "\(p.hostPort)")])
        }
        Ports = ports
        let endpoints = engine.networks.endpoints(of: c.id)
        for (i, a) in (c.networks ?? []).enumerated() {
            guard let (n, e) = endpoints[a.networkID] else { continue }
            Networks[n.name] = EndpointJSON(Aliases: a.aliases.isEmpty ? nil : a.aliases, NetworkID: n.id, EndpointID: c.id,
                                            Gateway: n.gateway.description, IPAddress: e.address.description,
                                            IPPrefixLen: n.subnet.prefix, MacAddress: e.mac)
            if i == 0 {
                IPAddress = e.address.description
                IPPrefixLen = n.subnet.prefix
                Gateway = n.gateway.description
                MacAddress = e.mac
            }
        }
    }

    /// `ps`'s PORTS: "0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->9000-9001/udp".
    static func portsColumn(_ c: EngineContainer, _ engine: Engine) -> String {
        guard c.publish != nil else { return "" }
        return PublishedPort.psColumn((try? engine.publishedPorts(c.id)) ?? [])
    }
}
