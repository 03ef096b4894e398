// `-p [ip:][hostPort:]containerPort[/tcp|udp]` (docker-run(1)): one spec may name
// ranges ("8000-8001:80-81"); an empty or missing host port means "any free port".
public struct PortRequest: Codable, Equatable, Sendable {
    public var hostIP: String          // "0.0.0.0" when not given
    public var hostPort: UInt16        // 0: the kernel picks one from the ephemeral range
    public var containerPort: UInt16
    public var proto: String           // "tcp" | "udp"

    public init(hostIP: String = "0.0.0.0", hostPort: UInt16, containerPort: UInt16, proto: String = "tcp") {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }

    public static func parse(_ spec: String) throws -> [PortRequest] {
        func bad(_ why: String) -> NetworkError { .failed("invalid port specification \"\(spec)\": \(why)") }
        var rest = Substring(spec)
        var proto = "tcp"
        if let slash = rest.lastIndex(of: "/") {
            proto = String(rest[rest.index(after: slash)...]).lowercased()
            rest = rest[..<slash]
            guard proto == "tcp" || proto == "udp" else { throw bad("protocol must be tcp or udp") }
        }
        // The host IP may itself contain colons only for IPv6 (not supported yet).
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var hostIP = "0.0.0.0"
        var hostPart = ""
        let containerPart: String
        switch parts.count {
        case 1: containerPart = parts[0]
        case 2: hostPart = parts[0]; containerPart = parts[1]
        case 3:
            hostIP = parts[0].isEmpty ? "0.0.0.0" : parts[0]
            hostPart = parts[1]; containerPart = parts[2]
            guard IPv4Address(hostIP) != nil else { throw bad("invalid host IP \(hostIP)") }
        default: throw bad("too many colons")
        }
        guard let container = range(containerPart), container.lowerBound > 0 else { throw bad("invalid container port \(containerPart)") }
        if hostPart.isEmpty {
            return container.map { PortRequest(hostIP: hostIP, hostPort: 0, containerPort: $0, proto: proto) }
        }
        guard let host = range(hostPart), host.lowerBound > 0 else { throw bad("invalid host port \(hostPart)") }
        guard host.count == container.count else { throw bad("host and container port ranges differ in size") }
        return zip(host, container).map { PortRequest(hostIP: hostIP, hostPort: $0, containerPort: $1, proto: proto) }
    }

    static func range(_ text: String) -> ClosedRange<UInt16>? {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(ends.count), let lo = UInt16(ends[0]), let hi = UInt16(ends.last!), lo <= hi else { return nil }
        return lo...hi
    }

    /// An image's ExposedPorts key: "80/tcp", "53/udp", "8080".
    public static func exposed(_ key: String) -> PortRequest? {
        let parts = key.split(separator: "/")
        guard let port = parts.first.flatMap({ UInt16($0) }), port > 0 else { return nil }
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        guard proto == "tcp" || proto == "udp" else { return nil }
        return PortRequest(hostPort: 0, containerPort: port, proto: proto)
    }
}

/// A host port a running container publishes, once chosen.
public struct PublishedPort: Codable, Equatable, Sendable {
    public var hostIP: String
    public var hostPort: UInt16
    public var containerIP: IPv4Address
    public var containerPort: UInt16
    public var proto: String
    public init(hostIP: String, hostPort: UInt16, containerIP: IPv4Address, containerPort: UInt16, proto: String) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerIP = containerIP
        self.containerPort = containerPort
        self.proto = proto
    }

    /// `docker port` lines: "80/tcp -> 0.0.0.0:8080".
    public var line: String { "\(containerPort)/\(proto) -> \(hostIP):\(hostPort)" }
}

extension PublishedPort {
    /// `docker ps`'s PORTS, in the docker CLI's order and grouping (DisplayablePorts):
    /// ports sorted by container port, host IP, host port, protocol; those published on
    /// the same port number as inside ("8000-8001:8000-8001") are grouped per host IP and
    /// protocol into runs ("0.0.0.0:8000-8001->8000-8001/tcp"); the others each appear
    /// as "0.0.0.0:32768->80/tcp", after the groups.
    public static func psColumn(_ ports: [PublishedPort]) -> String {
        let sorted = ports.sorted { ($0.containerPort, $0.hostIP, $0.hostPort, $0.proto) < ($1.containerPort, $1.hostIP, $1.hostPort, $1.proto) }
        func group(_ key: (ip: String, proto: String), _ first: UInt16, _ last: UInt16) -> String {
            let ports = first == last ? "\(first)" : "\(first)-\(last)"
            return "\(key.ip):\(ports)->\(ports)/\(key.proto)"
        }
        var closed: [String] = []                       // runs ended by a gap, in that order
        var keys: [(ip: String, proto: String)] = []    // open runs, in order of their first port
        var open: [String: (first: UInt16, last: UInt16)] = [:]
        var mappings: [String] = []
        for p in sorted {
            guard p.hostPort == p.containerPort else {
                mappings.append("\(p.hostIP):\(p.hostPort)->\(p.containerPort)/\(p.proto)")
                continue
            }
            let key = p.hostIP + "/" + p.proto
            if let run = open[key] {
                if p.containerPort == run.last &+ 1 { open[key]!.last = p.containerPort; continue }
                closed.append(group((p.hostIP, p.proto), run.first, run.last))
            } else {
                keys.append((p.hostIP, p.proto))
            }
            open[key] = (p.containerPort, p.containerPort)
        }
        let runs = keys.map { k in group(k, open[k.ip + "/" + k.proto]!.first, open[k.ip + "/" + k.proto]!.last) }
        return (closed + runs + mappings).joined(separator: ", ")
    }
}
