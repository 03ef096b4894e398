// Which cgroup hierarchies this host has, read from /proc/self/mountinfo — never assumed.
// A host is one of:
//   - v2 (unified): one cgroup2 mount holding every controller (most current distributions);
//   - v1: one mount per controller or group of controllers;
//   - hybrid: v1 controller mounts plus a cgroup2 mount (often /sys/fs/cgroup/unified) that
//     holds the controllers v1 did not take.
// See cgroups(7).

public struct CgroupHierarchy: Equatable, Sendable, CustomStringConvertible {
    public enum Version: Equatable, Sendable { case v1, v2 }
    public var version: Version
    public var mountPoint: String
    /// v1: the controllers bound to this mount (e.g. ["cpu"], or ["name=systemd"] for a
    /// named hierarchy). v2: empty here; see cgroup.controllers at run time.
    public var controllers: [String]

    public init(version: Version, mountPoint: String, controllers: [String]) {
        self.version = version
        self.mountPoint = mountPoint
        self.controllers = controllers
    }

    public var description: String {
        version == .v2 ? "cgroup2 at \(mountPoint)" : "cgroup v1 [\(controllers.joined(separator: ","))] at \(mountPoint)"
    }
}

public enum CgroupLayout: Equatable, Sendable { case v1, v2, hybrid, none }

public enum Mountinfo {
    /// One line of /proc/PID/mountinfo (proc(5)).
    public struct Entry: Equatable, Sendable {
        public var root: String
        public var mountPoint: String
        public var fsType: String
        public var source: String
        public var superOptions: [String]
    }

    /// Parse mountinfo text. Lines that do not have the documented shape are skipped,
    /// so odd input never crashes the parser.
    /// Split on bytes, not Characters: the file is ASCII with octal escapes, and a
    /// grapheme-aware split cost ~0.3 ms per process here (every `run`'s monitor reads
    /// the cgroup mounts once, before the container's clone).
    public static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        let space = UInt8(ascii: " ")
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: space).map { String(decoding: $0, as: UTF8.self) }
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 3 else { continue }
            entries.append(Entry(root: unescape(fields[3]), mountPoint: unescape(fields[4]),
                                 fsType: fields[dash + 1], source: unescape(fields[dash + 2]),
                                 superOptions: fields.count > dash + 3
                                    ? fields[dash + 3].utf8.split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) } : []))
        }
        return entries
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo octal.
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count + 0, i + 3 <= bytes.count - 1 || i + 3 == bytes.count - 0,
               let v = UInt8(String(decoding: bytes[(i + 1)...min(i + 3, bytes.count - 1)], as: UTF8.self), radix: 8) {
                out.append(v)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The cgroup hierarchies among the mounts. Only the topmost mount at a mount
    /// point counts: a tmpfs mounted over a cgroup mount hides it.
    public static func cgroupHierarchies(_ entries: [Entry]) -> [CgroupHierarchy] {
        var top: [String: Entry] = [:]
        var order: [String] = []
        for e in entries {
            if top[e.mountPoint] == nil { order.append(e.mountPoint) }
            top[e.mountPoint] = e
        }
        let known: Set<String> = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio",
                                  "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc"]
        return order.compactMap { point in
            guard let e = top[point] else { return nil }
            if e.fsType == "cgroup2" { return CgroupHierarchy(version: .v2, mountPoint: point, controllers: []) }
            guard e.fsType == "cgroup" else { return nil }
            let ctrls = e.superOptions.filter { known.contains($0) || $0.hasPrefix("name=") }
            return ctrls.isEmpty ? nil : CgroupHierarchy(version: .v1, mountPoint: point, controllers: ctrls)
        }
    }

    public static func layout(_ hierarchies: [CgroupHierarchy]) -> CgroupLayout {
        let v1 = hierarchies.contains { $0.version == .v1 }
        let v2 = hierarchies.contains { $0.version == .v2 }
        switch (v1, v2) {
        case (true, true): return .hybrid
        case (true, false): return .v1
        case (false, true): return .v2
        case (false, false): return .none
        }
    }
}
