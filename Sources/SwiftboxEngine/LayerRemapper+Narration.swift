// The words of a remapped start's layers (`run --userns-remap … --dry-run` and
// `--trace`): which way LayerRemapper shows the image's layers to the container's range
// — idmapped mounts, or copies with the owners shifted — and the writable layer's owner.
// The real start describes what lowerdirs returned; the dry run what `planned` says it
// would return, asking the kernel the same question without attaching anything.
import SwiftboxKernel

extension LayerRemapper {
    /// What the dry run says the start would do: the same choice as lowerdirs, made
    /// without a mount, a copy or a directory. `auto` asks the kernel whether each layer
    /// can be idmapped (MappingNamespace.refusal: the clone is never attached).
    func planned(_ layers: [String], containerDir: String) throws -> Remapped {
        var method: Remapped.Method = mode == .copy ? .copy : .idmap
        if mode == .auto {
            let namespace = try MappingNamespace(uidMap: remap.uidMapText, gidMap: remap.gidMapText)
            if layers.contains(where: { namespace.refusal($0).map(LayerRemapper.unsupported) ?? false }) { method = .copy }
        }
        switch method {
        case .idmap:
            let targets = layers.indices.map { containerDir + "/lower/\($0)" }
            return Remapped(method: .idmap, dirs: targets, detach: targets, copiesThere: [])
        case .copy:
            let finals = layers.map(copyPath)
            return Remapped(method: .copy, dirs: finals, detach: [], copiesThere: Set(finals.filter(FileSystem.exists)))
        }
    }

    /// The step: `layers` are the image's snapshot directories, `remapped` how they are
    /// shown, `upper` the writable layer's owner when the start makes it.
    func narration(_ layers: [String], _ remapped: Remapped, upper: (path: String, owner: UpperOwner)?) -> NarratedStep {
        var out = ["# --userns-remap \(remap.uid):\(remap.gid):\(remap.count): the container's 0 is host uid \(remap.uid), gid \(remap.gid); "
                   + "on disk the layers belong to 0, which its user namespace does not map (they would show as nobody)"]
        switch remapped.method {
        case .idmap:
            out.append("# a user namespace only to carry the mapping: clone(CLONE_NEWUSER) of a child that waits, then")
            out.append("echo '\(remap.gidMapText)' > /proc/<holder>/gid_map")
            out.append("echo '\(remap.uidMapText)' > /proc/<holder>/uid_map")
            for (layer, target) in zip(layers, remapped.dirs) {
                out.append("mkdir -p \(target)")
                out.append("mount --bind -o X-mount.idmap=/proc/<holder>/ns/user \(layer) \(target)   # open_tree(2) OPEN_TREE_CLONE, mount_setattr(2) MOUNT_ATTR_IDMAP, move_mount(2)")
            }
            out.append("# nothing copied: owner 0 on disk is seen as \(remap.uid) through these mounts (X-mount.idmap: util-linux ≥ 2.39)")
            out.append("umount -l \(remapped.dirs.joined(separator: " "))   # once the overlay is mounted: it keeps private clones of its layers")
        case .copy:
            out.append(mode == .copy ? "# copies, as daemon.json asks (\"userns-remap-layers\": \"copy\")"
                                     : "# copies: the kernel or the file system refused an idmapped mount of a layer (mount_setattr(2) MOUNT_ATTR_IDMAP)")
            for (layer, final) in zip(layers, remapped.dirs) {
                if remapped.copiesThere.contains(final) {
                    out.append("# \(final): there already (made by an earlier start of this range, shared by its containers)")
                } else {
                    out.append("cp -a \(layer) \(final).tmp   # swiftbox: TreeCopy.copyLayer, one walk that also shifts each owner (uid + \(remap.uid), gid + \(remap.gid))")
                    out.append("mv \(final).tmp \(final)   # whole or absent: a killed copy never looks finished")
                }
            }
        }
        if let upper {
            let o = upper.owner
            out.append("mkdir -p \(upper.path)   # made with work/ and rootfs/ (the overlay's step) before this one")
            out.append("chown \(o.hostUID):\(o.hostGID) \(upper.path)   # the image's / belongs to \(o.uid):\(o.gid): shifted, so the container's root owns its /")
            out.append("chmod \(String(o.mode, radix: 8)) \(upper.path)")
        }
        let how = remapped.method == .idmap ? "idmapped mounts" : "shifted copies"
        return NarratedStep(.image, "remap the layers to \(remap.uid):\(remap.gid) (\(how))", out)
    }
}
