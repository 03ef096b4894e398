// The content hashes of the context's files from earlier builds, so an unchanged
// rebuild reads metadata instead of every byte of the context (a 20 MB context: the
// SHA-256 was 30% of a fully cached rebuild's CPU). A hash is reused only while the
// file's device, inode, size, mtime and ctime are all unchanged: any write to a file
// moves its ctime, which nothing but the kernel sets, so a stale hash cannot survive a
// change (BuildKit keeps such a metadata-keyed cache too). Kept in
// builder/checksums.bin; written after each build (no fsync: losing it costs a
// re-read, never a wrong result).
//
// The file is a flat list of records (ChecksumCacheFile), not JSON: for the bench's
// 2000-file context, JSONDecoder took 22 ms of a 70 ms unchanged rebuild (44% of its
// CPU in a profile); reading the records takes about 1 ms.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

final class ChecksumCache: @unchecked Sendable {
    struct Entry: Equatable {
        var dev: UInt64, ino: UInt64, size: Int64, mtime: Int64, ctime: Int64
        var sha256: String
    }

    let path: String
    private let lock = Lock()
    private var entries: [String: Entry] = [:]
    private var used: [String: Entry] = [:]

    init(path: String) {
        self.path = path
        if let bytes = try? FileSystem.read(path) { entries = ChecksumCacheFile.decode(bytes) ?? [:] }
    }

    /// `device`: false for a layer seen through an overlay, whose device number is the
    /// mount's and changes with every mount (its inode numbers are the layer's own).
    static func stamp(_ st: stat, device: Bool) -> (UInt64, UInt64, Int64, Int64, Int64) {
        (device ? UInt64(st.st_dev) : 0, UInt64(st.st_ino), Int64(st.st_size),
         Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
         Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }

    /// The content hash of the file at `key` (its absolute path) with this stat, or nil.
    func lookup(_ key: String, _ st: stat, device: Bool) -> String? {
        let (dev, ino, size, mtime, ctime) = ChecksumCache.stamp(st, device: device)
        return lock.withLock {
            guard let e = entries[key], e.dev == dev, e.ino == ino, e.size == size, e.mtime == mtime, e.ctime == ctime else { return nil }
            used[key] = e
            return e.sha256
        }
    }

    func store(_ key: String, _ st: stat, _ sha256: String, device: Bool) {
        let (dev, ino, size, mtime, ctime) = ChecksumCache.stamp(st, device: device)
        lock.withLock { used[key] = Entry(dev: dev, ino: ino, size: size, mtime: mtime, ctime: ctime, sha256: sha256) }
    }

    /// Keep the hashes this build used (files no longer read are forgotten).
    func save() {
        let snapshot = lock.withLock { used }
        guard snapshot != entries else { return }
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        try? FileSystem.makeDirectories(dir, mode: 0o700)
        try? FileSystem.writeAtomically(path, ChecksumCacheFile.encode(snapshot), mode: 0o600, fsync: false)
        unlink(dir + "/checksums.json")   // the JSON of earlier versions
    }
}
