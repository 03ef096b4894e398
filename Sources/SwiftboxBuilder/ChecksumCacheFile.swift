// builder/checksums.bin, the ChecksumCache on disk:
//
//   "SBCK1\n"                                    magic and version
//   then per file, all integers little-endian:
//     u16 key length, key bytes (the file's path, UTF-8)
//     u64 dev, u64 ino, i64 size, i64 mtime ns, i64 ctime ns
//     64 bytes: the SHA-256 in lower-case hex
//
// A file that does not parse (truncated, another version) decodes to nil: the cache
// starts empty and the files are hashed again.

enum ChecksumCacheFile {
    static let magic = Array("SBCK1\n".utf8)
    static let fixedSize = 5 * 8 + 64

    static func encode(_ entries: [String: ChecksumCache.Entry]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(magic.count + entries.count * (fixedSize + 2 + 64))
        for (key, e) in entries {
            let k = Array(key.utf8)
            let hex = Array(e.sha256.utf8)
            guard k.count <= Int(UInt16.max), hex.count == 64 else { continue }
            append(UInt64(k.count), bytes: 2, to: &out)
            out += k
            for v in [e.dev, e.ino, UInt64(bitPattern: e.size), UInt64(bitPattern: e.mtime), UInt64(bitPattern: e.ctime)] {
                append(v, bytes: 8, to: &out)
            }
            out += hex
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [String: ChecksumCache.Entry]? {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else { return nil }
        var entries: [String: ChecksumCache.Entry] = [:]
        var i = magic.count
        return bytes.withUnsafeBufferPointer { b -> [String: ChecksumCache.Entry]? in
            func read(_ n: Int) -> UInt64 {
                var v: UInt64 = 0
                for j in 0..<n { v |= UInt64(b[i + j]) << (8 * UInt64(j)) }
                i += n
                return v
            }
            while i < b.count {
                guard b.count - i >= 2 else { return nil }
                let keyLength = Int(read(2))
                guard b.count - i >= keyLength + fixedSize else { return nil }
                let key = String(decoding: UnsafeBufferPointer(rebasing: b[i..<(i + keyLength)]), as: UTF8.self)
                i += keyLength
                let dev = read(8), ino = read(8)
                let size = Int64(bitPattern: read(8)), mtime = Int64(bitPattern: read(8)), ctime = Int64(bitPattern: read(8))
                let sha = String(decoding: UnsafeBufferPointer(rebasing: b[i..<(i + 64)]), as: UTF8.self)
                i += 64
                entries[key] = ChecksumCache.Entry(dev: dev, ino: ino, size: size, mtime: mtime, ctime: ctime, sha256: sha)
            }
            return entries
        }
    }

    private static func append(_ v: UInt64, bytes n: Int, to out: inout [UInt8]) {
        for j in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(j)))) }
    }
}
