// Carrying out a ResourcePlan on the host: enable the v2 controllers down the tree,
// then write each file of the container's cgroup. Called by the runtime after the
// directories exist and before the container's process is cloned into them, and by
// `swiftbox update` on a running container.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SwiftboxKernel

extension CgroupManager {
    /// The controllers the cgroup2 root offers (cgroup.controllers); empty without cgroup2.
    public func availableV2Controllers() -> Set<String> {
        guard let v2 = hierarchies.first(where: { $0.version == .v2 }),
              let text = try? FileSystem.readString(v2.mountPoint + "/cgroup.controllers") else { return [] }
        return Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    /// The writes `resources` needs on this host; throws before anything is created
    /// when a limit asks for a controller the host does not have.
    public func resourcePlan(_ resources: LinuxResources?, devices: [DeviceRule]? = nil) throws -> ResourcePlan {
        guard resources != nil || devices?.isEmpty == false else { return ResourcePlan() }
        return try ResourcePlan.make(resources, devices: devices, hierarchies: hierarchies, v2Controllers: availableV2Controllers())
    }

    /// Apply `plan` to the cgroup at `path` (which must exist). Returns warnings for
    /// optional files this kernel lacks.
    @discardableResult
    public func apply(_ plan: ResourcePlan, path: String) throws -> [String] {
        var warnings: [String] = []
        if !plan.containerMountPoints.isEmpty { try refuseOwnCgroup(plan, path: path) }
        if let v2 = plan.v2MountPoint, !plan.enableV2.isEmpty {
            // cgroup v2 "top-down constraint": a controller is usable in a cgroup only if
            // every ancestor enables it for its children, starting at the root.
            for parent in ResourcePlan.parents(of: path) {
                let file = v2 + parent + "/cgroup.subtree_control"
                let current = Set(((try? FileSystem.readString(file)) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
                let missing = plan.enableV2.filter { !current.contains($0) }
                if missing.isEmpty { continue }
                try CgroupManager.writeFile(file, missing.map { "+" + $0 }.joined(separator: " "))
            }
        }
        var pending = plan.steps
        while !pending.isEmpty {
            var refused: [(ResourcePlan.Step, ResourceError)] = []
            for step in pending {
                var file = step.mountPoint + path + "/" + step.write.file
                if step.write.optional && !FileSystem.exists(file) {
                    if step.version == .v1, let alt = CgroupV1Driver.fallbackFile(step.write.file),
                       FileSystem.exists(step.mountPoint + path + "/" + alt) {
                        file = step.mountPoint + path + "/" + alt
                    } else {
                        warnings.append("\(step.write.file) is not supported by this kernel: \(step.write.file) = \(step.write.value) discarded")
                        continue
                    }
                }
                do { try CgroupManager.writeFile(file, step.write.value) } catch let e as ResourceError { refused.append((step, e)) }
            }
            // Values that constrain each other (v1 memory.limit_in_bytes <= memsw) may be
            // refused only because of the order: retry them while the others make progress.
            if refused.count == pending.count { throw refused[0].1 }
            pending = refused.map(\.0)
        }
        if let devices = plan.devices { try apply(devices, path: path, warnings: &warnings) }
        return warnings
    }

    /// The device rules: strictly in order (no retries: the order is their meaning).
    func apply(_ d: ResourcePlan.Devices, path: String, warnings: inout [String]) throws {
        if let m = d.v1MountPoint {
            for w in d.rules.flatMap(\.v1Writes) { try CgroupManager.writeFile(m + path + "/" + w.file, w.value) }
        }
        // Only on a host without a v1 devices controller (ResourcePlan.make): a pure v2 host.
        if let m = d.v2MountPoint { try DeviceFilterLoader.attach(d.rules, directory: m + path) }
    }

    /// Limits on the runtime's own cgroup (or an ancestor) would apply to the caller
    /// and everything beside it: refuse, naming the path.
    public func refuseOwnCgroup(_ plan: ResourcePlan, path: String) throws {
        let entries = ProcCgroup.parse((try? FileSystem.readString("/proc/self/cgroup")) ?? "")
        for mount in plan.containerMountPoints {
            guard let h = hierarchies.first(where: { $0.mountPoint == mount }),
                  let own = ProcCgroup.path(in: h, entries: entries), ProcCgroup.contains(path, own) else { continue }
            throw ResourceError.invalid("cgroupsPath \(path) is the runtime's own cgroup \(own) in \(mount) (or contains it): limits there would apply to the caller")
        }
    }

    /// One write(2) of `value` to a cgroup file; the error names the file and the value.
    static func writeFile(_ path: String, _ value: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw ResourceError.writeFailed(file: path, value: value, errno: e, message: "\(Errno.name(e)) (\(Errno.message(e)))")
        }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else {
            let e = n < 0 ? errno : EIO
            throw ResourceError.writeFailed(file: path, value: value, errno: e, message: "\(Errno.name(e)) (\(Errno.message(e)))")
        }
    }
}
