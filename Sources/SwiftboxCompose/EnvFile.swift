// .env files (the project's, --env-file, and a service's env_file:), in the format
// Compose documents: NAME=VALUE lines, `#` comments, an optional `export ` prefix,
// single quotes taken literally, double quotes with \n \t \" escapes, unquoted values
// trimmed and ended by ` #`; `${VAR}` inside unquoted and double-quoted values refers to
// variables defined earlier in the file or in the lookup.

public enum EnvFile {
    public static func parse(_ text: String, file: String, lookup: @escaping (String) -> String? = { _ in nil }) throws -> [(String, String?)] {
        var out: [(String, String?)] = []
        var known: [String: String] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0[...]) }
        var i = 0
        while i < lines.count {
            let lineNo = i + 1
            var line = lines[i].trimmingSpaces
            i += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingSpaces }
            guard let eq = line.firstIndex(where: { $0 == "=" }) else {
                // A bare NAME takes its value from the environment (env_file semantics).
                let name = line
                guard isName(name) else { throw ComposeError("unexpected character in variable name \"\(line)\"", at: SourceLocation(file: file, line: lineNo, column: 1)) }
                out.append((name, lookup(name)))
                continue
            }
            let name = String(line[..<eq]).trimmingSpaces
            guard isName(name) else { throw ComposeError("invalid variable name \"\(name)\"", at: SourceLocation(file: file, line: lineNo, column: 1)) }
            var raw = String(line[line.index(after: eq)...]).trimmingSpaces
            var value: String
            if raw.hasPrefix("'") || raw.hasPrefix("\"") {
                let q = raw.first!
                // Quoted values may span lines.
                while !closes(raw, quote: q) && i < lines.count { raw += "\n" + lines[i]; i += 1 }
                guard closes(raw, quote: q) else { throw ComposeError("unterminated quoted value for \(name)", at: SourceLocation(file: file, line: lineNo, column: 1)) }
                let inner = String(raw.dropFirst())
                let end = inner.lastIndex(of: q)!
                value = String(inner[..<end])
                if q == "\"" {
                    value = unescape(value)
                    value = try interpolate(value, known: known, lookup: lookup, file: file, line: lineNo)
                }
            } else {
                if let hash = raw.range(of: " #") { raw = String(raw[..<hash.lowerBound]).trimmingSpaces }
                value = try interpolate(raw, known: known, lookup: lookup, file: file, line: lineNo)
            }
            known[name] = value
            out.append((name, value))
        }
        return out
    }

    static func closes(_ raw: String, quote: Character) -> Bool {
        guard raw.count >= 2 else { return false }
        var escaped = false
        for c in raw.dropFirst() {
            if escaped { escaped = false; continue }
            if c == "\\" && quote == "\"" { escaped = true; continue }
            if c == quote { return true }
        }
        return false
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    static func interpolate(_ s: String, known: [String: String], lookup: @escaping (String) -> String?, file: String, line: Int) throws -> String {
        var interp = Interpolator { known[$0] ?? lookup($0) }
        return try interp.substitute(s, at: SourceLocation(file: file, line: line, column: 1))
    }

    static func isName(_ s: String) -> Bool {
        guard let f = s.first, f == "_" || f.isLetter else { return false }
        return s.allSatisfy { $0 == "_" || $0 == "." || $0 == "-" || (($0.isLetter || $0.isNumber) && $0.isASCII) }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
