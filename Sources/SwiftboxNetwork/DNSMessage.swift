// Just enough of DNS (RFC 1035 §4) for the embedded server: read the question of a
// query, and build an answer with A records, an empty answer, or NXDOMAIN.
public struct DNSQuery: Equatable {
    public var id: UInt16
    public var flags: UInt16
    /// Lower-cased, without the trailing dot: "web", "db.example.com".
    public var name: String
    public var type: UInt16
    public var qclass: UInt16
    /// The question section as received (echoed in the answer).
    public var question: [UInt8]

    public static let typeA: UInt16 = 1
    public static let typeAAAA: UInt16 = 28

    /// nil for anything that is not a well-formed standard query with one question.
    public static func parse(_ b: [UInt8]) -> DNSQuery? {
        guard b.count >= 12 else { return nil }
        let flags = UInt16(b[2]) << 8 | UInt16(b[3])
        guard flags & 0x8000 == 0, (flags >> 11) & 0xf == 0 else { return nil }  // a query, opcode QUERY
        let qdcount = UInt16(b[4]) << 8 | UInt16(b[5])
        guard qdcount == 1 else { return nil }
        var i = 12
        var labels: [String] = []
        while true {
            guard i < b.count else { return nil }
            let len = Int(b[i])
            if len == 0 { i += 1; break }
            guard len < 64, i + 1 + len <= b.count else { return nil }   // no compression in a question
            labels.append(String(decoding: b[(i + 1)...(i + len)], as: UTF8.self).lowercased())
            i += 1 + len
        }
        guard i + 4 <= b.count else { return nil }
        return DNSQuery(id: UInt16(b[0]) << 8 | UInt16(b[1]), flags: flags, name: labels.joined(separator: "."),
                        type: UInt16(b[i]) << 8 | UInt16(b[i + 1]), qclass: UInt16(b[i + 2]) << 8 | UInt16(b[i + 3]),
                        question: Array(b[12..<(i + 4)]))
    }

    /// A response: `addresses` as A records (TTL 600) or, with none, NOERROR/NXDOMAIN.
    public func answer(_ addresses: [IPv4Address], nxdomain: Bool = false) -> [UInt8] {
        // QR=1, opcode 0, AA=1, RD as asked, RA=1, rcode 3 (NXDOMAIN) or 0.
        let flags: UInt16 = 0x8000 | 0x0400 | (self.flags & 0x0100) | 0x0080 | (nxdomain ? 3 : 0)
        let ancount = UInt16(addresses.count)
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), UInt8(flags >> 8), UInt8(flags & 0xff), 0, 1,
                            UInt8(ancount >> 8), UInt8(ancount & 0xff), 0, 0, 0, 0]
        out += question
        for a in addresses {
            // Name: a pointer to the question's name at offset 12 (0xC00C).
            out += [0xC0, 0x0C, 0, 1, 0, 1] + [0, 0, 0x02, 0x58] + [0, 4] + a.bytes
        }
        return out
    }
}
