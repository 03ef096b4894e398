// What `inspect --diagram CONTAINER` draws, gathered from the records and, for a
// running container, from the kernel itself (/proc/PID/ns); ContainerDiagram draws it.
import SwiftboxImage
import SwiftboxKernel

extension Engine {
    public func containerDiagram(_ ref: String) throws -> ContainerDiagram {
        let id = try store.resolve(ref)
        let c = try store.config(id)
        let state = observedState(id)
        let running = state.status == .running && isRunning(id)
        let image = try images.resolve(c.imageID)
        let layers = SnapshotStore.chainIDs(image.diffIDs).map {
            ContainerDiagram.Layer(chainID: $0.description, directory: images.snapshots.directory($0))
        }
        // Whose namespace it is when it is not the container's own.
        func owner(_ type: String) -> String? {
            switch type {
            case "net":
                if c.networkMode == "host" { return "the host" }
                if let mode = c.networkMode, mode.hasPrefix("container:") {
                    let other = String(mode.dropFirst("container:".count))
                    return "container " + ((try? store.config(other).name) ?? String(other.prefix(12)))
                }
                return nil
            case "user": return c.usernsRemap == nil ? "the host" : nil
            default: return nil
            }
        }
        var namespaces: [ContainerDiagram.Namespace] = []
        for type in ["mnt", "uts", "ipc", "pid", "net", "cgroup", "user"] {
            guard running else { namespaces.append(.init(type: type, inode: nil, sharedWith: owner(type))); continue }
            // "net:[4026532210]": the same inode as pid 1's means the host's namespace.
            let mine = FileSystem.readLink("/proc/\(state.pid)/ns/\(type)")
            let inode = mine.map { String($0.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }) }
            let shared = mine != nil && mine == FileSystem.readLink("/proc/1/ns/\(type)") ? "the host" : nil
            namespaces.append(.init(type: type, inode: inode, sharedWith: owner(type) ?? shared))
        }
        let runtime = runtime()
        let cgroupPath = (try? runtime.store.load(id))?.cgroupPath ?? "/swiftbox/\(id)"
        let limits = ((try? runtime.cgroups.resourcePlan(c.resources))?.steps ?? []).map { "\($0.write.file) = \($0.write.value)" }
        return ContainerDiagram(id: id, name: c.name, image: c.image, running: running, layers: layers, containerDir: store.dir(id),
                                mounts: c.mounts ?? [], namespaces: namespaces,
                                cgroupDirectories: runtime.cgroups.directories(for: cgroupPath), limits: limits)
    }
}
