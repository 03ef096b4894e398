// `swiftbox diff`: what a container changed in its file system, as Docker prints it
// (A added, C changed, D deleted), read from the overlay's upper directory — the
// container's own layer — against the image's layers below it:
//   - a 0/0 character device in the upper directory is a whiteout: the path was
//     deleted (D);
//   - anything else there was written by the container: C when the path exists in the
//     image (a copy-up, or a directory holding a change), A when it does not;
//   - below a directory the overlay marks opaque (trusted.overlay.opaque=y: deleted and
//     made again) nothing of the image shows, so all of it is A.
// Works on a running container and a stopped one alike: the upper directory is there
// either way, mounted or not.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage
import SwiftboxKernel

public struct FilesystemChange: Equatable, Sendable {
    public enum Kind: String, Sendable { case added = "A", changed = "C", deleted = "D" }
    public var kind: Kind
    public var path: String
    public init(_ kind: Kind, _ path: String) { self.kind = kind; self.path = path }
}

extension Engine {
    public func changes(_ ref: String) throws -> [FilesystemChange] {
        let id = try store.resolve(ref)
        let c = try store.config(id)
        let record = try images.resolve(c.imageID)
        // The image's layers, top first, as the overlay stacks them.
        let lowers = SnapshotStore.chainIDs(record.diffIDs).map { images.snapshots.directory($0) }.reversed()
        var walk = ChangeWalk(lowers: Array(lowers))
        walk.walk(store.dir(id) + "/upper", path: "", hidden: false)
        return walk.changes
    }
}

struct ChangeWalk {
    let lowers: [String]
    var changes: [FilesystemChange] = []

    mutating func walk(_ dir: String, path: String, hidden: Bool) {
        for name in FileSystem.listDirectory(dir).sorted() {
            let full = dir + "/" + name
            let p = path + "/" + name
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            if type == S_IFCHR && st.st_rdev == 0 {
                changes.append(FilesystemChange(.deleted, p))
                continue
            }
            let inImage = !hidden && existsBelow(p)
            changes.append(FilesystemChange(inImage ? .changed : .added, p))
            if type == S_IFDIR {
                walk(full, path: p, hidden: hidden || Self.isOpaque(full) || !inImage)
            }
        }
    }

    /// Whether the image shows `path`: the topmost layer that knows it decides (a
    /// whiteout there hides it); an opaque directory on the way hides what lies below.
    func existsBelow(_ path: String) -> Bool {
        for lower in lowers {
            var st = stat()
            if lstat(lower + path, &st) == 0 {
                return !((st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0)
            }
            if opaqueAncestor(lower, path) { return false }
        }
        return false
    }

    /// A directory the overlay made opaque (trusted.overlay.opaque=y).
    static func isOpaque(_ dir: String) -> Bool {
        Xattrs.list(dir).contains { $0.0 == "trusted.overlay.opaque" && $0.1 == [UInt8(ascii: "y")] }
    }

    func opaqueAncestor(_ lower: String, _ path: String) -> Bool {
        var parts = path.split(separator: "/").dropLast()
        while !parts.isEmpty {
            let dir = lower + "/" + parts.joined(separator: "/")
            if Self.isOpaque(dir) { return true }
            parts = parts.dropLast()
        }
        return false
    }
}
