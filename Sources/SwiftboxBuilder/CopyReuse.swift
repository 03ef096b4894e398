// A COPY that runs again (its files changed) mostly copies what it copied last time:
// a one-file change to a 2000-file context made 2000 new files. Each file that comes
// out exactly as the same COPY made it last time — same content, size, mode, owner and
// modification time — is instead a hard link to that file in the previous layer's
// snapshot. Layers are never written once made (overlayfs only reads its lower
// layers; a container's change is copied up), so two layers may share an inode; the
// layer's tar is the same either way (a tar records no inode or link count across
// layers).
//
// Why: creating an inode is the expensive part of a COPY here. This machine's ext4
// has no journal, and its inode allocator then skips inodes deleted in the last few
// minutes one by one (recently_deleted): in a profile of a one-file rebuild, 63% of
// the builder's CPU was spent allocating the COPY's inodes. A link allocates none and
// copies no data. Measured in docs/build.md.
//
// The previous layer is found by a hint, <builder>/copy-hints/<key>, written after each
// COPY: the key names the instruction without its files' content (keyword, where it
// reads from, sources, destination, --chown, --chmod), the hint the chain ID of the
// layer it made. A hint whose snapshot is gone (pruned) is ignored.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxImage
import SwiftboxKernel

enum CopyReuse {
    /// Hashed as a step's cache key is (BuildCache.key), under a parent of its own.
    static func hintKey(_ parts: [String]) -> String { BuildCache.key(parent: "copy-hint", parts) }

    /// The snapshot directory of the layer this COPY made last time, if it still exists.
    static func previousLayer(builderDir: String, key: String, images: ImageStore) -> String? {
        guard let hex = (try? FileSystem.readString(builderDir + "/copy-hints/" + key))?.trimmed(),
              let chain = Digest("sha256:" + hex) else { return nil }
        let dir = images.snapshots.directory(chain)
        return FileSystem.isDirectory(dir) ? dir : nil
    }

    static func remember(builderDir: String, key: String, chain: Digest) {
        try? FileSystem.makeDirectories(builderDir + "/copy-hints", mode: 0o700)
        try? FileSystem.writeAtomically(builderDir + "/copy-hints/" + key, Array(chain.hex.utf8), mode: 0o600, fsync: false)
    }

    /// The directory `path` (canonical, inside the layer) of the previous layer, or -1.
    /// Never through a symlink: the path is walked component by component.
    static func directory(_ root: Int32, _ path: String) -> Int32 {
        guard root >= 0 else { return -1 }
        var current = dup(root)
        for part in path.split(separator: "/") where !part.isEmpty {
            let next = openat(current, String(part), SB_O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(current)
            guard next >= 0 else { return -1 }
            current = next
        }
        return current
    }

    /// Link `name` from the previous layer's directory into `dir` when that file is what
    /// copying `src` would make: a regular file of the same size, mode, owner and
    /// modification time, and the same bytes (compared, not assumed). False: copy it.
    static func link(from previous: Int32, _ name: String, to dir: Int32, ifSameAs src: Int32, _ st: stat,
                     uid: uid_t, gid: gid_t, mode: mode_t, buffer: inout [UInt8]) -> Bool {
        var old = stat()
        guard fstatat(previous, name, &old, AT_SYMLINK_NOFOLLOW) == 0, old.st_mode & S_IFMT == S_IFREG,
              old.st_size == st.st_size, old.st_mode & 0o7777 == mode, old.st_uid == uid, old.st_gid == gid,
              old.st_mtim.tv_sec == st.st_mtim.tv_sec, old.st_mtim.tv_nsec == st.st_mtim.tv_nsec else { return false }
        let fd = openat(previous, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard sameBytes(fd, src, buffer: &buffer) else { return false }
        return linkat(previous, name, dir, name, 0) == 0
    }

    /// Whether two files hold the same bytes (both read from their start).
    static func sameBytes(_ a: Int32, _ b: Int32, buffer: inout [UInt8]) -> Bool {
        let chunk = 64 * 1024
        if buffer.count < 2 * chunk { buffer = [UInt8](repeating: 0, count: 2 * chunk) }
        defer { lseek(b, 0, SEEK_SET) }
        return buffer.withUnsafeMutableBytes { buf -> Bool in
            let x = buf.baseAddress!, y = buf.baseAddress! + chunk
            while true {
                let n = readFull(a, x, chunk), m = readFull(b, y, chunk)
                if n != m || n < 0 { return false }
                if n == 0 { return true }
                if memcmp(x, y, n) != 0 { return false }
            }
        }
    }

    static func readFull(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ count: Int) -> Int {
        var got = 0
        while got < count {
            let n = read(fd, p + got, count - got)
            if n < 0 { if errno == EINTR { continue }; return -1 }
            if n == 0 { break }
            got += n
        }
        return got
    }
}
