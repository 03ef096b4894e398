// A directory of changes (an overlay upper directory after a build step) written as an
// image layer: a tar stream in the OCI layer format, gzip-compressed, into the content
// store — both digests computed in the same pass (diffID over the tar, the blob's
// digest over the gzip bytes), so nothing is read twice.
//
// overlayfs and the OCI layer format record deletions differently; this is the
// reverse of LayerUnpacker:
//   a 0/0 character device NAME (overlay whiteout)   → an empty file `.wh.NAME`
//   a directory with trusted.overlay.opaque=y        → the directory, then `DIR/.wh..wh..opq`
// Other trusted.overlay.* attributes are the overlay's own bookkeeping (origin, impure,
// redirect…): left out of the layer, and removed from the directory too, which then
// becomes the layer's snapshot as it is (SnapshotStore.adopt) instead of being unpacked
// again. Entries are written in sorted order, parents first; hard links inside the
// directory stay hard links.
#if canImport(Glibc)
import Glibc
#endif
import CArchive
import CShim
import SwiftboxKernel

public enum LayerWriter {
    public struct Layer: Sendable, Equatable {
        public var descriptor: Descriptor
        public var diffID: Digest
        /// Bytes of the uncompressed tar.
        public var tarSize: Int64
    }

    /// How a layer's tar is stored.
    public enum Compression: String, Sendable {
        /// As the tar itself (application/vnd.oci.image.layer.v1.tar): its digest is its
        /// diffID. What Docker's and Podman's local stores keep too (they compress only
        /// when an image leaves the machine).
        case none
        /// gzip, zlib level 1 (…tar+gzip).
        case gzip
    }

    /// `durable: false`: the blob is not fsync'd (ContentStore.Writer.commit); its
    /// writer flushes the file system before anything durable names it.
    /// `live`: the upper directory of a container's overlay that stays in use (`commit`):
    /// the overlay's own attributes are left on the files (the overlay still needs them),
    /// and a redirected directory or a metadata-only copy — which this walk cannot turn
    /// into the layer Docker would write — is refused with its path.
    public static func write(directory: String, to content: ContentStore, compression: Compression = .none, durable: Bool = true,
                             live: Bool = false) throws -> Layer {
        let sink = try GzipSink(store: content, level: compression == .gzip ? 1 : nil)
        sink.durable = durable
        guard let a = archive_write_new() else { throw ImageError.io("libarchive: out of memory") }
        defer { archive_write_free(a) }
        archive_write_set_format_pax_restricted(a)
        archive_write_set_bytes_in_last_block(a, 1)
        let opaque = Unmanaged.passUnretained(sink).toOpaque()
        let opened = archive_write_open2(a, opaque, nil, { _, client, buffer, length in
            let sink = Unmanaged<GzipSink>.fromOpaque(client!).takeUnretainedValue()
            do { try sink.consume(UnsafeRawBufferPointer(start: buffer, count: length)) } catch {
                sink.failure = error
                return -1
            }
            return length
        }, nil, nil)
        do {
            guard opened == ARCHIVE_OK else { throw ImageError.io("libarchive: \(String(cString: archive_error_string(a)))") }
            let root = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard root >= 0 else { throw KernelError("open", [directory]) }
            defer { close(root) }
            var walk = Walk(archive: a, directory: directory)
            walk.live = live
            try walk.directory(root, relative: "")
            guard archive_write_close(a) == ARCHIVE_OK else {
                throw sink.failure ?? ImageError.io("libarchive: \(String(cString: archive_error_string(a)))")
            }
            let (digest, size) = try sink.finish()
            return Layer(descriptor: Descriptor(mediaType: compression == .gzip ? MediaType.ociLayerGzip : MediaType.ociLayer, digest: digest, size: size),
                         diffID: sink.tarDigest, tarSize: sink.tarBytes)
        } catch {
            sink.abort()
            throw sink.failure ?? error
        }
    }

    struct Walk {
        let archive: OpaquePointer
        let directory: String
        /// (device, inode) → the first path of a file with several links.
        var links: [String: String] = [:]
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        /// A directory still in use by an overlay (LayerWriter.write's `live`).
        var live = false

        init(archive: OpaquePointer, directory: String) {
            self.archive = archive
            self.directory = directory
        }

