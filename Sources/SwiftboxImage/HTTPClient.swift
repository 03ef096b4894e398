// A small HTTP/1.1 client: enough of RFC 9112 for the registry API (GET/HEAD,
// Content-Length and chunked bodies, redirects), over TCP or TLS (OpenSSL, verified
// against the system's CAs plus an optional CA file), streaming bodies to a sink so a
// layer never has to fit in memory.
#if canImport(Glibc)
import Glibc
#endif
import CTLS
import SwiftboxKernel

public struct HTTPURL: Equatable, Sendable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    public var pathAndQuery: String

    public init?(_ text: String) {
        let pieces = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count >= 3, pieces[0].hasSuffix(":"), pieces[1].isEmpty else { return nil }
        scheme = String(pieces[0].dropLast()).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = Substring(pieces[2])
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<slash])
        pathAndQuery = slash == rest.endIndex ? "/" : String(rest[slash...])
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        port = scheme == "https" ? 443 : 80
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":"), let p = Int(after.dropFirst()) { port = p }
        } else if let colon = authority.lastIndex(of: ":"), let p = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            port = p
        } else {
            host = authority
        }
        if host.isEmpty { return nil }
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(h):\(port)\(pathAndQuery)"
    }

    /// Resolve a Location header against this URL.
    public func resolving(_ location: String) -> HTTPURL? {
        if let abs = HTTPURL(location) { return abs }
        var u = self
        u.pathAndQuery = location.hasPrefix("/") ? location : "/" + location
        return u
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

public enum HTTPError: Error, CustomStringConvertible, Equatable {
    case unsupportedScheme(String)
    case connect(String, String)
    case protocolError(String)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .unsupportedScheme(let u): return "\(u): unsupported URL scheme"
        case .connect(let h, let e): return "cannot connect to \(h): \(e)"
        case .protocolError(let m): return "HTTP: \(m)"
        case .tooLarge(let m): return "HTTP: \(m)"
        }
    }
}

public struct HTTPClient: Sendable {
    public var userAgent = "swiftbox/0.1"
    public var timeoutSeconds = 60
    /// Extra CA certificates (PEM) trusted for https:// besides the system's.
    public var caFile: String?
    /// false: accept any certificate (only for registries marked insecure).
    public var verifyTLS = true
    public init(caFile: String? = nil, verifyTLS: Bool = true) {
        self.caFile = caFile
        self.verifyTLS = verifyTLS
    }

    /// A connected socket, plain or wrapped in TLS.
    final class Connection {
        let fd: Int32
        var tls: UnsafeMutableRawPointer?
        init(fd: Int32) { self.fd = fd }
        deinit {
            if let tls { sb_tls_close(tls) }
            close(fd)
        }
        func read(_ buf: UnsafeMutableRawPointer, _ n: Int) -> Int {
            tls.map { sb_tls_read($0, buf, n) } ?? Glibc.read(fd, buf, n)
        }
        func write(_ buf: UnsafeRawPointer, _ n: Int) -> Int {
            tls.map { sb_tls_write($0, buf, n) } ?? Glibc.write(fd, buf, n)
        }
    }

