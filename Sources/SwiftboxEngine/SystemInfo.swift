// `swiftbox info` and `swiftbox version` (and the Docker API's /info and /version):
// what this machine and this root hold, in the shape and under the names of Docker's
// types (api/types.Info, types.Version), so `--format '{{.CgroupVersion}}'` and
// `{{json .}}` give what they give against dockerd. There is no daemon: the "server"
// is this engine on this root, and its version is swiftbox's.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxCgroup
import SwiftboxImage
import SwiftboxKernel

public struct SystemInfo: Codable, Equatable, Sendable {
    public var ID: String
    public var Containers: Int
    public var ContainersRunning: Int
    public var ContainersPaused: Int
    public var ContainersStopped: Int
    public var Images: Int
    public var Driver: String
    public var DriverStatus: [[String]]
    public var MemoryLimit: Bool
    public var SwapLimit: Bool
    public var CpuCfsPeriod: Bool
    public var CpuCfsQuota: Bool
    public var PidsLimit: Bool
    public var IPv4Forwarding: Bool
    public var Debug: Bool
    public var SystemTime: String
    public var LoggingDriver: String
    public var CgroupDriver: String
    public var CgroupVersion: String
    public var KernelVersion: String
    public var OperatingSystem: String
    public var OSVersion: String
    public var OSType: String
    public var Architecture: String
    public var IndexServerAddress: String
    public var NCPU: Int
    public var MemTotal: Int64
    public var DockerRootDir: String
    public var Name: String
    public var Labels: [String]
    public var ExperimentalBuild: Bool
    public var ServerVersion: String
    public var Runtimes: [String: [String: String]]
    public var DefaultRuntime: String
    public var LiveRestoreEnabled: Bool
    public var SecurityOptions: [String]
}

public struct VersionInfo: Codable, Equatable, Sendable {
    public struct Component: Codable, Equatable, Sendable {
        public var Name: String
        public var Version: String
        public var Details: [String: String]
    }
    public struct Platform: Codable, Equatable, Sendable {
        public var Name: String
        public init(Name: String) { self.Name = Name }
    }
    public var Platform: Platform
    public var Components: [Component]
    public var Version: String
    public var ApiVersion: String
    public var MinAPIVersion: String
    public var GitCommit: String
    public var GoVersion: String
    public var Os: String
    public var Arch: String
    public var KernelVersion: String
    public var BuildTime: String
}

extension Engine {
    /// The Docker Engine API version a Docker client is told (what Debian's docker 20.10 speaks).
    public static let apiVersion = "1.41"

    public func info(version: String) throws -> SystemInfo {
        let all = list()
        let running = all.filter { $0.1.status == .running }
        let paused = running.filter { isPaused($0.0.id) }.count
        let index = try images.readIndex()
        let cgroups = CgroupManager.shared
        let hasV1 = { (c: String) in cgroups.hierarchies.contains { $0.version == .v1 && $0.controllers.contains(c) } }
        let hasV2 = cgroups.hierarchies.contains { $0.version == .v2 }
        let os = Self.osRelease()
        let u = Self.uname()
        return SystemInfo(
            ID: try engineID(), Containers: all.count, ContainersRunning: running.count - paused, ContainersPaused: paused,
            ContainersStopped: all.count - running.count,
            Images: index.images.values.filter { $0.intermediate != true }.count,
            Driver: "overlay2",
            DriverStatus: [["Backing Filesystem", Self.backingFilesystem(root)], ["Supports d_type", "true"],
                           ["Native Overlay Diff", "true"], ["userxattr", "false"]],
            MemoryLimit: hasV1("memory") || hasV2, SwapLimit: hasV1("memory") || hasV2,
            CpuCfsPeriod: hasV1("cpu") || hasV2, CpuCfsQuota: hasV1("cpu") || hasV2, PidsLimit: hasV1("pids") || hasV2,
            IPv4Forwarding: (try? FileSystem.readString("/proc/sys/net/ipv4/ip_forward"))?.trimmed() == "1",
            Debug: false, SystemTime: Clock.rfc3339(nanoseconds: true), LoggingDriver: "json-file",
            CgroupDriver: "cgroupfs", CgroupVersion: cgroups.layout == .v2 ? "2" : "1",
            KernelVersion: u.release, OperatingSystem: os["PRETTY_NAME"] ?? "Linux", OSVersion: os["VERSION_ID"] ?? "",
            OSType: "linux", Architecture: u.machine, IndexServerAddress: "https://index.docker.io/v1/",
            NCPU: sysconf(Int32(_SC_NPROCESSORS_ONLN)), MemTotal: Self.memTotal(), DockerRootDir: root,
            Name: u.nodename, Labels: [], ExperimentalBuild: false, ServerVersion: version,
            Runtimes: ["swiftbox": ["path": executable]], DefaultRuntime: "swiftbox", LiveRestoreEnabled: true,
            SecurityOptions: ["name=seccomp,profile=default"] + (cgroups.layout == .v2 ? ["name=cgroupns"] : []))
    }

