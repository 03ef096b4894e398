// The distribution v2 API (github.com/distribution/distribution docs/spec/api.md): a
// repository's manifests and blobs, with the two ways registries ask for credentials:
// `WWW-Authenticate: Basic …` (send user:password), and `WWW-Authenticate: Bearer
// realm=…,service=…,scope=…` (fetch a token from the realm — anonymously, or with the
// user's credentials — then retry with `Authorization: Bearer <token>`).
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

public struct RegistryError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

/// How to talk TLS to a registry (`--tls-verify`).
public enum TLSPolicy: Equatable, Sendable {
    /// Docker's rule: HTTPS with verification, except for insecure registries
    /// (127.0.0.0/8, localhost, ::1, and the ones listed), where HTTPS is tried without
    /// verification and plain HTTP is the fallback.
    case auto
    /// HTTPS with verification, even for loopback (`--tls-verify=true`).
    case verify
    /// Treat the registry as insecure (`--tls-verify=false`).
    case insecure
}

public final class RegistryClient: @unchecked Sendable {
    public let registry: String
    let host: String
    var base: String?
    let secure: Bool
    let caFile: String?
    let credentials: Credentials.Entry?
    var token: String?
    let lock = Lock()

    /// Registries spoken to over plain HTTP: loopback ones (as Docker does) and those
    /// the user lists in SWIFTBOX_INSECURE_REGISTRIES (comma-separated host[:port]).
    public static func isInsecure(_ registry: String, extra: [String] = []) -> Bool {
        let host = registry.hasPrefix("[") ? String(registry.dropFirst().prefix { $0 != "]" })
            : String(registry.split(separator: ":").first ?? "")
        if ["localhost", "127.0.0.1", "::1"].contains(host) || host.hasPrefix("127.") { return true }
        let env = getenv("SWIFTBOX_INSECURE_REGISTRIES").map { String(cString: $0) } ?? ""
        return (extra + env.split(separator: ",").map(String.init)).contains(registry)
    }

    /// `certsDirectory`: like Docker's /etc/docker/certs.d — a `<registry>/ca.crt` there
    /// is trusted for that registry in addition to the system's CAs.
    public init(registry: String, credentials: Credentials.Entry?, insecure: [String] = [], certsDirectory: String? = nil,
                tls: TLSPolicy = .auto) {
        self.registry = registry
        // docker.io's API lives at registry-1.docker.io.
        self.host = registry == "docker.io" ? "registry-1.docker.io" : registry
        switch tls {
        case .auto: secure = !RegistryClient.isInsecure(registry, extra: insecure)
        case .verify: secure = true
        case .insecure: secure = false
        }
        if secure { base = "https://" + host }
        let ca = certsDirectory.map { $0 + "/" + registry + "/ca.crt" }
        self.caFile = ca.flatMap { FileSystem.exists($0) ? $0 : nil }
        self.credentials = credentials
    }

    var http: HTTPClient { HTTPClient(caFile: caFile, verifyTLS: secure) }

    /// For an insecure registry: HTTPS if it answers TLS, else plain HTTP.
    func resolveBase() -> String {
        if let base { return base }
        var chosen = "http://" + host
        if let probe = HTTPURL("https://" + host + "/v2/"), (try? http.send("GET", probe, sink: { _ in })) != nil {
            chosen = "https://" + host
        }
        base = chosen
        return chosen
    }

    func url(_ path: String) throws -> HTTPURL {
        let b = resolveBase()
        guard let u = HTTPURL(b + path) else { throw RegistryError(message: "invalid registry URL \(b + path)") }
        return u
    }

    func authHeaders() -> [(String, String)] {
        lock.withLock { token.map { [("Authorization", "Bearer \($0)")] } ?? [] }
    }

