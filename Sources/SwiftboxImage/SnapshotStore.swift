// Unpacked layers, one directory per chain ID (snapshots/<chainID>/fs), so a layer
// shared by several images is unpacked once. A snapshot is unpacked into a temporary
// directory and renamed into place when complete: a directory under its final name is
// always whole. A container's root filesystem is an overlay of its image's snapshots
// (lowerdir, top layer first) plus its own upper and work directories.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public struct SnapshotStore: Sendable {
    public let root: String
    let content: ContentStore

    public init(root: String, content: ContentStore) {
        self.root = root
        self.content = content
    }

    /// chainID(L1) = diffID(L1); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln))
    /// (OCI image-spec, config.md "Layer ChainID").
    public static func chainIDs(_ diffIDs: [Digest]) -> [Digest] {
        var out: [Digest] = []
        for d in diffIDs {
            if let prev = out.last {
                out.append(Digest.of(Array("\(prev) \(d)".utf8)))
            } else {
                out.append(d)
            }
        }
        return out
    }

    public func directory(_ chain: Digest) -> String { root + "/" + chain.hex + "/fs" }

    /// Make sure every layer of the image is unpacked; return the snapshot directories,
    /// bottom layer first.
    public func prepare(_ record: ImageRecord) throws -> [String] {
        try prepare(layers: record.layers, diffIDs: record.diffIDs)
    }

    /// The same for layers that are not (yet) an image's (a build's state).
    public func prepare(layers: [Descriptor], diffIDs: [Digest]) throws -> [String] {
        try FileSystem.makeDirectories(root, mode: 0o700)
        let chains = SnapshotStore.chainIDs(diffIDs)
        var dirs: [String] = []
        for ((layer, chain), diffID) in zip(zip(layers, chains), diffIDs) {
            try FileSystem.makeWhole(root + "/" + chain.hex, tmp: root + "/tmp-\(chain.short)-\(getpid())") { tmp in
                try FileSystem.makeDirectories(tmp + "/fs", mode: 0o755)
                _ = try LayerUnpacker.unpack(layer: content.path(layer.digest), into: tmp + "/fs", diffID: diffID)
            }
            dirs.append(directory(chain))
        }
        return dirs
    }

    /// Make `directory` (a build step's upper directory, whose layer was just written:
    /// LayerWriter) the snapshot of `chain`, by renaming it: it already holds the layer
    /// in the form overlayfs stacks. When the snapshot exists already, `directory` is
    /// removed instead.
    public func adopt(_ directory: String, chain: Digest) throws {
        try FileSystem.makeDirectories(root, mode: 0o700)
        try FileSystem.makeWhole(root + "/" + chain.hex, tmp: root + "/tmp-\(chain.short)-\(getpid())") { tmp in
            try FileSystem.makeDirectories(tmp, mode: 0o755)
            guard rename(directory, tmp + "/fs") == 0 else { throw KernelError("rename", [directory, tmp + "/fs"]) }
        }
        if FileSystem.exists(directory) { try? FileSystem.removeTree(directory) }
    }

    /// An empty directory, the only lower layer of a container (or build step) on an
    /// image with no layers at all (`FROM scratch`): overlayfs needs one.
    public func emptyLower() throws -> String {
        let dir = root + "/empty"
        try FileSystem.makeDirectories(dir, mode: 0o755)
        return dir
    }

    /// overlayfs lowerdir option: top layer first.
    public static func lowerdir(_ dirs: [String]) -> String { dirs.reversed().joined(separator: ":") }

    public func removeAll(except keep: Set<String>) {
        for name in FileSystem.listDirectory(root) where !keep.contains(name) {
            try? FileSystem.removeTree(root + "/" + name)
        }
    }
}
