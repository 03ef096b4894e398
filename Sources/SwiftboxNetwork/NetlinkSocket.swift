// A NETLINK_ROUTE socket (rtnetlink(7)): send a request with NLM_F_ACK and read until
// the kernel's answer — an NLMSG_ERROR carrying 0 (done) or -errno. A socket belongs
// to the network namespace it was created in, whatever thread uses it later: that is
// how we talk to a container's namespace without moving any thread of ours for long
// (see NetworkNamespace.socket(in:)).
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public final class NetlinkSocket {
    public let fd: Int32
    private var seq: UInt32 = 1

    /// A socket in the calling thread's network namespace.
    public init() throws {
        fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)   // protocol 0 is NETLINK_ROUTE
        guard fd >= 0 else { throw KernelError("socket", ["AF_NETLINK", "NETLINK_ROUTE"]) }
    }

    deinit { close(fd) }

    /// Send one request and wait for its acknowledgement; throws the kernel's errno.
    public func perform(_ m: NetlinkMessage, _ what: @autoclosure () -> String) throws {
        _ = try exchange(m, what())
    }

    /// Send a request; the replies before the final ACK/DONE (for GET and dumps).
    @discardableResult
    public func exchange(_ m: NetlinkMessage, _ what: @autoclosure () -> String) throws -> [NetlinkMessage] {
        seq &+= 1
        let bytes = m.encode(seq: seq)
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { throw NetworkError.netlink(what(), errno) }
        var replies: [NetlinkMessage] = []
        var buf = [UInt8](repeating: 0, count: 32768)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { if errno == EINTR { continue }; throw NetworkError.netlink(what(), errno) }
            for reply in NetlinkMessage.parse(buf[0..<n]) {
                switch reply.type {
                case NL.NLMSG_ERROR:
                    // struct nlmsgerr { int error; struct nlmsghdr msg; }
                    let code = Int32(bitPattern: readLE32(reply.payload[...], 0))
                    if code != 0 { throw NetworkError.netlink(what(), -code) }
                    return replies
                case NL.NLMSG_DONE:
                    return replies
                default:
                    replies.append(reply)
                    // A GET without NLM_F_ACK answers with one message and no DONE.
                    if reply.flags & NL.NLM_F_MULTI == 0 && m.flags & NL.NLM_F_ACK == 0 { return replies }
                }
            }
        }
    }

    // MARK: the operations, as `ip` would name them

    /// The interface index of NAME, or nil if there is no such link (ENODEV).
    public func linkIndex(_ name: String) throws -> Int32? {
        do {
            let replies = try exchange(RouteRequests.getLink(name: name), "ip link show \(name)")
            guard let r = replies.first, r.payload.count >= 16 else { return nil }
            return Int32(bitPattern: readLE32(r.payload[...], 4))
        } catch NetworkError.netlink(_, let e) where e == ENODEV {
            return nil
        }
    }

    public func requireIndex(_ name: String) throws -> Int32 {
        guard let i = try linkIndex(name) else { throw NetworkError.netlink("ip link show \(name)", ENODEV) }
        return i
    }

    public func setUp(_ name: String) throws {
        try perform(RouteRequests.setLink(index: try requireIndex(name), up: true), "ip link set \(name) up")
    }

    /// Delete a link; true if it existed.
    @discardableResult
    public func deleteLink(_ name: String) throws -> Bool {
        do {
            try perform(RouteRequests.deleteLink(name: name), "ip link del \(name)")
            return true
        } catch NetworkError.netlink(_, let e) where e == ENODEV {
            return false
        }
    }

    /// The subnet of every IPv4 address on the host's links ("ip -4 addr"): an address
    /// added with `noprefixroute` (or a route since deleted) leaves no route behind,
    /// yet a network on that subnet would still collide with it.
    public func addressSubnets() throws -> [IPv4Subnet] {
        var out: [IPv4Subnet] = []
        for r in try exchange(RouteRequests.dumpAddresses(), "ip -4 addr show") where r.type == NL.RTM_NEWADDR && r.payload.count >= 8 {
            guard r.payload[0] == NL.AF_INET else { continue }
            let attrs = NetlinkMessage.attributes(r.payload[8...])
            guard let a = attrs[NL.IFA_LOCAL] ?? attrs[NL.IFA_ADDRESS], a.count == 4 else { continue }
            out.append(IPv4Subnet(address: IPv4Address(a.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }), prefix: Int(r.payload[1])))
        }
        return out
    }

    /// IPv4 destinations of every route in every table (for choosing subnets that
    /// collide with nothing the host already routes).
    public func routeDestinations() throws -> [IPv4Subnet] {
        var out: [IPv4Subnet] = []
        for r in try exchange(RouteRequests.dumpRoutes(), "ip route show table all") where r.type == 24 && r.payload.count >= 12 {
            guard r.payload[0] == NL.AF_INET else { continue }
            let prefix = Int(r.payload[1])
            guard prefix > 0, let dst = NetlinkMessage.attributes(r.payload[12...])[NL.RTA_DST], dst.count == 4 else { continue }
            let a = dst.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            out.append(IPv4Subnet(address: IPv4Address(a), prefix: prefix))
        }
        return out
    }
}
