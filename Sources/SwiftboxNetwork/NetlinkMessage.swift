// Netlink messages as bytes (netlink(7), rtnetlink(7)). A message is a 16-byte
// nlmsghdr, a fixed family header (ifinfomsg, ifaddrmsg, rtmsg) and attributes:
// rtattr {len u16, type u16, payload} padded to 4 bytes; nested attributes are
// attributes whose payload is more attributes. Everything is in host byte order
// except addresses, which are network order (as in sockaddr_in).

/// The constants we use, from <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>,
/// <linux/if_addr.h>, <linux/veth.h>. They are kernel ABI and never change.
public enum NL {
    // nlmsghdr types
    public static let NLMSG_ERROR: UInt16 = 2
    public static let NLMSG_DONE: UInt16 = 3
    public static let RTM_NEWLINK: UInt16 = 16
    public static let RTM_DELLINK: UInt16 = 17
    public static let RTM_GETLINK: UInt16 = 18
    public static let RTM_NEWADDR: UInt16 = 20
    public static let RTM_GETADDR: UInt16 = 22
    public static let RTM_NEWROUTE: UInt16 = 24
    public static let RTM_GETROUTE: UInt16 = 26
    // nlmsghdr flags
    public static let NLM_F_REQUEST: UInt16 = 0x1
    public static let NLM_F_MULTI: UInt16 = 0x2
    public static let NLM_F_ACK: UInt16 = 0x4
    public static let NLM_F_DUMP: UInt16 = 0x300
    public static let NLM_F_REPLACE: UInt16 = 0x100
    public static let NLM_F_EXCL: UInt16 = 0x200
    public static let NLM_F_CREATE: UInt16 = 0x400
    // link attributes (IFLA_*)
    public static let IFLA_ADDRESS: UInt16 = 1
    public static let IFLA_IFNAME: UInt16 = 3
    public static let IFLA_MTU: UInt16 = 4
    public static let IFLA_MASTER: UInt16 = 10
    public static let IFLA_LINKINFO: UInt16 = 18
    public static let IFLA_NET_NS_PID: UInt16 = 19
    public static let IFLA_NET_NS_FD: UInt16 = 28
    public static let IFLA_INFO_KIND: UInt16 = 1
    public static let IFLA_INFO_DATA: UInt16 = 2
    public static let VETH_INFO_PEER: UInt16 = 1
    public static let IFF_UP: UInt32 = 0x1
    // address attributes (IFA_*)
    public static let IFA_ADDRESS: UInt16 = 1
    public static let IFA_LOCAL: UInt16 = 2
    public static let IFA_BROADCAST: UInt16 = 4
    // route attributes (RTA_*) and rtmsg values
    public static let RTA_DST: UInt16 = 1
    public static let RTA_OIF: UInt16 = 4
    public static let RTA_GATEWAY: UInt16 = 5
    public static let RT_TABLE_MAIN: UInt8 = 254
    public static let RTPROT_BOOT: UInt8 = 3
    public static let RT_SCOPE_UNIVERSE: UInt8 = 0
    public static let RTN_UNICAST: UInt8 = 1
    public static let AF_UNSPEC: UInt8 = 0
    public static let AF_INET: UInt8 = 2
}

/// Little builder for attribute lists; `bytes` is what goes after the family header.
public struct NetlinkAttributes: Equatable {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    static func align(_ n: Int) -> Int { (n + 3) & ~3 }

    public mutating func add(_ type: UInt16, _ payload: [UInt8]) {
        let len = 4 + payload.count
        bytes += le16(UInt16(len)) + le16(type) + payload
        bytes += [UInt8](repeating: 0, count: NetlinkAttributes.align(len) - len)
    }
    public mutating func add(_ type: UInt16, u32 v: UInt32) { add(type, le32(v)) }
    /// Strings are NUL-terminated (IFLA_IFNAME, IFLA_INFO_KIND).
    public mutating func add(_ type: UInt16, string s: String) { add(type, Array(s.utf8) + [0]) }
    public mutating func add(_ type: UInt16, nested: NetlinkAttributes) { add(type, nested.bytes) }
}

public func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
public func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
func readLE16(_ b: ArraySlice<UInt8>, _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
func readLE32(_ b: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}

public struct NetlinkMessage: Equatable {
    public var type: UInt16
    public var flags: UInt16
    /// The family header and attributes.
    public var payload: [UInt8]

    public init(type: UInt16, flags: UInt16, payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.payload = payload
    }

    /// nlmsghdr {len, type, flags, seq, pid=0 (the kernel)} + payload.
    public func encode(seq: UInt32) -> [UInt8] {
        le32(UInt32(16 + payload.count)) + le16(type) + le16(flags) + le32(seq) + le32(0) + payload
    }

    /// struct ifinfomsg {family u8, pad u8, type u16, index i32, flags u32, change u32}.
    public static func ifinfomsg(index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0) -> [UInt8] {
        [NL.AF_UNSPEC, 0] + le16(0) + le32(UInt32(bitPattern: index)) + le32(flags) + le32(change)
    }

    /// struct ifaddrmsg {family u8, prefixlen u8, flags u8, scope u8, index u32}.
    public static func ifaddrmsg(prefix: UInt8, index: Int32) -> [UInt8] {
        [NL.AF_INET, prefix, 0, NL.RT_SCOPE_UNIVERSE] + le32(UInt32(bitPattern: index))
    }

    /// struct rtmsg {family, dst_len, src_len, tos, table, protocol, scope, type: u8; flags u32}.
    public static func rtmsg(dstLen: UInt8, table: UInt8 = NL.RT_TABLE_MAIN, proto: UInt8 = NL.RTPROT_BOOT,
                             scope: UInt8 = NL.RT_SCOPE_UNIVERSE, routeType: UInt8 = NL.RTN_UNICAST) -> [UInt8] {
        [NL.AF_INET, dstLen, 0, 0, table, proto, scope, routeType] + le32(0)
    }

    /// Split a received buffer into (type, flags, payload) messages.
    public static func parse(_ buf: ArraySlice<UInt8>) -> [NetlinkMessage] {
        var out: [NetlinkMessage] = []
        var i = buf.startIndex
        while i + 16 <= buf.endIndex {
            let len = Int(readLE32(buf, i))
            guard len >= 16, i + len <= buf.endIndex else { break }
            out.append(NetlinkMessage(type: readLE16(buf, i + 4), flags: readLE16(buf, i + 6), payload: Array(buf[(i + 16)..<(i + len)])))
            i += NetlinkAttributes.align(len)
        }
        return out
    }

    /// The attributes after a family header of `headerSize` bytes: [type: payload].
    public static func attributes(_ payload: ArraySlice<UInt8>) -> [UInt16: ArraySlice<UInt8>] {
        var out: [UInt16: ArraySlice<UInt8>] = [:]
        var i = payload.startIndex
        while i + 4 <= payload.endIndex {
            let len = Int(readLE16(payload, i))
            guard len >= 4, i + len <= payload.endIndex else { break }
            out[readLE16(payload, i + 2) & 0x3fff] = payload[(i + 4)..<(i + len)]
            i += NetlinkAttributes.align(len)
        }
        return out
    }
}
