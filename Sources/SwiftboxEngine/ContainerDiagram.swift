// `swiftbox inspect --diagram CONTAINER`: what one container is made of, as Graphviz
// DOT — its root filesystem as a stack (the image's layers, read-only and shared, the
// container's own upper directory, the overlay mount, volumes and binds on top), its
// namespaces (its own, with the kernel's inode numbers, or shared with the host or
// another container), and its cgroup with the limits written there. The model is
// gathered by Engine.containerDiagram; the drawing is pure, for a golden file.
import SwiftboxCgroup
import SwiftboxKernel
import SwiftboxOCI

public struct ContainerDiagram: Equatable, Sendable {
    public struct Layer: Equatable, Sendable {
        public var chainID: String
        public var directory: String
        public init(chainID: String, directory: String) { self.chainID = chainID; self.directory = directory }
    }

    public struct Namespace: Equatable, Sendable {
        public var type: String          // net, pid, mnt, uts, ipc, cgroup, user
        public var inode: String?        // "4026532210"; nil when not running
        /// nil: its own; otherwise whose it is ("the host", "container db").
        public var sharedWith: String?
        public init(type: String, inode: String?, sharedWith: String?) { self.type = type; self.inode = inode; self.sharedWith = sharedWith }
    }

    public var id: String
    public var name: String
    public var image: String
    public var running: Bool
    /// Bottom layer first.
    public var layers: [Layer]
    public var containerDir: String
    public var mounts: [ContainerMount]
    public var namespaces: [Namespace]
    public var cgroupDirectories: [String]
    /// "memory.max = 67108864", in the order they are written.
    public var limits: [String]

    public init(id: String, name: String, image: String, running: Bool, layers: [Layer], containerDir: String, mounts: [ContainerMount],
                namespaces: [Namespace], cgroupDirectories: [String], limits: [String]) {
        self.id = id
        self.name = name
        self.image = image
        self.running = running
        self.layers = layers
        self.containerDir = containerDir
        self.mounts = mounts
        self.namespaces = namespaces
        self.cgroupDirectories = cgroupDirectories
        self.limits = limits
    }

    public var dot: String {
        let l = NetworkDiagram.lines
        var out = """
            // swiftbox inspect --diagram (render: dot -Tsvg)
            digraph swiftbox_container {
              graph [rankdir=TB, fontname="monospace", fontsize=11, label=\(quote("container \(name) (\(id.prefix(12))), image \(image)\(running ? ", running" : ", not running")")), labelloc=t];
              node [shape=box, fontname="monospace", fontsize=10];
              edge [fontname="monospace", fontsize=9];
              subgraph cluster_rootfs {
                label="root filesystem: overlay (mount -t overlay)";

            """
        // Top of the stack first, so the picture reads like the mount: what is on top wins.
        var stack: [(String, String)] = []
        for (i, m) in mounts.enumerated().reversed() {
            let kind = m.type == .volume ? "volume \(m.source)" : m.type == .bind ? "bind \(m.source)" : "tmpfs"
            stack.append(("mount\(i)", l(["\(m.target)", kind + (m.readOnly ? " (ro)" : " (rw)")])))
        }
        stack.append(("rootfs", l(["\(containerDir)/rootfs", "the merged view: the container's /"])))
        stack.append(("upper", l(["upperdir \(containerDir)/upper", "the container's writes (copy-up); workdir beside it"])))
        for (i, layer) in layers.enumerated().reversed() {
            stack.append(("layer\(i)", l(["lowerdir \(i + 1): chain \(layer.chainID.prefix(19))…", layer.directory, "read-only, shared by every container of the image"])))
        }
        for (node, label) in stack {
            let style = node.hasPrefix("layer") ? ", style=filled, fillcolor=\"#eeeeee\"" : node.hasPrefix("mount") ? ", style=rounded" : ""
            out += "    \(node) [label=\"\(label)\"\(style)];\n"
        }
        for (a, b) in zip(stack, stack.dropFirst()) { out += "    \(a.0) -> \(b.0) [arrowhead=none];\n" }
        out += "  }\n"
        out += "  subgraph cluster_namespaces {\n    label=\"namespaces (ls -l /proc/PID/ns)\";\n"
        for ns in namespaces {
            let whose = ns.sharedWith.map { "shared with \($0)" } ?? "its own"
            let inode = ns.inode.map { "\(ns.type):[\($0)]" } ?? ns.type
            out += "    ns_\(ns.type) [label=\"\(l([inode, whose]))\"\(ns.sharedWith == nil ? "" : ", style=dashed")];\n"
        }
        out += "  }\n"
        out += "  subgraph cluster_cgroup {\n    label=\"cgroup\";\n"
        out += "    cgroup [label=\"\(l(cgroupLines + (limits.isEmpty ? ["no limits"] : limits)))\"];\n  }\n"
        // Invisible edges keep the three groups in a row.
        if let top = stack.first?.0, let ns = namespaces.first?.type { out += "  \(top) -> ns_\(ns) [style=invis];\n  ns_\(ns) -> cgroup [style=invis];\n" }
        return out + "}\n"
    }

    /// The container's cgroup directories: one path under each hierarchy (a hybrid
    /// host has a dozen), written once with the hierarchies it is under.
    var cgroupLines: [String] {
        guard let first = cgroupDirectories.first, let cut = first.range(of: "/swiftbox/") else { return cgroupDirectories }
        let path = String(first[cut.lowerBound...])
        let roots = cgroupDirectories.compactMap { $0.hasSuffix(path) ? String($0.dropLast(path.count)) : nil }
        guard roots.count == cgroupDirectories.count else { return cgroupDirectories }
        var out = [path, "under:"]
        var i = 0
        while i < roots.count { out.append("  " + roots[i..<min(i + 3, roots.count)].joined(separator: " ")); i += 3 }
        return out
    }

    func quote(_ s: String) -> String { "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" }
}
