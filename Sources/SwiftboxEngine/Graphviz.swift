// SVG from DOT through Graphviz's `dot -Tsvg` (Debian's graphviz package), when it is
// installed: swiftbox draws its diagrams as DOT text itself and leaves the layout to
// the tool made for it.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel
import SwiftboxNetwork

public enum Graphviz {
    public static let dot = "/usr/bin/dot"

    public static func svg(_ text: String) throws -> String {
        guard access(dot, X_OK) == 0 else {
            throw EngineError.failed("--format svg needs Graphviz's dot (\(dot)), which is not installed: apt-get install graphviz, or print DOT (--format dot) and render it elsewhere")
        }
        let out = "/tmp/swiftbox-diagram-\(getpid()).svg"
        defer { unlink(out) }
        let (status, err) = try Subprocess.run([dot, "-Tsvg"], input: Array(text.utf8), stdout: out)
        guard status == 0 else { throw EngineError.failed("dot -Tsvg failed (status \(status)): \(err.trimmed())") }
        return try FileSystem.readString(out)
    }
}

extension Engine {
    /// The DOT of the named bridge networks (all when none is named) and the
    /// containers on them, as they are now (NetworkDiagram).
    public func networkDiagram(_ refs: [String]) throws -> String {
        let nets = networks
        let chosen = refs.isEmpty ? nets.store.all() : try refs.map { try nets.store.find($0) }
        let containers = list().map { c, s in
            NetworkDiagram.Container(id: c.id, name: c.name, running: s.status == .running, networkIDs: (c.networks ?? []).map(\.networkID))
        }
        return NetworkDiagram.dot(networks: chosen, containers: containers, ports: nets.store.ports(), table: nets.firewall.table)
    }
}
