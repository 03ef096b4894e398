// Bytes used by a directory tree: the sizes of its regular files, symlinks not followed
// (what `system df` and `volume prune` report as reclaimable).
#if canImport(Glibc)
import Glibc
#endif

public enum DiskUsage {
    public static func bytes(_ path: String) -> Int64 {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        if (st.st_mode & S_IFMT) == S_IFREG { return Int64(st.st_size) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return 0 }
        return FileSystem.listDirectory(path).reduce(Int64(0)) { $0 + bytes(path + "/" + $1) }
    }
}
