// `swiftbox export`: a container's file system — its image's layers with its own
// changes on top, as the container sees it without its volumes and bind mounts — as
// one tar stream (Docker's export). A running container's root is mounted already
// (<container>/rootfs); a stopped one's is mounted for the export, read-only: the
// upper directory becomes the top lower layer of an overlay with no upper of its own,
// so its whiteouts and opaque directories hide what they hid, and nothing is written.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage
import SwiftboxKernel

extension Engine {
    public func export(_ ref: String, to fd: Int32) throws {
        let id = try store.resolve(ref)
        let c = try store.config(id)
        let rootfs = store.dir(id) + "/rootfs"
        if MountTable.isMountPoint(rootfs) {
            try TreeArchive.write(directory: rootfs, to: fd)
            return
        }
        let record = try images.resolve(c.imageID)
        var layers = try images.snapshots.prepare(record)
        if layers.isEmpty { layers = [try images.snapshots.emptyLower()] }
        let upper = store.dir(id) + "/upper"
        if FileSystem.exists(upper) { layers.append(upper) }
        let view = runDirectory + "/export-\(id.prefix(12))-\(getpid())"
        try FileSystem.makeDirectories(view, mode: 0o700)
        defer { rmdir(view) }
        // overlayfs wants two lower layers at least when there is no upper one.
        if layers.count == 1 { layers.insert(try images.snapshots.emptyLower(), at: 0) }
        let data = "lowerdir=\(SnapshotStore.lowerdir(layers))"
        guard mount("overlay", view, "overlay", UInt(MS_RDONLY), data) == 0 else { throw KernelError("mount", ["overlay", view, "overlay", data]) }
        defer { umount2(view, Int32(MNT_DETACH)) }
        try TreeArchive.write(directory: view, to: fd)
    }
}
