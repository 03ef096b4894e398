// IPv4 addresses and subnets (CIDR) as plain values: parsing with errors that name the
// input, containment and overlap tests for IPAM, and host addresses by offset.
public struct IPv4Address: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Host byte order: 172.17.0.1 is 0xAC110001.
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Dotted quad only ("10.0.0.1"); no shorthand forms, as Docker accepts.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let b = UInt8(p) else { return nil }
            v = v << 8 | UInt32(b)
        }
        value = v
    }

    /// Network byte order, for netlink attributes and sockaddr_in.
    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public var description: String { bytes.map(String.init).joined(separator: ".") }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let a = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid IPv4 address \(text)"))
        }
        self = a
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

public struct IPv4Subnet: Hashable, Codable, Sendable, CustomStringConvertible {
    public var address: IPv4Address   // the network address (host bits zero)
    public var prefix: Int

    public init(address: IPv4Address, prefix: Int) {
        self.prefix = prefix
        self.address = IPv4Address(address.value & IPv4Subnet.mask(prefix))
    }

    /// "172.18.0.0/16". Host bits set ("172.18.0.5/16") are refused, as Docker does,
    /// unless `allowHostBits` (an --ip-range may name any address).
    public init(_ text: String, allowHostBits: Bool = false) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv4Address(String(parts[0])), let p = Int(parts[1]), (0...32).contains(p),
              parts[1].allSatisfy({ $0.isNumber }) else {
            throw NetworkError.invalidCIDR(text)
        }
        if !allowHostBits && a.value & ~IPv4Subnet.mask(p) != 0 { throw NetworkError.invalidCIDR(text) }
        self.init(address: a, prefix: p)
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << (32 - prefix) }
    public var mask: UInt32 { IPv4Subnet.mask(prefix) }
    public var size: UInt64 { UInt64(1) << (32 - prefix) }
    public var first: IPv4Address { address }
    public var last: IPv4Address { IPv4Address(address.value | ~mask) }
    public var broadcast: IPv4Address { last }

    public func contains(_ a: IPv4Address) -> Bool { a.value & mask == address.value }
    public func contains(_ s: IPv4Subnet) -> Bool { s.prefix >= prefix && contains(s.address) }
    public func overlaps(_ s: IPv4Subnet) -> Bool { contains(s.address) || s.contains(address) }

    /// The n-th address of the subnet (0 is the network address).
    public func host(_ n: UInt32) -> IPv4Address { IPv4Address(address.value &+ n) }

    public var description: String { "\(address)/\(prefix)" }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try IPv4Subnet(text, allowHostBits: true)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A MAC address for a container's interface derived from its IPv4 address, as Docker
/// does (02:42 + the four address bytes): locally administered, unicast, and stable
/// for a given address so neighbours' ARP caches stay right across restarts.
public func macAddress(for ip: IPv4Address) -> [UInt8] { [0x02, 0x42] + ip.bytes }

public func macString(_ mac: [UInt8]) -> String {
    let hex = Array("0123456789abcdef")
    return mac.map { String([hex[Int($0 >> 4)], hex[Int($0 & 15)]]) }.joined(separator: ":")
}
