// Go's filepath.Match, which COPY and ADD sources use ("*.txt", "src/[a-c]?.go"): `*`
// any run of characters but "/", `?` one such character, `[…]` a class (ranges, `^` or
// `!` to negate), `\` escapes the next character. Matched one path component at a time.
enum Glob {
    static func hasWildcards(_ pattern: String) -> Bool { pattern.contains { "*?[".contains($0) } }

    /// Does `name` (one path component) match `pattern` (one component)?
    static func match(_ pattern: String, _ name: String) -> Bool {
        match(Array(pattern), 0, Array(name), 0)
    }

    private static func match(_ p: [Character], _ pi: Int, _ s: [Character], _ si: Int) -> Bool {
        var pi = pi, si = si
        while pi < p.count {
            switch p[pi] {
            case "*":
                // Collapse runs of '*', then try every split point.
                while pi < p.count && p[pi] == "*" { pi += 1 }
                if pi == p.count { return true }
                for k in si...s.count where match(p, pi, s, k) { return true }
                return false
            case "?":
                guard si < s.count else { return false }
                pi += 1; si += 1
            case "[":
                guard si < s.count, let (matched, next) = matchClass(p, pi, s[si]) else { return false }
                guard matched else { return false }
                pi = next; si += 1
            case "\\" where pi + 1 < p.count:
                guard si < s.count, s[si] == p[pi + 1] else { return false }
                pi += 2; si += 1
            default:
                guard si < s.count, s[si] == p[pi] else { return false }
                pi += 1; si += 1
            }
        }
        return si == s.count
    }

    /// A bracket class at p[start] == "[": whether `c` is in it, and the index after "]".
    /// Nil for a malformed class (no closing bracket): then nothing matches, as Go says
    /// ErrBadPattern.
    private static func matchClass(_ p: [Character], _ start: Int, _ c: Character) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count && (p[i] == "^" || p[i] == "!") { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count && (p[i] != "]" || first) {
            first = false
            var lo = p[i]
            if lo == "\\" && i + 1 < p.count { i += 1; lo = p[i] }
            var hi = lo
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                hi = p[i + 2]
                if hi == "\\" && i + 3 < p.count { i += 1; hi = p[i + 2] }
                i += 2
            }
            if lo <= c && c <= hi { matched = true }
            i += 1
        }
        guard i < p.count else { return nil }
        return (matched != negate, i + 1)
    }
}
