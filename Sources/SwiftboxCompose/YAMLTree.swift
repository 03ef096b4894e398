// The loader's own YAML tree: Yams' Node API gives each node its mark (line, column);
// we keep it, with the file name, on every node through interpolation, merging and
// `extends`, so that an error found late still points at the line the user wrote.
import Yams

public struct YNode: Sendable, Equatable {
    public indirect enum Value: Sendable, Equatable {
        /// A scalar's text, and whether it was written quoted (then it is always a string).
        case scalar(String, quoted: Bool)
        case null
        case map([(String, YNode)])
        case seq([YNode])

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case let (.scalar(x, q1), .scalar(y, q2)): return x == y && q1 == q2
            case (.null, .null): return true
            case let (.map(x), .map(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            case let (.seq(x), .seq(y)): return x == y
            default: return false
            }
        }
    }
    public var value: Value
    public var loc: SourceLocation
    /// The YAML tag when one was written (`!reset`, `!override`).
    public var tag: String?

    public init(_ value: Value, _ loc: SourceLocation, tag: String? = nil) {
        self.value = value
        self.loc = loc
        self.tag = tag
    }

    public var scalar: String? { if case .scalar(let s, _) = value { return s }; return nil }
    public var isNull: Bool { if case .null = value { return true }; return false }
    public var mapping: [(String, YNode)]? { if case .map(let m) = value { return m }; return nil }
    public var sequence: [YNode]? { if case .seq(let s) = value { return s }; return nil }
    public subscript(key: String) -> YNode? { mapping?.first { $0.0 == key }?.1 }

    public var kindName: String {
        switch value {
        case .scalar: return "a string"
        case .null: return "null"
        case .map: return "a mapping"
        case .seq: return "a list"
        }
    }

    /// Replace or add a key in a mapping node.
    public mutating func set(_ key: String, _ node: YNode?) {
        guard case .map(var m) = value else { return }
        if let i = m.firstIndex(where: { $0.0 == key }) {
            if let node { m[i].1 = node } else { m.remove(at: i) }
        } else if let node {
            m.append((key, node))
        }
        value = .map(m)
    }
}

public enum YAMLTree {
    /// Parse one document; YAML syntax errors become ComposeErrors with the file and line.
    public static func parse(_ text: String, file: String) throws -> YNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw syntaxError(e, file: file)
        }
        guard let root else { return YNode(.map([]), SourceLocation(file: file, line: 1, column: 1)) }
        return try convert(root, file: file)
    }

    static func syntaxError(_ e: YamlError, file: String) -> ComposeError {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let ctx = context.map { "\($0.text) " } ?? ""
            return ComposeError("YAML syntax: \(ctx)\(problem)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        default:
            return ComposeError("YAML syntax: \(e)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    static func loc(_ mark: Mark?, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0)
    }

    static func convert(_ node: Node, file: String) throws -> YNode {
        let here = loc(node.mark, file)
        let tagName = node.tag.description
        let explicitTag = tagName.hasPrefix("!") && !tagName.hasPrefix("!!") ? tagName : nil
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded
            if !quoted && ["", "~", "null", "Null", "NULL"].contains(s.string) { return YNode(.null, here, tag: explicitTag) }
            return YNode(.scalar(s.string, quoted: quoted), here, tag: explicitTag)
        case .sequence(let seq):
            return YNode(.seq(try seq.map { try convert($0, file: file) }), here, tag: explicitTag)
        case .mapping(let map):
            var pairs: [(String, YNode)] = []
            var merged: [(String, YNode)] = []
            for (k, v) in map {
                guard let key = k.scalar?.string else {
                    throw ComposeError("mapping keys must be strings", at: loc(k.mark, file))
                }
                // YAML merge keys (`<<: *defaults`), common with x- anchors: the mapping's own
                // keys win over merged ones, and earlier merged mappings over later ones.
                if key == "<<" && k.scalar?.style != .singleQuoted && k.scalar?.style != .doubleQuoted {
                    let sources = v.sequence.map { Array($0) } ?? [v]
                    for src in sources {
                        guard case .map(let m) = try convert(src, file: file).value else {
                            throw ComposeError("a merge key (<<) needs a mapping or a list of mappings", at: loc(v.mark, file))
                        }
                        for (mk, mv) in m where !merged.contains(where: { $0.0 == mk }) { merged.append((mk, mv)) }
                    }
                    continue
                }
                if pairs.contains(where: { $0.0 == key }) {
                    throw ComposeError("mapping key \"\(key)\" already defined", at: loc(k.mark, file))
                }
                pairs.append((key, try convert(v, file: file)))
            }
            for (mk, mv) in merged where !pairs.contains(where: { $0.0 == mk }) { pairs.append((mk, mv)) }
            return YNode(.map(pairs), here, tag: explicitTag)
        }
    }
}
