// A content-addressed blob store: blobs/sha256/<hex>. Every blob is written to a
// temporary file under ingest/, hashed while it is written, compared with the digest
// the caller expects, fsync'd, and only then renamed into place. A blob at its final
// path has therefore always been verified; an interrupted write leaves at most a
// temporary file in ingest/, which nothing reads and `prune` removes.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public enum ImageError: Error, Equatable, CustomStringConvertible {
    case digestMismatch(expected: Digest, actual: Digest)
    case blobMissing(Digest)
    case notFound(String)
    case malformed(String)
    case layer(String)
    case inUse(String)
    case unsupported(String)
    case io(String)

    public var description: String {
        switch self {
        case .digestMismatch(let e, let a): return "content digest mismatch: expected \(e), got \(a); nothing was stored"
        case .blobMissing(let d): return "blob \(d) is not in the content store"
        case .notFound(let r): return "no such image: \(r)"
        case .malformed(let m): return m
        case .layer(let m): return m
        case .inUse(let m): return m
        case .unsupported(let m): return m
        case .io(let m): return m
        }
    }
}

public struct ContentStore: Sendable {
    public let root: String
    var blobs: String { root + "/blobs/sha256" }
    var ingest: String { root + "/ingest" }

    public init(root: String) { self.root = root }

    public func prepare() throws {
        try FileSystem.makeDirectories(blobs, mode: 0o700)
        try FileSystem.makeDirectories(ingest, mode: 0o700)
    }

    public func path(_ d: Digest) -> String { blobs + "/" + d.hex }
    public func has(_ d: Digest) -> Bool { FileSystem.exists(path(d)) }

    public func size(_ d: Digest) -> Int64? {
        var st = stat()
        return stat(path(d), &st) == 0 ? Int64(st.st_size) : nil
    }

    public func read(_ d: Digest) throws -> [UInt8] {
        guard let bytes = try? FileSystem.read(path(d)) else { throw ImageError.blobMissing(d) }
        return bytes
    }

    /// Store bytes; verified against `expected` when given. `durable: false` skips the
    /// fsync (see Writer.commit).
    @discardableResult
    public func write(_ bytes: [UInt8], expected: Digest? = nil, durable: Bool = true) throws -> Digest {
        // Content-addressed: a blob already stored under its digest is these bytes
        // (a build that changed nothing writes the same config and manifest again).
        let digest = Digest.of(bytes)
        if has(digest) {
            if let expected, expected != digest { throw ImageError.digestMismatch(expected: expected, actual: digest) }
            return digest
        }
        var w = try Writer(store: self)
        do {
            try bytes.withUnsafeBytes { try w.append($0) }
            return try w.commit(expected: expected, durable: durable)
        } catch {
            w.abort()
            throw error
        }
    }

    /// Stream a file into the store.
    @discardableResult
    public func ingestFile(_ source: String, expected: Digest? = nil) throws -> Digest {
        let fd = open(source, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KernelError("open", [source]) }
        defer { close(fd) }
        var w = try Writer(store: self)
        do {
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; throw KernelError("read", [source]) }
                if n == 0 { break }
                try buf.withUnsafeBytes { try w.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            return try w.commit(expected: expected)
        } catch {
            w.abort()
            throw error
        }
    }

    public func delete(_ d: Digest) { unlink(path(d)) }

    /// Make the given blobs durable (fsync each): those written with `durable: false`
    /// are on disk once this returns; one already flushed costs a few microseconds.
    /// Not syncfs(2): that also waits for every other process's dirty data on the file
    /// system (a cached rebuild right after another process wrote 200 MB: 108 ms with
    /// syncfs, 25 ms with these fsyncs).
    public func sync(_ digests: [Digest]) throws {
        for d in digests {
            let fd = open(path(d), O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ImageError.blobMissing(d) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw KernelError("fsync", [path(d)]) }
        }
    }

    public func all() -> [Digest] {
        FileSystem.listDirectory(blobs).compactMap { Digest("sha256:" + $0) }
    }

    /// Remove temporary files of interrupted writes.
    public func cleanIngest() {
        for name in FileSystem.listDirectory(ingest) { unlink(ingest + "/" + name) }
    }

    /// An open temporary blob being written and hashed.
    public struct Writer {
        let store: ContentStore
        let tmp: String
        let fd: Int32
        var hasher = SHA256Hasher()
        public private(set) var count: Int64 = 0

        public init(store: ContentStore) throws {
            try store.prepare()
            self.store = store
            var template = Array((store.ingest + "/blob-XXXXXX").utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw KernelError("mkstemp", [store.ingest]) }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            self.fd = fd
            self.tmp = String(cString: template)
        }

        public mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
            var off = 0
            while off < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    throw e == ENOSPC ? ImageError.io("no space left on device while writing to \(store.root)")
                        : KernelError("write", [tmp], errno: e)
                }
                off += n
            }
            hasher.update(bytes)
            count += Int64(bytes.count)
        }

        /// Verify, fsync and move into place. The fsync comes before the rename so a
        /// crash cannot leave a final-named blob with missing content.
        ///
        /// `durable: false` leaves the fsync out, for blobs that nothing durable names
        /// yet: a build's layers and intermediate images. The tagged image that names
        /// them calls `sync(_:)` on its layers first: the flushes happen once, at the
        /// end, where the data is mostly written back already — docs/build.md.
        public mutating func commit(expected: Digest?, durable: Bool = true) throws -> Digest {
            let actual = hasher.finalize()
            if let expected, expected != actual {
                abort()
                throw ImageError.digestMismatch(expected: expected, actual: actual)
            }
            guard !durable || fsync(fd) == 0 else { let e = errno; abort(); throw KernelError("fsync", [tmp], errno: e) }
            close(fd)
            guard rename(tmp, store.path(actual)) == 0 else {
                let e = errno
                unlink(tmp)
                throw KernelError("rename", [tmp, store.path(actual)], errno: e)
            }
            return actual
        }

        public func abort() {
            close(fd)
            unlink(tmp)
        }
    }
}
