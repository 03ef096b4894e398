// Every extended attribute of a path (not followed if a symlink), read through
// llistxattr/lgetxattr: the layer writer and the layer copier both carry them over.
#if canImport(Glibc)
import Glibc
#endif
import CShim

public enum Xattrs {
    /// Name and value of each attribute; none for a file system without xattrs.
    public static func list(_ path: String) -> [(String, [UInt8])] {
        var names = [CChar](repeating: 0, count: 65536)
        let n = llistxattr(path, &names, names.count)
        guard n > 0 else { return [] }
        var out: [(String, [UInt8])] = []
        var start = 0
        var value = [UInt8](repeating: 0, count: 65536)
        for i in 0..<n where names[i] == 0 {
            let key = String(cString: Array(names[start...i]))
            start = i + 1
            let size = lgetxattr(path, key, &value, value.count)
            if size >= 0 { out.append((key, Array(value[0..<size]))) }
        }
        return out
    }
}
