// Variable substitution in compose files, as the Compose spec defines it (interpolation.md):
//   $VAR  ${VAR}            the value, or "" with a warning when VAR is unset
//   ${VAR:-default}         default when VAR is unset or empty;  ${VAR-default}: only when unset
//   ${VAR:?message}         error when VAR is unset or empty;    ${VAR?message}: only when unset
//   ${VAR:+alternative}     alternative when VAR is set and not empty; ${VAR+alt}: when set
//   $$                      a literal $
// Defaults and alternatives may themselves contain substitutions: ${A:-${B:-x}}.
// Only values are interpolated, never keys.

public struct Interpolator {
    public var lookup: (String) -> String?
    public private(set) var warnings = ComposeWarnings()

    public init(lookup: @escaping (String) -> String?) { self.lookup = lookup }
    public init(environment: [String: String]) { self.lookup = { environment[$0] } }

    /// Interpolate every scalar value of a tree.
    public mutating func apply(_ node: YNode, path: String = "") throws -> YNode {
        var out = node
        switch node.value {
        case .scalar(let s, let quoted):
            out.value = .scalar(try substitute(s, at: node.loc, key: path), quoted: quoted)
        case .null:
            break
        case .map(let m):
            out.value = .map(try m.map { (k, v) in (k, try apply(v, path: path.isEmpty ? k : path + "." + k)) })
        case .seq(let s):
            out.value = .seq(try s.enumerated().map { try apply($1, path: "\(path)[\($0)]") })
        }
        return out
    }

    public mutating func substitute(_ text: String, at loc: SourceLocation? = nil, key: String? = nil) throws -> String {
        guard text.contains("$") else { return text }
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else { out.append(c); i += 1; continue }
            let next = chars[i + 1]
            if next == "$" { out.append("$"); i += 2; continue }
            if next == "{" {
                // Find the matching brace, counting nested ${…}.
                var depth = 1
                var j = i + 2
                while j < chars.count && depth > 0 {
                    if chars[j] == "{" { depth += 1 } else if chars[j] == "}" { depth -= 1 }
                    if depth > 0 { j += 1 }
                }
                guard j < chars.count else { throw ComposeError("invalid interpolation format for \"\(text)\": missing }", at: loc, key: key) }
                out += try expand(String(chars[(i + 2)..<j]), whole: text, loc: loc, key: key)
                i = j + 1
                continue
            }
            if next == "_" || next.isLetter {
                var j = i + 1
                while j < chars.count && (chars[j] == "_" || chars[j].isLetter || chars[j].isNumber) && chars[j].isASCII { j += 1 }
                let name = String(chars[(i + 1)..<j])
                out += value(of: name, loc: loc, key: key)
                i = j
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }

    mutating func value(of name: String, loc: SourceLocation?, key: String?) -> String {
        if let v = lookup(name) { return v }
        warnings.add("The \"\(name)\" variable is not set. Defaulting to a blank string.")
        return ""
    }

    /// The inside of ${…}.
    mutating func expand(_ body: String, whole: String, loc: SourceLocation?, key: String?) throws -> String {
        let chars = Array(body)
        var n = 0
        while n < chars.count && (chars[n] == "_" || ((chars[n].isLetter || chars[n].isNumber) && chars[n].isASCII)) { n += 1 }
        let name = String(chars[..<n])
        guard !name.isEmpty, !(chars[0].isNumber) else {
            throw ComposeError("invalid interpolation format for \"\(whole)\": \"${\(body)}\" is not a variable name", at: loc, key: key)
        }
        if n == chars.count { return value(of: name, loc: loc, key: key) }
        let rest = chars[n...]
        let colon = rest.first == ":"
        let opIndex = colon ? n + 1 : n
        guard opIndex < chars.count else { throw ComposeError("invalid interpolation format for \"\(whole)\"", at: loc, key: key) }
        let op = chars[opIndex]
        let arg = String(chars[(opIndex + 1)...])
        let current = lookup(name)
        let unsetOrEmpty = current == nil || current == ""
        let missing = colon ? unsetOrEmpty : current == nil
        switch op {
        case "-":
            return missing ? try substitute(arg, at: loc, key: key) : current!
        case "?":
            if missing {
                let msg = try substitute(arg, at: loc, key: key)
                throw ComposeError("required variable \(name) is missing a value: \(msg)", at: loc, key: key)
            }
            return current!
        case "+":
            return missing ? "" : try substitute(arg, at: loc, key: key)
        default:
            throw ComposeError("invalid interpolation format for \"\(whole)\": unknown operator \"\(colon ? ":" : "")\(op)\"", at: loc, key: key)
        }
    }
}
