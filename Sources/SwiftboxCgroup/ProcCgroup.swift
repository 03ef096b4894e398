// /proc/PID/cgroup (cgroups(7)): one "hierarchy-ID:controller-list:cgroup-path" line
// per hierarchy, e.g. "4:memory:/user.slice" (v1) and "0::/init.scope" (v2, empty
// controller list). Used to keep limits off the caller's own cgroup: a container
// path that is the runtime's cgroup, or one of its ancestors, would limit the runtime
// itself and every process beside it.
import SwiftboxKernel

public enum ProcCgroup {
    public struct Entry: Equatable, Sendable {
        public var hierarchyID: Int
        /// v1: the controllers ("cpu", "cpuacct", "name=systemd"); v2: empty.
        public var controllers: [String]
        public var path: String
    }

    /// Lines of another shape are skipped; a path may itself contain ':'.
    public static func parse(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3, let id = Int(f[0]), f[2].hasPrefix("/") else { return nil }
            return Entry(hierarchyID: id, controllers: f[1].split(separator: ",").map(String.init), path: String(f[2]))
        }
    }

    /// The caller's cgroup path in `h` (v1: by controller; v2: the "0::" line).
    public static func path(in h: CgroupHierarchy, entries: [Entry]) -> String? {
        if h.version == .v2 { return entries.first { $0.hierarchyID == 0 && $0.controllers.isEmpty }?.path }
        return entries.first { !$0.controllers.isEmpty && Set($0.controllers) == Set(h.controllers) }?.path
    }

    /// Is `container` the same cgroup as `own`, or an ancestor of it?
    public static func contains(_ container: String, _ own: String) -> Bool {
        let c = container.split(separator: "/")
        let o = own.split(separator: "/")
        return c.count <= o.count && Array(o.prefix(c.count)) == c
    }
}