    public func version(_ version: String) -> VersionInfo {
        let u = Self.uname()
        let arch = u.machine == "x86_64" ? "amd64" : (u.machine == "aarch64" ? "arm64" : u.machine)
        return VersionInfo(
            Platform: .init(Name: "swiftbox"),
            Components: [.init(Name: "Engine", Version: version,
                               Details: ["ApiVersion": Self.apiVersion, "MinAPIVersion": "1.24", "Os": "linux", "Arch": arch,
                                         "KernelVersion": u.release, "Experimental": "false"])],
            Version: version, ApiVersion: Self.apiVersion, MinAPIVersion: "1.24", GitCommit: "", GoVersion: "",
            Os: "linux", Arch: arch, KernelVersion: u.release, BuildTime: "")
    }

    /// A stable ID for this root (Docker's daemon ID): made once, kept in <root>/engine-id.
    func engineID() throws -> String {
        let path = root + "/engine-id"
        if let id = try? FileSystem.readString(path).trimmed(), !id.isEmpty { return id }
        let hex = Array(EngineStore.newID())
        // Docker's form: a UUID.
        let id = [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]].map { String($0) }.joined(separator: "-")
        try FileSystem.makeDirectories(root, mode: 0o700)
        try FileSystem.writeAtomically(path, Array(id.utf8), mode: 0o600)
        return (try? FileSystem.readString(path).trimmed()) ?? id
    }

    static func osRelease() -> [String: String] {
        var out: [String: String] = [:]
        for line in ((try? FileSystem.readString("/etc/os-release")) ?? "").split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var v = String(line[line.index(after: eq)...])
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            out[String(line[..<eq])] = v
        }
        return out
    }

    static func uname() -> (release: String, machine: String, nodename: String) {
        var u = utsname()
        Glibc.uname(&u)
        func text<T>(_ field: inout T) -> String {
            withUnsafePointer(to: &field) { $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout<T>.size) { String(cString: $0) } }
        }
        return (text(&u.release), text(&u.machine), text(&u.nodename))
    }

    static func memTotal() -> Int64 {
        let text = (try? FileSystem.readString("/proc/meminfo")) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
              let kb = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }

    /// Docker's names for the file system under the root ("extfs" for ext2/3/4), from
    /// the mount that holds it (the longest mount point that is a prefix of the path).
    static func backingFilesystem(_ path: String) -> String {
        let entries = Mountinfo.parse((try? FileSystem.readString("/proc/self/mountinfo")) ?? "")
        let holder = entries.filter { path == $0.mountPoint || path.hasPrefix($0.mountPoint == "/" ? "/" : $0.mountPoint + "/") }
            .max { $0.mountPoint.count < $1.mountPoint.count }
        switch holder?.fsType ?? "unknown" {
        case "ext2", "ext3", "ext4": return "extfs"
        case let other: return other
        }
    }
}
