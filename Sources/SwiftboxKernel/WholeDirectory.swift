// A directory that is either whole under its final name or absent: made under a
// temporary name, then renamed into place in one step. A process killed halfway leaves
// only the temporary one (removed by the next attempt with the same name); two
// processes making the same directory both succeed, and the first rename wins.
#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// Make `final` with `make(tmp)` unless it exists. `tmp` must be on the same file
    /// system and named for this process (its pid), so no one else writes it.
    public static func makeWhole(_ final: String, tmp: String, _ make: (String) throws -> Void) throws {
        if isDirectory(final) { return }
        try? removeTree(tmp)
        do { try make(tmp) } catch {
            try? removeTree(tmp)
            throw error
        }
        if rename(tmp, final) != 0 {
            let e = errno
            try? removeTree(tmp)
            // Another process made it first: theirs is as good.
            if e != EEXIST && e != ENOTEMPTY { throw KernelError("rename", [tmp, final], errno: e) }
        }
    }
}