    /// Send a request; the response body goes to `sink` in chunks. Follows up to five
    /// redirects (dropping Authorization when the host changes, as clients must).
    public func send(_ method: String, _ url: HTTPURL, headers: [(String, String)] = [],
                     sink: (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPResponse {
        var current = url
        var hdrs = headers
        for _ in 0..<6 {
            let resp = try once(method, current, headers: hdrs, sink: { bytes in try sink(bytes) }, followingRedirect: true)
            if [301, 302, 303, 307, 308].contains(resp.status), let loc = resp.header("Location"), let next = current.resolving(loc) {
                if next.host != current.host || next.port != current.port { hdrs.removeAll { $0.0.lowercased() == "authorization" } }
                current = next
                continue
            }
            return resp
        }
        throw HTTPError.protocolError("too many redirects from \(url)")
    }

    /// A request whose body is small (JSON): returned in memory, at most `limit` bytes.
    public func fetch(_ method: String, _ url: HTTPURL, headers: [(String, String)] = [], limit: Int = 8 << 20) throws -> (HTTPResponse, [UInt8]) {
        var body: [UInt8] = []
        let resp = try send(method, url, headers: headers) { chunk in
            body += chunk
            if body.count > limit { throw HTTPError.tooLarge("response from \(url) is larger than \(limit) bytes") }
        }
        return (resp, body)
    }

    func once(_ method: String, _ url: HTTPURL, headers: [(String, String)], sink: (UnsafeRawBufferPointer) throws -> Void,
              followingRedirect: Bool) throws -> HTTPResponse {
        guard url.scheme == "http" || url.scheme == "https" else { throw HTTPError.unsupportedScheme(url.description) }
        let conn = Connection(fd: try connect(url.host, url.port))
        if url.scheme == "https" {
            var err = [CChar](repeating: 0, count: 512)
            guard let session = sb_tls_connect(conn.fd, url.host, caFile, verifyTLS ? 1 : 0, &err, err.count) else {
                throw HTTPError.connect("\(url.host):\(url.port)", String(cString: err))
            }
            conn.tls = session
        }
        var head = "\(method) \(url.pathAndQuery) HTTP/1.1\r\nHost: \(url.host):\(url.port)\r\nUser-Agent: \(userAgent)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        try writeAll(conn, Array(head.utf8))
        var reader = Reader(conn: conn)
        let statusLine = try reader.line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw HTTPError.protocolError("bad status line from \(url.host): \"\(statusLine)\"")
        }
        var response = HTTPResponse(status: status, headers: [])
        while true {
            let line = try reader.line()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            response.headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmed()))
        }
        if method == "HEAD" || status == 204 || status == 304 || (300..<400).contains(status) && followingRedirect && response.header("Location") != nil {
            return response
        }
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try reader.line()
                guard let size = Int(String(sizeLine.split(separator: ";").first ?? "").trimmed(), radix: 16) else {
                    throw HTTPError.protocolError("bad chunk size \"\(sizeLine)\"")
                }
                if size == 0 { while try !reader.line().isEmpty {}; break }
                try reader.copy(size, to: sink)
                _ = try reader.line()
            }
        } else if let lengthText = response.header("Content-Length"), let length = Int(lengthText) {
            try reader.copy(length, to: sink)
        } else {
            try reader.copyToEnd(sink)
        }
        return response
    }

    func connect(_ host: String, _ port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &res)
        guard rc == 0, let first = res else { throw HTTPError.connect("\(host):\(port)", String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(res) }
        var lastError = ECONNREFUSED
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), a.pointee.ai_protocol)
            if fd >= 0 {
                var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                close(fd)
            }
            ai = a.pointee.ai_next
        }
        throw HTTPError.connect("\(host):\(port)", Errno.message(lastError))
    }

    func writeAll(_ conn: Connection, _ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { conn.write($0.baseAddress! + off, bytes.count - off) }
            if n < 0 { if errno == EINTR { continue }; throw HTTPError.protocolError("write: \(Errno.message(errno))") }
            off += n
        }
    }

    /// Buffered reads from the socket.
    struct Reader {
        let conn: Connection
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var start = 0
        var end = 0

        init(conn: Connection) { self.conn = conn }

        mutating func fill() throws -> Bool {
            if start < end { return true }
            let n = buf.withUnsafeMutableBytes { conn.read($0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { return try fill() }
                throw HTTPError.protocolError(errno == EAGAIN ? "timed out reading the response" : "read: \(Errno.message(errno))")
            }
            start = 0
            end = n
            return n > 0
        }

        mutating func line() throws -> String {
            var out: [UInt8] = []
            while true {
                guard try fill() else { throw HTTPError.protocolError("connection closed in the middle of the headers") }
                while start < end {
                    let b = buf[start]
                    start += 1
                    if b == UInt8(ascii: "\n") {
                        if out.last == UInt8(ascii: "\r") { out.removeLast() }
                        return String(decoding: out, as: UTF8.self)
                    }
                    out.append(b)
                    if out.count > 65536 { throw HTTPError.protocolError("header line too long") }
                }
            }
        }

        mutating func copy(_ count: Int, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
            var left = count
            while left > 0 {
                guard try fill() else { throw HTTPError.protocolError("connection closed with \(left) bytes of the body missing") }
                let n = min(left, end - start)
                try buf.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
                start += n
                left -= n
            }
        }

        mutating func copyToEnd(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
            while try fill() {
                try buf.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
                start = end
            }
        }
    }
}
