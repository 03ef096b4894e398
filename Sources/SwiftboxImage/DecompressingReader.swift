// Feeds libarchive an already-decompressed layer and hashes exactly those bytes, so a
// layer is decompressed once and its diff ID (sha256 of the uncompressed tar) is
// verified in the same pass that unpacks it — as containerd does. gzip (multi-member)
// and zstd are decoded here; anything else is passed through unchanged and hashed as is.
#if canImport(Glibc)
import Glibc
#endif
import CArchive
import SwiftboxKernel

final class DecompressingReader {
    enum Codec { case plain, gzip, zstd }

    let fd: Int32
    let path: String
    var codec: Codec = .plain
    var input = [UInt8](repeating: 0, count: 1 << 20)
    var inputStart = 0
    var inputEnd = 0
    var inputEOF = false
    var output = [UInt8](repeating: 0, count: 1 << 20)
    var hasher = SHA256Hasher()
    var z = z_stream()
    var zstd: OpaquePointer?
    var streamEnded = false
    var failure: String?

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KernelError("open", [path]) }
        try refill()
        if inputEnd >= 2 && input[0] == 0x1f && input[1] == 0x8b {
            codec = .gzip
            // windowBits 15 + 16: expect a gzip header.
            guard inflateInit2_(&z, 31, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                close(fd); throw ImageError.layer("layer \(path): zlib initialisation failed")
            }
        } else if inputEnd >= 4 && input[0] == 0x28 && input[1] == 0xb5 && input[2] == 0x2f && input[3] == 0xfd {
            codec = .zstd
            zstd = ZSTD_createDStream()
            ZSTD_initDStream(zstd)
        }
    }

    deinit {
        if codec == .gzip { inflateEnd(&z) }
        if let zstd { ZSTD_freeDStream(zstd) }
        close(fd)
    }

    func refill() throws {
        guard inputStart >= inputEnd, !inputEOF else { return }
        let n = input.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { throw KernelError("read", [path]) }
        inputStart = 0
        inputEnd = n
        if n == 0 { inputEOF = true }
    }

    /// The next decompressed chunk (empty at the end). The bytes stay valid until the next call.
    func next() throws -> UnsafeRawBufferPointer {
        while true {
            try refill()
            var produced = 0
            switch codec {
            case .plain:
                if inputStart >= inputEnd { return UnsafeRawBufferPointer(start: nil, count: 0) }
                let chunk = input.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[inputStart..<inputEnd]) }
                hasher.update(chunk)
                inputStart = inputEnd
                return chunk
            case .gzip:
                if inputStart >= inputEnd && inputEOF {
                    if !streamEnded { throw ImageError.layer("layer \(path): truncated gzip stream") }
                    return UnsafeRawBufferPointer(start: nil, count: 0)
                }
                if streamEnded {
                    // Another gzip member follows (multi-member files are valid gzip).
                    inflateReset(&z)
                    streamEnded = false
                }
                let rc: Int32 = input.withUnsafeMutableBytes { inb in
                    output.withUnsafeMutableBytes { outb in
                        z.next_in = inb.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
                        z.avail_in = uInt(inputEnd - inputStart)
                        z.next_out = outb.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        z.avail_out = uInt(outb.count)
                        let r = inflate(&z, Z_NO_FLUSH)
                        inputStart = inputEnd - Int(z.avail_in)
                        produced = outb.count - Int(z.avail_out)
                        return r
                    }
                }
                if rc == Z_STREAM_END { streamEnded = true } else if rc != Z_OK && rc != Z_BUF_ERROR {
                    throw ImageError.layer("layer \(path): corrupt gzip data (zlib error \(rc))")
                }
            case .zstd:
                if inputStart >= inputEnd && inputEOF { return UnsafeRawBufferPointer(start: nil, count: 0) }
                let rc: Int = input.withUnsafeMutableBytes { inb in
                    output.withUnsafeMutableBytes { outb in
                        var i = ZSTD_inBuffer(src: inb.baseAddress! + inputStart, size: inputEnd - inputStart, pos: 0)
                        var o = ZSTD_outBuffer(dst: outb.baseAddress!, size: outb.count, pos: 0)
                        let r = ZSTD_decompressStream(zstd, &o, &i)
                        inputStart += i.pos
                        produced = o.pos
                        return r
                    }
                }
                if ZSTD_isError(rc) != 0 {
                    throw ImageError.layer("layer \(path): corrupt zstd data (\(String(cString: ZSTD_getErrorName(rc))))")
                }
            }
            if produced > 0 {
                let chunk = output.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[0..<produced]) }
                hasher.update(chunk)
                return chunk
            }
        }
    }

    /// Read what libarchive left unread (the tar's end padding), then the digest.
    func finish() throws -> Digest {
        while try next().count > 0 {}
        return hasher.finalize()
    }

}

/// libarchive's read callback (a C function pointer: a top-level function).
func decompressingReaderCallback(_ archive: OpaquePointer?, _ client: UnsafeMutableRawPointer?,
                                 _ buffer: UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t {
    let reader = Unmanaged<DecompressingReader>.fromOpaque(client!).takeUnretainedValue()
    do {
        let chunk = try reader.next()
        buffer?.pointee = chunk.baseAddress
        return la_ssize_t(chunk.count)
    } catch {
        reader.failure = "\(error)"
        return -1
    }
}
