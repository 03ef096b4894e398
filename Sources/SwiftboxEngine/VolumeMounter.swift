// The "local" driver's options, as `docker volume create --opt` takes them:
//   --opt type=tmpfs --opt device=tmpfs --opt o=size=64m,uid=1000
//   --opt type=none  --opt device=/srv/data --opt o=bind
//   --opt type=ext4  --opt device=/dev/vdb1
// Such a volume's _data directory becomes a mount point of that file system the first
// time a container uses it (mount(2) in the host's mount namespace, so every container
// of the volume sees the same files) and stays mounted until `volume rm`.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel
import SwiftboxRuntime

public enum VolumeOptions {
    static let keys: Set<String> = ["type", "device", "o"]

    public static func validate(_ options: [String: String]) throws {
        for key in options.keys where !keys.contains(key) {
            throw VolumeError.invalidOption("invalid option key: \"\(key)\" (the local driver takes type, device and o)")
        }
        if options.isEmpty { return }
        guard let type = options["type"], !type.isEmpty else {
            throw VolumeError.invalidOption("missing required option: \"type\" (e.g. --opt type=tmpfs)")
        }
        let bind = type == "none" && (options["o"] ?? "").split(separator: ",").contains { $0 == "bind" || $0 == "rbind" }
        if type != "tmpfs" && (options["device"] ?? "").isEmpty {
            throw VolumeError.invalidOption("missing required option: \"device\" for type \(type)")
        }
        if bind, let device = options["device"], !FileSystem.isDirectory(device) {
            throw VolumeError.invalidOption("failed to mount local volume: device \(device) is not a directory")
        }
    }

    /// The mount(2) arguments of a volume's options.
    static func mountArguments(_ options: [String: String]) -> (source: String, type: String, flags: UInt, data: String) {
        let parsed = MountFlags.parse((options["o"] ?? "").split(separator: ",").map(String.init))
        let type = options["type"] ?? "tmpfs"
        let source = options["device"] ?? type
        // type=none with o=bind is a bind mount of a host directory.
        if type == "none" { return (source, "", parsed.flags | MountFlags.BIND, "") }
        return (source, type, parsed.flags, parsed.data.joined(separator: ","))
    }
}

public enum VolumeMounter {
    static func mount(_ options: [String: String], at path: String) throws {
        if MountTable.isMountPoint(path) { return }
        let a = VolumeOptions.mountArguments(options)
        guard Glibc.mount(a.source, path, a.type.isEmpty ? nil : a.type, a.flags, a.data.isEmpty ? nil : a.data) == 0 else {
            throw KernelError("mount", [a.source, path, a.type.isEmpty ? "(bind)" : a.type, MountFlags.names(a.flags), a.data])
        }
    }


}
