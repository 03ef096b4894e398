// A build step that writes files without running anything (COPY, ADD, WORKDIR): the
// state's layers mounted as an overlay with a fresh upper directory, the step's writes
// made in the merged view (overlayfs copies up the parent directories it touches, with
// their attributes), then the upper directory written as the new layer and kept as its
// snapshot.
//
// The overlay is mounted with index, redirect_dir and metacopy off, whatever the
// kernel's defaults: a redirected directory or a metadata-only copy in the upper
// directory would not be a layer any other machine can unpack.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage
import SwiftboxKernel

struct LayerSession {
    let dir: String
    var merged: String { dir + "/merged" }
    var upper: String { dir + "/upper" }

    static func open(images: ImageStore, layers: [Descriptor], diffIDs: [Digest], under builderDir: String) throws -> LayerSession {
        let dir = builderDir + "/tmp/step-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for d in ["upper", "work", "merged"] { try FileSystem.makeDirectories(dir + "/" + d, mode: 0o755) }
        let session = LayerSession(dir: dir)
        do {
            var lowers = try images.snapshots.prepare(layers: layers, diffIDs: diffIDs)
            if lowers.isEmpty { lowers = [try images.snapshots.emptyLower()] }
            let data = "lowerdir=\(SnapshotStore.lowerdir(lowers)),upperdir=\(dir)/upper,workdir=\(dir)/work,index=off,redirect_dir=off,metacopy=off"
            guard mount("overlay", session.merged, "overlay", 0, data) == 0 else {
                throw KernelError("mount", ["overlay", session.merged, "overlay", data])
            }
        } catch {
            session.discard()
            throw error
        }
        return session
    }

    /// Unmount, write the upper directory as a layer, keep it as the snapshot of
    /// `parentDiffIDs` + the new layer.
    func commit(images: ImageStore, parentDiffIDs: [Digest]) throws -> LayerWriter.Layer {
        defer { discard() }
        guard umount2(merged, 0) == 0 else { throw KernelError("umount", [merged]) }
        let layer = try LayerWriter.write(directory: upper, to: images.content)
        let chain = SnapshotStore.chainIDs(parentDiffIDs + [layer.diffID]).last!
        try images.snapshots.adopt(upper, chain: chain)
        return layer
    }

    /// Unmount (if still mounted) and remove everything the session made.
    func discard() {
        if MountTable.isMountPoint(merged) { _ = umount2(merged, Int32(MNT_DETACH)) }
        try? FileSystem.removeTree(dir)
    }
}
