// A container's volumes, binds and tmpfs mounts as OCI config.json `mounts` entries.
//
// - volumes and binds are recursive bind mounts ("rbind"); "ro" makes the runtime
//   remount them read-only (a bind mount ignores MS_RDONLY on the first mount(2));
// - binds default to rprivate propagation, as Docker's do; asking for (r)shared or
//   (r)slave also sets the rootfs propagation to match, since a mount can only receive
//   the host's mount events if its parent mounts do (Documentation/filesystems/sharedsubtree);
// - tmpfs mounts get Docker's defaults: nosuid, nodev, noexec, mode 1777 — unless asked otherwise;
// - a user mount replaces a default one with the same destination (/dev/shm, say), and
//   mounts are ordered by depth so /a is mounted before /a/b.
import SwiftboxOCI

public enum MountSpec {
    public static func apply(_ mounts: [ContainerMount], to spec: inout RuntimeSpec, volumeData: (String) -> String) {
        guard !mounts.isEmpty else { return }
        let targets = Set(mounts.map(\.target))
        var result = (spec.mounts ?? []).filter { !targets.contains($0.destination) }
        let ordered = mounts.enumerated().sorted {
            let (a, b) = ($0.element.target.split(separator: "/").count, $1.element.target.split(separator: "/").count)
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
        for m in ordered { result.append(entry(m, volumeData: volumeData)) }
        spec.mounts = result
        if let p = rootfsPropagation(for: mounts) { spec.linux?.rootfsPropagation = p }
    }

    static func entry(_ m: ContainerMount, volumeData: (String) -> String) -> RuntimeSpec.Mount {
        switch m.type {
        case .volume:
            return .init(destination: m.target, type: "bind", source: volumeData(m.source),
                         options: ["rbind", "rprivate"] + (m.readOnly ? ["ro"] : []))
        case .bind:
            return .init(destination: m.target, type: "bind", source: m.source,
                         options: ["rbind", m.propagation ?? "rprivate"] + (m.readOnly ? ["ro"] : []))
        case .tmpfs:
            var options = m.tmpfsFlags ?? []
            for (flag, opposite) in [("nosuid", "suid"), ("nodev", "dev"), ("noexec", "exec")]
            where !options.contains(flag) && !options.contains(opposite) {
                options.append(flag)
            }
            options.append("mode=" + String(m.tmpfsMode ?? 0o1777, radix: 8))
            if let size = m.tmpfsSize { options.append("size=\(size)") }
            if m.readOnly { options.append("ro") }
            return .init(destination: m.target, type: "tmpfs", source: "tmpfs", options: options)
        }
    }

    /// rshared if a bind asks for shared propagation, rslave if one asks for slave.
    static func rootfsPropagation(for mounts: [ContainerMount]) -> String? {
        let props = Set(mounts.compactMap(\.propagation))
        if props.contains("shared") || props.contains("rshared") { return "rshared" }
        if props.contains("slave") || props.contains("rslave") { return "rslave" }
        return nil
    }
}
