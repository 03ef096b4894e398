// Incremental SHA-256 with nettle: content digests of blobs and layers, and the keys of
// the seccomp filter cache.
import CArchive

public struct SHA256Hasher {
    var ctx = sha256_ctx()
    public init() { nettle_sha256_init(&ctx) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        nettle_sha256_update(&ctx, bytes.count, base.assumingMemoryBound(to: UInt8.self))
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// 64 lowercase hex characters.
    public mutating func finalizeHex() -> String {
        var out = [UInt8](repeating: 0, count: 32)
        nettle_sha256_digest(&ctx, 32, &out)
        let hexDigits = Array("0123456789abcdef")
        var s = ""
        for b in out { s.append(hexDigits[Int(b >> 4)]); s.append(hexDigits[Int(b & 15)]) }
        return s
    }
}
