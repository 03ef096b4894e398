// The patterns of ${V#pat} ${V%pat} ${V/pat/repl}: `*` any run of characters, `?` one
// character, a backslash makes `*`, `?` or `\` literal. As in BuildKit there are no
// bracket expressions, and `\}` or `\/` (needed to write those inside ${…}) mean the
// character itself. Matching is POSIX's: # and % take the shortest match, ## and %%
// the longest; / replaces the leftmost longest match (// every one).

struct ShellPattern {
    struct Invalid: Error { var message: String }

    private enum Token: Equatable {
        case literal(Unicode.Scalar)
        case anyOne
        case anyRun
    }

    private let tokens: [Token]

    init(_ pattern: String) throws {
        var tokens: [Token] = []
        var iterator = pattern.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            switch scalar {
            case "*": tokens.append(.anyRun)
            case "?": tokens.append(.anyOne)
            case "\\":
                guard let escaped = iterator.next() else {
                    tokens.append(.literal("\\"))  // a trailing backslash is itself
                    break
                }
                guard "*?\\}/".unicodeScalars.contains(escaped) else {
                    throw Invalid(message: "invalid escape '\\\(Character(escaped))'")
                }
                tokens.append(.literal(escaped))
            default:
                tokens.append(.literal(scalar))
            }
        }
        self.tokens = tokens
    }

    /// Whether the whole of `subject` matches.
    private func matches(_ subject: ArraySlice<Unicode.Scalar>) -> Bool {
        matches(tokenIndex: 0, subject[...])
    }

    private func matches(tokenIndex: Int, _ subject: ArraySlice<Unicode.Scalar>) -> Bool {
        guard tokenIndex < tokens.count else { return subject.isEmpty }
        switch tokens[tokenIndex] {
        case .literal(let scalar):
            guard subject.first == scalar else { return false }
            return matches(tokenIndex: tokenIndex + 1, subject.dropFirst())
        case .anyOne:
            guard !subject.isEmpty else { return false }
            return matches(tokenIndex: tokenIndex + 1, subject.dropFirst())
        case .anyRun:
            var rest = subject
            while true {
                if matches(tokenIndex: tokenIndex + 1, rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
    }

    func removingPrefix(of value: String, longest: Bool) -> String {
        let scalars = Array(value.unicodeScalars)
        let lengths = longest ? Array((0...scalars.count).reversed()) : Array(0...scalars.count)
        for length in lengths where matches(scalars[0..<length]) {
            return String(String.UnicodeScalarView(scalars[length...]))
        }
        return value
    }

    func removingSuffix(of value: String, longest: Bool) -> String {
        let scalars = Array(value.unicodeScalars)
        let starts = longest ? Array(0...scalars.count) : Array((0...scalars.count).reversed())
        for start in starts where matches(scalars[start...]) {
            return String(String.UnicodeScalarView(scalars[..<start]))
        }
        return value
    }

    func replacing(in value: String, with replacement: String, all: Bool) -> String {
        let scalars = Array(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        var start = 0
        var replacedOnce = false
        while start <= scalars.count {
            if !(replacedOnce && !all), let end = longestMatch(in: scalars, from: start) {
                out.append(contentsOf: replacement.unicodeScalars)
                replacedOnce = true
                if end > start {
                    start = end
                    continue
                }
            }
            guard start < scalars.count else { break }
            out.append(scalars[start])
            start += 1
        }
        return String(out)
    }

    /// The end of the longest match starting at `start`, if any.
    private func longestMatch(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        for end in stride(from: scalars.count, through: start, by: -1) where matches(scalars[start..<end]) {
            return end
        }
        return nil
    }
}
