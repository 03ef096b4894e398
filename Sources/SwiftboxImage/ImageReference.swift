// Image references ("alpine", "ghcr.io/o/r:t", "host:5000/x@sha256:…"), parsed and normalised
// the way Docker does it (distribution/reference's ParseNormalizedNamed):
//
//   reference  := [registry "/"] repository [":" tag] ["@" digest]
//   registry   := host [":" port]     host: DNS-like name, IPv4, or "[" IPv6 "]"; port: [0-9]+
//   repository := component ("/" component)*          at most 255 characters in total
//   component  := [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)*
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest     := "sha256:" [a-f0-9]{64}
//
// Normalisation: the first "/"-separated part is a registry only if it contains "." or ":" or is
// exactly "localhost"; otherwise the registry is docker.io. "index.docker.io" becomes "docker.io",
// a one-component repository on docker.io gets "library/", and a reference with neither tag nor
// digest gets the tag "latest". Like Docker, "localhost:5000" alone is repository "localhost" with
// tag "5000". (Newer distribution/reference also treats an uppercase first part such as "Foo/bar"
// as a registry; we do not: that is reported as an uppercase repository name.)

public struct ImageReference: Equatable, Hashable, Sendable, CustomStringConvertible {
    public static let defaultRegistry = "docker.io"
    public static let defaultTag = "latest"
    static let legacyRegistry = "index.docker.io"
    static let officialPrefix = "library/"
    static let maxRepositoryLength = 255

    public let registry: String      // "docker.io", "127.0.0.1:5000", "[::1]:5000", "localhost"
    public let repository: String    // "library/alpine", "x/y/z"
    public let tag: String?          // nil only when a digest is given without a tag
    public let digest: String?       // "sha256:<64 hex>"

    /// "docker.io/library/alpine": registry and repository, no tag or digest.
    public var name: String { registry + "/" + repository }

    /// Full normalised form: "docker.io/library/alpine:latest", "host:5000/x@sha256:…".
    public var description: String { Self.format(name, tag, digest) }

    /// Docker's short display form: "alpine:latest", "user/app:v1", "127.0.0.1:5000/x:tag".
    public var familiar: String {
        var short = name
        if registry == Self.defaultRegistry {
            short = repository
            let rest = repository.dropFirst(Self.officialPrefix.count)
            if repository.hasPrefix(Self.officialPrefix), !rest.contains("/") { short = String(rest) }
        }
        return Self.format(short, tag, digest)
    }

    /// The same repository with another tag (any digest is kept, as distribution's WithTag does).
    /// The tag is not validated; see `isValidTag`.
    public func withTag(_ tag: String) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    public static func parse(_ text: String) throws -> ImageReference {
        guard !text.isEmpty else { throw ImageReferenceError.empty }
        // A bare 64-hex string is an image ID, never a repository name.
        if isHex64(text.utf8[...]) { throw ImageReferenceError.hexIdentifier(text) }

        // Split off "@digest" (first "@"), then ":tag" (last ":" not followed by a "/", so the
        // ":port" of "host:5000/x" is not mistaken for a tag).
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }

