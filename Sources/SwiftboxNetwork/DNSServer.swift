// The embedded DNS server of a user network: UDP on the network's gateway address,
// port 53. Container names and aliases are answered from the network records; a
// single-label name nobody has is NXDOMAIN; any other name is forwarded to the
// container's --dns servers or the host's upstream resolvers, and the reply relayed
// back. One poll(2) loop, no threads: forwarded queries each have their own socket
// and a 3 s deadline, so a slow upstream holds up nobody else.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public struct DNSServer {
    public var listen: IPv4Address
    public var port: UInt16 = 53
    /// The addresses of a name for the container at `client` (nil: not ours).
    public var lookup: (String, IPv4Address) -> [IPv4Address]?
    /// Where to forward other names for the container at `client`.
    public var upstreams: (IPv4Address) -> [IPv4Address]
    /// Asked about once a second; true ends the server.
    public var shouldExit: () -> Bool

    public init(listen: IPv4Address, lookup: @escaping (String, IPv4Address) -> [IPv4Address]?,
                upstreams: @escaping (IPv4Address) -> [IPv4Address], shouldExit: @escaping () -> Bool) {
        self.listen = listen
        self.lookup = lookup
        self.upstreams = upstreams
        self.shouldExit = shouldExit
    }

    /// Bind the socket; EADDRINUSE means another server already serves this address.
    public func bind() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KernelError("socket", ["AF_INET", "SOCK_DGRAM"]) }
        var a = DNSServer.address(listen, port)
        let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { let e = errno; close(fd); throw KernelError("bind", ["\(listen):\(port)"], errno: e) }
        return fd
    }

    struct Pending { var fd: Int32; var client: sockaddr_in; var deadline: UInt64 }

    public func serve(_ fd: Int32) {
        var pending: [Pending] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        var lastCheck = DNSServer.nowMs()
        while true {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)] + pending.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), 1000)
            if n < 0 && errno != EINTR { return }
            let now = DNSServer.nowMs()
            var keep: [Pending] = []
            if fds[0].revents & Int16(POLLIN) != 0 {
                var from = sockaddr_in()
                var len = socklen_t(MemoryLayout<sockaddr_in>.size)
                let got = buf.withUnsafeMutableBytes { b in
                    withUnsafeMutablePointer(to: &from) { $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, 0, $0, &len) } }
                }
                // A new forward joins the poll set on the next round (fds has no slot for it yet).
                if got > 0, let p = handle(Array(buf[0..<got]), from: from, listenFD: fd, now: now) { keep.append(p) }
            }
            for (i, p) in pending.enumerated() {
                if fds[i + 1].revents & Int16(POLLIN) != 0 {
                    let got = buf.withUnsafeMutableBytes { recv(p.fd, $0.baseAddress, $0.count, 0) }
                    if got > 0 { DNSServer.send(fd, Array(buf[0..<got]), to: p.client) }
                    close(p.fd)
                } else if now > p.deadline {
                    close(p.fd)   // the client retries or times out itself
                } else {
                    keep.append(p)
                }
            }
            pending = keep
            if now - lastCheck >= 1000 {
                lastCheck = now
                if shouldExit() { return }
            }
        }
    }

    /// Answer a query, or start forwarding it (returns the pending forward).
    func handle(_ packet: [UInt8], from: sockaddr_in, listenFD: Int32, now: UInt64) -> Pending? {
        guard let q = DNSQuery.parse(packet) else { return nil }
        let client = IPv4Address(UInt32(bigEndian: from.sin_addr.s_addr))
        if let addrs = lookup(q.name, client) {
            DNSServer.send(listenFD, q.answer(q.type == DNSQuery.typeA ? addrs : []), to: from)
            return nil
        }
        if !q.name.contains(".") {
            DNSServer.send(listenFD, q.answer([], nxdomain: true), to: from)
            return nil
        }
        guard let upstream = upstreams(client).first else {
            DNSServer.send(listenFD, q.answer([], nxdomain: true), to: from)
            return nil
        }
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return nil }
        DNSServer.send(s, packet, to: DNSServer.address(upstream, 53))
        return Pending(fd: s, client: from, deadline: now + 3000)
    }

    static func address(_ a: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var s = sockaddr_in()
        s.sin_family = sa_family_t(AF_INET)
        s.sin_port = port.bigEndian
        s.sin_addr.s_addr = a.value.bigEndian
        return s
    }

    static func send(_ fd: Int32, _ bytes: [UInt8], to addr: sockaddr_in) {
        var a = addr
        _ = bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &a) { $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
    }

    static func nowMs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}