    /// GET with authentication: on a 401, answer the challenge once and retry.
    func authorized(_ method: String, _ path: String, accept: [String], scope: String,
                    sink: (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPResponse {
        var headers = accept.isEmpty ? [] : [("Accept", accept.joined(separator: ", "))]
        var resp = try http.send(method, try url(path), headers: headers + authHeaders(), sink: { _ in })
        if resp.status == 401 {
            try authenticate(challenge: resp.header("WWW-Authenticate") ?? "", scope: scope)
            headers += authHeaders()
            if lock.withLock({ token }) == nil, let c = credentials { headers.append(("Authorization", "Basic " + c.basic)) }
        } else {
            headers += authHeaders()
        }
        resp = try http.send(method, try url(path), headers: headers, sink: sink)
        if resp.status == 401 {
            throw RegistryError(message: "\(registry): authentication required (swiftbox login \(registry))")
        }
        return resp
    }

    /// Parse `Bearer realm="…",service="…",scope="…"` and fetch a token.
    func authenticate(challenge: String, scope: String) throws {
        let lower = challenge.lowercased()
        if lower.hasPrefix("basic") {
            guard credentials != nil else { throw RegistryError(message: "\(registry): authentication required (swiftbox login \(registry))") }
            return
        }
        guard lower.hasPrefix("bearer") else { throw RegistryError(message: "\(registry): unsupported authentication challenge \"\(challenge)\"") }
        let params = RegistryClient.challengeParameters(String(challenge.dropFirst(6)))
        guard let realm = params["realm"], var tokenURL = HTTPURL(realm) else {
            throw RegistryError(message: "\(registry): bearer challenge without a usable realm: \"\(challenge)\"")
        }
        var query: [String] = []
        if let service = params["service"] { query.append("service=" + RegistryClient.percentEncode(service)) }
        query.append("scope=" + RegistryClient.percentEncode(params["scope"] ?? scope))
        tokenURL.pathAndQuery += (tokenURL.pathAndQuery.contains("?") ? "&" : "?") + query.joined(separator: "&")
        var headers: [(String, String)] = []
        if let c = credentials { headers.append(("Authorization", "Basic " + c.basic)) }
        let (resp, body) = try http.fetch("GET", tokenURL, headers: headers)
        guard resp.status == 200 else {
            throw RegistryError(message: "\(registry): token request to \(realm) failed with HTTP \(resp.status)" +
                                (resp.status == 401 ? " (wrong credentials? swiftbox login \(registry))" : ""))
        }
        struct TokenResponse: Decodable { var token: String?; var access_token: String? }
        guard let t = try? JSONDecoder().decode(TokenResponse.self, from: Data(body)), let value = t.token ?? t.access_token else {
            throw RegistryError(message: "\(registry): token endpoint \(realm) returned no token")
        }
        lock.withLock { token = value }
    }

    static func challengeParameters(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var i = text.startIndex
        while i < text.endIndex {
            while i < text.endIndex, text[i] == " " || text[i] == "," { i = text.index(after: i) }
            guard let eq = text[i...].firstIndex(of: "=") else { break }
            let key = String(text[i..<eq]).trimmed().lowercased()
            var j = text.index(after: eq)
            var value = ""
            if j < text.endIndex, text[j] == "\"" {
                j = text.index(after: j)
                while j < text.endIndex, text[j] != "\"" { value.append(text[j]); j = text.index(after: j) }
                if j < text.endIndex { j = text.index(after: j) }
            } else {
                while j < text.endIndex, text[j] != "," { value.append(text[j]); j = text.index(after: j) }
            }
            out[key] = value
            i = j
        }
        return out
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if c.isLetter && b < 128 || c.isNumber && b < 128 || "-._~".contains(c) { out.append(c) } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPad(2)
            }
        }
        return out
    }

    /// Check the registry answers and accepts our credentials (for `login`).
    public func ping() throws {
        let resp = try authorized("GET", "/v2/", accept: [], scope: "registry:catalog:*") { _ in }
        guard resp.status == 200 else { throw RegistryError(message: "\(registry): /v2/ answered HTTP \(resp.status)") }
    }

    public static let manifestAccept = [MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest]

    /// A manifest or index by tag or digest, with its media type and digest.
    public func manifest(_ repository: String, _ reference: String) throws -> (bytes: [UInt8], mediaType: String, digest: Digest) {
        var body: [UInt8] = []
        let resp = try authorized("GET", "/v2/\(repository)/manifests/\(reference)", accept: RegistryClient.manifestAccept,
                                  scope: "repository:\(repository):pull") { chunk in
            body += chunk
            if body.count > 8 << 20 { throw RegistryError(message: "manifest \(repository):\(reference) is larger than 8 MiB") }
        }
        guard resp.status == 200 else {
            throw RegistryError(message: resp.status == 404 ? "manifest for \(registry)/\(repository):\(reference) not found"
                                : "\(registry): GET manifest \(repository):\(reference): HTTP \(resp.status)")
        }
        let digest = Digest.of(body)
        if let d = Digest(reference), d != digest {
            throw ImageError.digestMismatch(expected: d, actual: digest)
        }
        if let header = resp.header("Docker-Content-Digest"), let d = Digest(header), d != digest {
            throw ImageError.digestMismatch(expected: d, actual: digest)
        }
        var mediaType = resp.header("Content-Type")?.split(separator: ";").first.map { String($0).trimmed() } ?? ""
        if !MediaType.isIndex(mediaType) && !MediaType.isManifest(mediaType) {
            struct Probe: Decodable { var mediaType: String?; var manifests: [Descriptor]? }
            let probe = try? JSONDecoder().decode(Probe.self, from: Data(body))
            mediaType = probe?.mediaType ?? (probe?.manifests != nil ? MediaType.ociIndex : MediaType.ociManifest)
        }
        return (body, mediaType, digest)
    }

    /// Stream a blob into the content store; verified against its digest.
    public func blob(_ repository: String, _ digest: Digest, into store: ContentStore, progress: (Int64) -> Void) throws {
        var writer = try ContentStore.Writer(store: store)
        do {
            let resp = try authorized("GET", "/v2/\(repository)/blobs/\(digest)", accept: [], scope: "repository:\(repository):pull") { chunk in
                try writer.append(chunk)
                progress(writer.count)
            }
            guard resp.status == 200 else { throw RegistryError(message: "\(registry): GET blob \(digest.short): HTTP \(resp.status)") }
            _ = try writer.commit(expected: digest)
        } catch {
            writer.abort()
            throw error
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