        // Registry or not (Docker's splitDockerDomain).
        var registry = defaultRegistry
        var repository = String(rest)
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first == "localhost" || first.contains(".") || first.contains(":") {
                registry = first == legacyRegistry ? defaultRegistry : String(first)
                repository = String(rest[rest.index(after: slash)...])
            }
        }
        if registry == defaultRegistry, !repository.contains("/") { repository = officialPrefix + repository }

        guard isValidRegistry(registry) else { throw ImageReferenceError.invalidFormat(text) }
        guard repository == repository.lowercased() else { throw ImageReferenceError.uppercase(text) }
        let components = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard components.allSatisfy(isValidComponent) else { throw ImageReferenceError.invalidFormat(text) }
        guard repository.utf8.count <= maxRepositoryLength else { throw ImageReferenceError.nameTooLong(text) }
        if let tag, !isValidTag(tag) { throw ImageReferenceError.invalidTag(tag, reference: text) }
        if let digest, !isValidDigest(digest) { throw ImageReferenceError.invalidDigest(digest, reference: text) }

        if tag == nil && digest == nil { tag = defaultTag }
        return ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    // MARK: - Grammar pieces
    //
    // Scanned byte by byte rather than with Swift Regex: a regex literal is compiled on
    // its first use in a process, and `run` parses one reference per container (measured:
    // 0.8 ms of a 23 ms `run --rm IMAGE true`, now a few microseconds). ASCII classes are
    // spelled out: Swift's \w would accept any Unicode letter.

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }
    private static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 0x41 && c <= 0x5a) }
    private static func isLowerHex(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x66) || (c >= 0x30 && c <= 0x39) }
    private static func isHex(_ c: UInt8) -> Bool { isLowerHex(c) || (c >= 0x41 && c <= 0x46) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Exactly 64 lowercase hex digits: [a-f0-9]{64}.
    static func isHex64(_ s: Substring.UTF8View) -> Bool { s.count == 64 && s.allSatisfy(isLowerHex) }

    /// Host (DNS-like name / IPv4 / bracketed IPv6) with an optional numeric port:
    /// (label(.label)* | \[[a-fA-F0-9:]+\]) (:[0-9]+)?, a label being alphanumerics with
    /// inner "-".
    static func isValidRegistry(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        if b.first == UInt8(ascii: "[") {
            i = 1
            while i < b.count, isHex(b[i]) || b[i] == UInt8(ascii: ":") { i += 1 }
            guard i > 1, i < b.count, b[i] == UInt8(ascii: "]") else { return false }
            i += 1
        } else {
            while true {
                // One label: starts and ends with an alphanumeric.
                guard i < b.count, isAlnum(b[i]) else { return false }
                var last = i
                while i < b.count, isAlnum(b[i]) || b[i] == UInt8(ascii: "-") { if isAlnum(b[i]) { last = i }; i += 1 }
                guard last == i - 1 else { return false }
                guard i < b.count, b[i] == UInt8(ascii: ".") else { break }
                i += 1
            }
        }
        if i == b.count { return true }
        guard b[i] == UInt8(ascii: ":"), i + 1 < b.count else { return false }
        return b[(i + 1)...].allSatisfy(isDigit)
    }

    /// Lowercase alphanumerics, separated by one ".", one or two "_", or any number of "-":
    /// [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*.
    static func isValidComponent(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        while true {
            let start = i
            while i < b.count, isLowerAlnum(b[i]) { i += 1 }
            guard i > start else { return false }
            if i == b.count { return true }
            switch b[i] {
            case UInt8(ascii: "."): i += 1
            case UInt8(ascii: "_"): i += (i + 1 < b.count && b[i + 1] == UInt8(ascii: "_")) ? 2 : 1
            case UInt8(ascii: "-"): while i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            default: return false
            }
        }
    }

    /// 1 to 128 of [A-Za-z0-9_.-], not starting with "." or "-".
    public static func isValidTag(_ s: String) -> Bool {
        let b = s.utf8
        guard let first = b.first, b.count <= 128, isAlnum(first) || first == UInt8(ascii: "_") else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Only sha256 with 64 lowercase hex digits (what go-digest accepts for sha256).
    static func isValidDigest(_ s: String) -> Bool {
        s.hasPrefix("sha256:") && isHex64(s.dropFirst(7).utf8)
    }

    private static func format(_ name: String, _ tag: String?, _ digest: String?) -> String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }
}

public enum ImageReferenceError: Error, Equatable, CustomStringConvertible {
    case empty
    case invalidFormat(String)
    case uppercase(String)
    case nameTooLong(String)
    case hexIdentifier(String)
    case invalidTag(String, reference: String)
    case invalidDigest(String, reference: String)

    public var description: String {
        switch self {
        case .empty:
            return "invalid reference format: image reference is empty"
        case .invalidFormat(let s):
            return "invalid reference format: \"\(s)\""
        case .uppercase(let s):
            return "invalid reference format: repository name must be lowercase: \"\(s)\""
        case .nameTooLong(let s):
            return "invalid reference format: repository name must not be more than "
                + "\(ImageReference.maxRepositoryLength) characters: \"\(s)\""
        case .hexIdentifier(let s):
            return "invalid repository name \"\(s)\": cannot specify 64-byte hexadecimal strings"
        case .invalidTag(let tag, let ref):
            return "invalid tag \"\(tag)\" in \"\(ref)\""
        case .invalidDigest(let digest, let ref):
            return "invalid digest \"\(digest)\" in \"\(ref)\" (want sha256:<64 lowercase hex>)"
        }
    }
}
