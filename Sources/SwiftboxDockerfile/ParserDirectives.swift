// Parser directives: `# name=value` comments at the very top of the file. Only syntax,
// escape and check are directives; the first line that is not one (another comment, a
// blank line, an instruction, an unknown `# name=value`) ends them, and later
// directive-looking lines are plain comments. Names are case-insensitive; each may
// appear once.

struct ParserDirectives {
    var escape: Unicode.Scalar = "\\"
    var syntax: String?
    var check: String?
    private var done = false
    private var seen: Set<String> = []

    /// Looks at one line (leading blanks already stripped when it starts an
    /// instruction). Returns true when it was a directive.
    mutating func consider(_ line: String) throws -> Bool {
        if done { return false }
        guard let (name, value) = Self.directive(in: line) else {
            done = true
            return false
        }
        guard ["syntax", "escape", "check"].contains(name) else {
            done = true
            return false
        }
        guard seen.insert(name).inserted else {
            throw ParseFailure("only one \(name) parser directive can be used")
        }
        switch name {
        case "escape":
            guard value == "`" || value == "\\" else {
                throw ParseFailure("invalid escape token '\(value)' does not match ` or \\")
            }
            escape = value.unicodeScalars.first!
        case "syntax": syntax = value
        default: check = value
        }
        return true
    }

    /// `#`, blanks, a name (a letter, then letters and digits), `=` with optional blanks
    /// around it, a non-empty value (trailing blanks dropped). The name lowercased.
    static func directive(in line: String) -> (name: String, value: String)? {
        var scalars = Substring(line).unicodeScalars[...]
        guard scalars.first == "#" else { return nil }
        scalars = scalars.dropFirst().drop(while: isBlank)
        let name = scalars.prefix { $0.isASCII && (Character($0).isLetter || Character($0).isNumber) }
        guard let first = name.first, Character(first).isLetter else { return nil }
        scalars = scalars.dropFirst(name.count).drop(while: isBlank)
        guard scalars.first == "=" else { return nil }
        let value = String(scalars.dropFirst()).trimmingBlanks
        guard !value.isEmpty else { return nil }
        return (String(name).lowercased(), value)
    }
}