        mutating func directory(_ fd: Int32, relative: String) throws {
            for name in FileSystem.listDirectory(fd: fd).sorted() {
                let rel = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw KernelError("fstatat", [directory + "/" + rel]) }
                let type = st.st_mode & S_IFMT
                if type == S_IFCHR && st.st_rdev == 0 {
                    try emptyFile((relative.isEmpty ? "" : relative + "/") + ".wh." + name, like: st)
                    continue
                }
                let path = "/proc/self/fd/\(fd)/\(name)"
                let xattrs = try LayerWriter.attributes(path, what: directory + "/" + rel, live: live)
                let entry = archive_entry_new()!
                defer { archive_entry_free(entry) }
                archive_entry_copy_stat(entry, &st)
                archive_entry_set_pathname(entry, type == S_IFDIR ? rel + "/" : rel)
                for (key, value) in xattrs.keep { value.withUnsafeBytes { archive_entry_xattr_add_entry(entry, key, $0.baseAddress, $0.count) } }
                if type != S_IFDIR && st.st_nlink > 1 {
                    let key = "\(st.st_dev):\(st.st_ino)"
                    if let first = links[key] {
                        archive_entry_set_hardlink(entry, first)
                        archive_entry_set_size(entry, 0)
                        try header(entry, rel)
                        continue
                    }
                    links[key] = rel
                }
                switch type {
                case S_IFLNK:
                    var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                    let n = readlinkat(fd, name, &target, target.count - 1)
                    guard n >= 0 else { throw KernelError("readlinkat", [directory + "/" + rel]) }
                    target[n] = 0
                    archive_entry_set_symlink(entry, target)
                    try header(entry, rel)
                case S_IFREG:
                    try header(entry, rel)
                    let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                    guard file >= 0 else { throw KernelError("openat", [directory + "/" + rel]) }
                    defer { close(file) }
                    try copyData(file, what: rel)
                case S_IFDIR:
                    try header(entry, rel)
                    if xattrs.opaque {
                        try emptyFile(rel + "/.wh..wh..opq", like: st)
                    }
                    let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard sub >= 0 else { throw KernelError("openat", [directory + "/" + rel]) }
                    defer { close(sub) }
                    try directory(sub, relative: rel)
                default:
                    try header(entry, rel)   // devices, FIFOs: the header is all there is
                }
            }
        }

        func header(_ entry: OpaquePointer, _ rel: String) throws {
            guard archive_write_header(archive, entry) == ARCHIVE_OK else {
                throw ImageError.io("\(rel): \(String(cString: archive_error_string(archive)))")
            }
        }

        /// A whiteout or opaque marker: an empty regular file, as Docker writes them.
        func emptyFile(_ rel: String, like st: stat) throws {
            let entry = archive_entry_new()!
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname(entry, rel)
            archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
            archive_entry_set_perm(entry, 0)
            archive_entry_set_size(entry, 0)
            archive_entry_set_mtime(entry, st.st_mtim.tv_sec, st.st_mtim.tv_nsec)
            try header(entry, rel)
        }

        mutating func copyData(_ file: Int32, what: String) throws {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; throw KernelError("read", [what]) }
                if n == 0 { return }
                let w = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, n) }
                guard w == n else { throw ImageError.io("\(what): \(String(cString: archive_error_string(archive)))") }
            }
        }
    }

    /// The xattrs of `path` a layer keeps, and whether the overlay marked it opaque.
    /// The overlay's other trusted.overlay.* attributes are removed from the file.
    static func attributes(_ path: String, what: String, live: Bool = false) throws -> (keep: [(String, [UInt8])], opaque: Bool) {
        var keep: [(String, [UInt8])] = []
        var opaque = false
        for (key, value) in Xattrs.list(path) {
            if key.hasPrefix("trusted.overlay.") {
                if key == "trusted.overlay.opaque" && value == [UInt8(ascii: "y")] { opaque = true; continue }
                if live {
                    if key == "trusted.overlay.redirect" || key == "trusted.overlay.metacopy" {
                        throw ImageError.unsupported("\(what): the overlay holds it as \(key.dropFirst(16)) (a renamed directory or a metadata-only copy); it cannot be written as a layer")
                    }
                    continue
                }
                _ = lremovexattr(path, key)
                continue
            }
            keep.append((key, value))
        }
        return (keep, opaque)
    }
}

/// The tar stream's end: hashed as it comes (the diffID), gzip-compressed with zlib
/// (or not, level nil), and the bytes written to a content-store blob (hashed again:
/// the digest; the same as the diffID without compression).
final class GzipSink {
    let compress: Bool
    var writer: ContentStore.Writer
    var stream = z_stream()
    var tarHasher = SHA256Hasher()
    var tarBytes: Int64 = 0
    var durable = true
    var out = [UInt8](repeating: 0, count: 256 * 1024)
    var failure: Error?
    private(set) var tarDigest = Digest.of([])

    init(store: ContentStore, level: Int32?) throws {
        writer = try ContentStore.Writer(store: store)
        compress = level != nil
        guard let level else { return }
        // windowBits 15 + 16: a gzip header and trailer, not a raw zlib stream.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            writer.abort()
            throw ImageError.io("zlib: deflateInit2 failed")
        }
    }

    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        tarBytes += Int64(bytes.count)
        // Uncompressed, the blob is the tar: the writer's digest is the diffID too.
        guard compress else { return try writer.append(bytes) }
        tarHasher.update(bytes)
        try deflate(bytes, flush: Z_NO_FLUSH)
    }

    private func deflate(_ bytes: UnsafeRawBufferPointer, flush: Int32) throws {
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        repeat {
            let produced: Int = try out.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let rc = CArchive.deflate(&stream, flush)
                guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else { throw ImageError.io("zlib: deflate failed (\(rc))") }
                return buf.count - Int(stream.avail_out)
            }
            if produced > 0 { try out.withUnsafeBytes { try writer.append(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
        } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
    }

    func finish() throws -> (Digest, Int64) {
        if compress {
            try deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
            deflateEnd(&stream)
        }
        let size = writer.count
        let digest = try writer.commit(expected: nil, durable: durable)
        tarDigest = compress ? tarHasher.finalize() : digest
        return (digest, size)
    }

    func abort() {
        if compress { deflateEnd(&stream) }
        writer.abort()
    }
}
