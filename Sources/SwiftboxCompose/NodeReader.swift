// Typed reads from the YAML tree, each failing with the file, line and key path of the
// node that is wrong. Scalars are accepted for numbers and booleans in both plain and
// quoted form, because interpolation produces strings ("${PORT:-80}" → "80").

struct NodeReader {
    var warnings = ComposeWarnings()

    func fail(_ node: YNode, _ path: String, _ message: String) -> ComposeError {
        ComposeError(message, at: node.loc, key: path)
    }

    /// A mapping's entries, refusing keys outside `allowed` (x- extensions are skipped).
    func mapping(_ node: YNode, _ path: String, allowed: Set<String>? = nil) throws -> [(String, YNode)] {
        guard let m = node.mapping else { throw fail(node, path, "must be a mapping, not \(node.kindName)") }
        var out: [(String, YNode)] = []
        for (k, v) in m {
            if k.hasPrefix("x-") { continue }
            if let allowed, !allowed.contains(k) {
                throw fail(v, path.isEmpty ? k : path + "." + k, "additional property \(k) is not allowed")
            }
            out.append((k, v))
        }
        return out
    }

    func string(_ node: YNode, _ path: String) throws -> String {
        guard let s = node.scalar else { throw fail(node, path, "must be a string, not \(node.kindName)") }
        return s
    }

    func optionalString(_ node: YNode, _ path: String) throws -> String? {
        node.isNull ? nil : try string(node, path)
    }

    func int(_ node: YNode, _ path: String) throws -> Int {
        guard let s = node.scalar, let n = Int(s) ?? (s.hasPrefix("0o") ? Int(s.dropFirst(2), radix: 8) : nil) else {
            throw fail(node, path, "must be an integer, not \(node.scalar.map { "\"\($0)\"" } ?? node.kindName)")
        }
        return n
    }

    func double(_ node: YNode, _ path: String) throws -> Double {
        guard let s = node.scalar, let n = Double(s) else { throw fail(node, path, "must be a number, not \(node.scalar.map { "\"\($0)\"" } ?? node.kindName)") }
        return n
    }

    func bool(_ node: YNode, _ path: String) throws -> Bool {
        switch node.scalar?.lowercased() {
        case "true"?: return true
        case "false"?: return false
        default: throw fail(node, path, "must be a boolean, not \(node.scalar.map { "\"\($0)\"" } ?? node.kindName)")
        }
    }

    /// A string or a list of strings.
    func stringOrList(_ node: YNode, _ path: String) throws -> [String] {
        if node.scalar != nil { return [try string(node, path)] }
        return try list(node, path)
    }

    func list(_ node: YNode, _ path: String) throws -> [String] {
        guard let seq = node.sequence else { throw fail(node, path, "must be a list, not \(node.kindName)") }
        return try seq.enumerated().map { try string($1, "\(path)[\($0)]") }
    }

    /// A list of unique strings (cap_add, profiles, …).
    func uniqueList(_ node: YNode, _ path: String) throws -> [String] {
        let items = try list(node, path)
        var seen = Set<String>()
        for (i, s) in items.enumerated() where !seen.insert(s).inserted {
            throw fail(node.sequence![i], "\(path)[\(i)]", "\"\(s)\" is listed twice")
        }
        return items
    }

    /// A mapping of strings, or a list of "KEY=VALUE" (also "KEY" alone: value nil).
    func keyValues(_ node: YNode, _ path: String, separator: Character = "=") throws -> [(String, String?)] {
        if let m = node.mapping {
            return try m.map { (k, v) in
                if v.isNull { return (k, nil) }
                guard let s = v.scalar else { throw fail(v, path + "." + k, "must be a string, number or boolean, not \(v.kindName)") }
                return (k, s)
            }
        }
        guard let seq = node.sequence else { throw fail(node, path, "must be a mapping or a list, not \(node.kindName)") }
        return try seq.enumerated().map { (i, item) in
            let s = try string(item, "\(path)[\(i)]")
            guard let sep = s.firstIndex(of: separator) else { return (s, nil) }
            return (String(s[..<sep]), String(s[s.index(after: sep)...]))
        }
    }

    func stringMap(_ node: YNode, _ path: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in try keyValues(node, path) { out[k] = v ?? "" }
        return out
    }

    /// A duration as Compose writes them: "1m30s", "10s", "500ms", "1h", "2.5s"; a bare
    /// number is seconds. Returns seconds.
    func duration(_ node: YNode, _ path: String) throws -> Double {
        let s = try string(node, path)
        guard let d = NodeReader.parseDuration(s) else { throw fail(node, path, "invalid duration \"\(s)\" (expected e.g. 30s, 1m30s, 500ms)") }
        return d
    }

    static func parseDuration(_ s: String) -> Double? {
        if let n = Double(s) { return n }
        var total = 0.0
        var number = ""
        var i = s.startIndex
        var any = false
        while i < s.endIndex {
            let c = s[i]
            if c.isNumber || c == "." { number.append(c); i = s.index(after: i); continue }
            var unit = ""
            while i < s.endIndex, s[i].isLetter || s[i] == "µ" { unit.append(s[i]); i = s.index(after: i) }
            guard let n = Double(number) else { return nil }
            let scale: Double
            switch unit {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            case "ms": scale = 0.001
            case "us", "µs": scale = 0.000001
            case "ns": scale = 0.000000001
            default: return nil
            }
            total += n * scale
            number = ""
            any = true
        }
        return any && number.isEmpty ? total : nil
    }

    /// Bytes as Compose writes them: 512m, 1g, 1.5gb, 1024 (bytes).
    func bytes(_ node: YNode, _ path: String) throws -> Int64 {
        let s = try string(node, path)
        guard let n = NodeReader.parseBytes(s) else { throw fail(node, path, "invalid size \"\(s)\" (expected e.g. 512m, 1g)") }
        return n
    }

    static func parseBytes(_ text: String) -> Int64? {
        let lower = text.lowercased()
        let units: [(String, Double)] = [("kb", 1024), ("mb", 1_048_576), ("gb", 1_073_741_824), ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824), ("b", 1)]
        for (suffix, mult) in units where lower.hasSuffix(suffix) {
            return Double(lower.dropLast(suffix.count)).map { Int64($0 * mult) }
        }
        return Int64(lower)
    }
}
