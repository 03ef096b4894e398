// The image layers of a --userns-remap container, shown owned by its range. On disk a
// layer's files belong to root (0); the container's user namespace maps only
// BASE..BASE+COUNT-1, so unshifted they would all appear as "nobody" and its root could
// not even write /tmp. Two ways to shift them, both measured (docs/userns-remap.md):
//
//  - idmap: for each shared layer, an idmapped mount (MappingNamespace) at
//    <container>/lower/N, then the overlay over those, then the idmapped mounts are
//    detached (overlayfs keeps private clones of its layers). Nothing is copied; costs
//    a few syscalls per start. Needs Linux ≥ 5.19 (idmapped overlay layers) and a file
//    system that supports idmapped mounts (ext4, xfs, btrfs, tmpfs ≥ 6.3).
//  - copy: each layer copied once per range with owners shifted
//    (snapshots/<chain>/remap-UID-GID-COUNT, TreeCopy.copyLayer) and shared by every
//    container of that range; removed with the layer. Costs a copy of the image on the
//    first start, nothing after.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

struct LayerRemapper {
    let remap: UsernsRemap
    let mode: EngineConfig.RemapLayers

    var shift: OwnerShift { OwnerShift(uid: remap.uid, gid: remap.gid, count: remap.count) }

    /// How the layers are shown: the lowerdirs (bottom first) to mount, the mounts to
    /// detach once the overlay is mounted, and (copies) which copies were there before.
    struct Remapped {
        enum Method { case idmap, copy }
        var method: Method
        var dirs: [String]
        var detach: [String]
        var copiesThere: Set<String>
    }

    func lowerdirs(_ layers: [String], containerDir: String) throws -> Remapped {
        if mode != .copy {
            do {
                let targets = try idmapped(layers, containerDir: containerDir)
                return Remapped(method: .idmap, dirs: targets, detach: targets, copiesThere: [])
            } catch let e as KernelError where mode == .auto && LayerRemapper.unsupported(e.errno) {
                // Fall through to the copy (the kernel or the file system cannot idmap).
            }
        }
        let there = Set(layers.map(copyPath).filter(FileSystem.exists))   // for the narration: made now, or reused
        return Remapped(method: .copy, dirs: try layers.map(copied), detach: [], copiesThere: there)
    }

    /// EINVAL: the file system cannot be idmapped; ENOSYS: no mount_setattr; EPERM:
    /// not allowed here (a container without CAP_SYS_ADMIN over the layers' mount).
    static func unsupported(_ e: Int32) -> Bool { e == EINVAL || e == ENOSYS || e == EPERM || e == EOPNOTSUPP }

    func idmapped(_ layers: [String], containerDir: String) throws -> [String] {
        let namespace = try MappingNamespace(uidMap: remap.uidMapText, gidMap: remap.gidMapText)
        var targets: [String] = []
        do {
            for (i, layer) in layers.enumerated() {
                let target = containerDir + "/lower/\(i)"
                try FileSystem.makeDirectories(target, mode: 0o700)
                // A killed start may have left one attached there.
                if MountTable.isMountPoint(target) { _ = umount2(target, Int32(MNT_DETACH)) }
                try namespace.bind(layer, at: target)
                targets.append(target)
            }
        } catch {
            LayerRemapper.detach(targets)
            throw error
        }
        return targets
    }

    static func detach(_ targets: [String]) {
        for t in targets { _ = umount2(t, Int32(MNT_DETACH)); rmdir(t) }
    }

    /// snapshots/<chain>/fs → snapshots/<chain>/remap-UID-GID-COUNT, made once (copied
    /// under a temporary name, then renamed: a directory under its final name is whole).
    func copied(_ layer: String) throws -> String {
        let final = copyPath(layer)
        try FileSystem.makeWhole(final, tmp: final + ".tmp-\(getpid())") { tmp in
            try TreeCopy.copyLayer(layer, to: tmp, shift: shift)
        }
        return final
    }

    /// snapshots/<chain>/fs → snapshots/<chain>/remap-UID-GID-COUNT.
    func copyPath(_ layer: String) -> String {
        String(layer.dropLast("/fs".count)) + "/remap-\(remap.uid)-\(remap.gid)-\(remap.count)"
    }

    /// The owner and mode the image's / has, and that owner shifted into the range.
    struct UpperOwner {
        var uid: uid_t, gid: gid_t, mode: mode_t, hostUID: uid_t, hostGID: gid_t
    }

    func upperOwner(topLayer: String?) -> UpperOwner {
        var st = stat()
        var uid: uid_t = 0, gid: gid_t = 0, mode: mode_t = 0o755
        if let topLayer, stat(topLayer, &st) == 0 { (uid, gid, mode) = (st.st_uid, st.st_gid, st.st_mode & 0o7777) }
        return UpperOwner(uid: uid, gid: gid, mode: mode, hostUID: shift.uid(uid), hostGID: shift.gid(gid))
    }

    /// The writable layer's top directory: the owner the image's / has, shifted (so the
    /// container's root owns its /), and the same mode.
    func prepareUpper(_ upper: String, owner o: UpperOwner) throws {
        guard chown(upper, o.hostUID, o.hostGID) == 0 else { throw KernelError("chown", [upper, "\(o.hostUID):\(o.hostGID)"]) }
        guard chmod(upper, o.mode) == 0 else { throw KernelError("chmod", [upper]) }
    }
}
