// Places a container's processes in its own cgroup in every hierarchy the host has,
// and removes exactly the directories it created. Limits are written by the resource
// drivers (a later layer); a controller the host lacks never fails a container that
// asks for no limit on it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SwiftboxKernel

public enum CgroupError: Error, Equatable, CustomStringConvertible {
    case invalidPath(String)
    public var description: String {
        switch self {
        case .invalidPath(let p): return "cgroupsPath \(p): must not contain '..' or empty components"
        }
    }
}

public struct CgroupManager: Sendable {
    public var hierarchies: [CgroupHierarchy]

    public init(hierarchies: [CgroupHierarchy]) { self.hierarchies = hierarchies }

    /// The hierarchies of the calling process's mount namespace.
    public static func host() -> CgroupManager {
        let text = (try? FileSystem.readString("/proc/self/mountinfo")) ?? ""
        return CgroupManager(hierarchies: Mountinfo.cgroupHierarchies(Mountinfo.parse(text)))
    }

    /// host(), read once per process. The cgroup mounts do not change under a running
    /// swiftbox, and reading and parsing /proc/self/mountinfo costs ~0.2 ms here, for
    /// every OCIRuntime made (one per state query).
    public static let shared = host()

    public var layout: CgroupLayout { Mountinfo.layout(hierarchies) }

    /// Turn a config's cgroupsPath into an absolute path below each hierarchy's root.
    /// - empty: /swiftbox/<id>
    /// - "slice:prefix:name" (systemd notation, as podman and containerd pass it):
    ///   /<slice>/<prefix>-<name>.scope, managed as plain directories
    /// - relative: below /swiftbox — never inside the caller's own cgroup
    public static func resolvePath(_ cgroupsPath: String?, id: String) throws -> String {
        var path = cgroupsPath ?? ""
        if path.isEmpty { path = "/swiftbox/\(id)" }
        let parts = path.split(separator: ":", omittingEmptySubsequences: false)
        if !path.hasPrefix("/") && parts.count == 3 {
            let slice = parts[0].isEmpty ? "system.slice" : String(parts[0])
            let prefix = String(parts[1])
            path = "/\(slice)/\(prefix.isEmpty ? "" : prefix + "-")\(parts[2]).scope"
        } else if !path.hasPrefix("/") {
            path = "/swiftbox/" + path
        }
        let comps = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if comps.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) { throw CgroupError.invalidPath(cgroupsPath ?? path) }
        return path
    }

    /// What a new container needs to start inside its cgroups without being moved
    /// there afterwards: open `tasks` files of each v1 hierarchy (the child writes "0"
    /// to them) and the cgroup v2 directory (for clone3's CLONE_INTO_CGROUP).
    public struct Prepared {
        /// Directories this call created, deepest last (remove them on failure/delete).
        public var created: [String]
        public var v1TaskFDs: [Int32]
        public var v2DirectoryFD: Int32?
        public var v2Directory: String?

        public func closeAll() {
            v1TaskFDs.forEach { close($0) }
            if let fd = v2DirectoryFD { close(fd) }
        }
    }

    /// Create the container's cgroup in each hierarchy.
    public func prepare(path: String) throws -> Prepared {
        var prepared = Prepared(created: [], v1TaskFDs: [], v2DirectoryFD: nil, v2Directory: nil)
        do {
            for h in hierarchies {
                let dir = try makeDirectories(h, path: path, created: &prepared.created)
                if h.version == .v1 {
                    let fd = open(dir + "/tasks", O_WRONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw KernelError("open", [dir + "/tasks", "O_WRONLY"]) }
                    prepared.v1TaskFDs.append(fd)
                } else {
                    let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    guard fd >= 0 else { throw KernelError("open", [dir, "O_DIRECTORY"]) }
                    prepared.v2DirectoryFD = fd
                    prepared.v2Directory = dir
                }
            }
        } catch {
            prepared.closeAll()
            try? CgroupManager.remove(created: prepared.created)
            throw error
        }
        return prepared
    }

    func makeDirectories(_ h: CgroupHierarchy, path: String, created: inout [String]) throws -> String {
        var dir = h.mountPoint
        for comp in path.split(separator: "/") {
            let parent = dir
            dir += "/" + comp
            if mkdir(dir, 0o755) == 0 {
                created.append(dir)
                // cgroup v1 cpuset: a new group starts with empty cpus/mems and refuses
                // tasks (ENOSPC) until they are copied down from the parent.
                if h.version == .v1 && h.controllers.contains("cpuset") {
                    for file in ["cpuset.cpus", "cpuset.mems"] {
                        let value = (try? FileSystem.readString("\(parent)/\(file)"))?.trimmed() ?? ""
                        try FileSystem.write("\(dir)/\(file)", value)
                    }
                }
            } else if errno != EEXIST {
                throw KernelError("mkdir", [dir])
            }
        }
        return dir
    }

    /// Move an existing process into the container's cgroup (write to cgroup.procs):
    /// the fallback when clone3 is not available, and for joining a running container.
    public func place(pid: Int32, at path: String, only version: CgroupHierarchy.Version? = nil) throws {
        for h in hierarchies where version == nil || h.version == version {
            try FileSystem.write(h.mountPoint + path + "/cgroup.procs", "\(pid)\n", flags: O_WRONLY)
        }
    }

    /// The container's directory in each hierarchy.
    public func directories(for path: String) -> [String] {
        hierarchies.map { $0.mountPoint + path }
    }

    /// pids still in the container's cgroups.
    public func processes(at path: String) -> [Int32] {
        var pids = Set<Int32>()
        for dir in directories(for: path) {
            guard let text = try? FileSystem.readString(dir + "/cgroup.procs") else { continue }
            for line in text.split(separator: "\n") { if let p = Int32(line) { pids.insert(p) } }
        }
        return pids.sorted()
    }

    /// rmdir the directories we created, deepest first. A directory that still has
    /// children (another container under the same parent) is left alone.
    public static func remove(created: [String]) throws {
        // Created parents-first within each hierarchy, so reversed is children-first.
        for dir in created.reversed() {
            var tries = 0
            while rmdir(dir) != 0 {
                if errno == ENOENT || errno == ENOTEMPTY { break }
                // EBUSY: a process is still leaving the group; give it a moment.
                if errno == EBUSY && tries < 200 { tries += 1; usleep(5000); continue }
                if errno == EBUSY && dir.split(separator: "/").count > 0 {
                    // A parent shared with a live container is busy by design: not an error.
                    if !FileSystem.listDirectory(dir).filter({ !$0.contains(".") }).isEmpty { break }
                }
                throw KernelError("rmdir", [dir])
            }
        }
    }
}

