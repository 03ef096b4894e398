// Content digests ("sha256:<64 hex>"), computed incrementally (SHA256Hasher) so blobs
// are hashed while they stream to disk.
import SwiftboxKernel

public struct Digest: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public let algorithm: String
    public let hex: String

    public init(algorithm: String = "sha256", hex: String) {
        self.algorithm = algorithm
        self.hex = hex
    }

    /// Parse "sha256:<64 lowercase hex>"; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0] == "sha256", parts[1].count == 64,
              parts[1].allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else { return nil }
        self.init(hex: String(parts[1]))
    }

    public var description: String { "\(algorithm):\(hex)" }
    public var short: String { String(hex.prefix(12)) }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = Digest(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest: \(text)"))
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public static func of(_ bytes: [UInt8]) -> Digest {
        var h = SHA256Hasher()
        h.update(bytes)
        return h.finalize()
    }
}

extension SHA256Hasher {
    /// The digest of everything hashed so far.
    public mutating func finalize() -> Digest { Digest(hex: finalizeHex()) }
}
