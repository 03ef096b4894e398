// One .dockerignore pattern, as moby/patternmatcher reads it: `*` any run of characters
// but `/`, `?` one character but `/`, `[…]` a character class, `\` makes the next
// character literal, and `**` any number of directories: `**/` (or `**` inside a
// word) matches zero or more whole directories, a trailing `**` matches anything
// below. A pattern that starts with `**` and has no other wildcard is a plain suffix
// test ("**.go" matches every path ending in .go).

struct IgnorePattern {
    let text: String
    /// A `!` pattern: re-includes what it matches.
    let isException: Bool
    private let tokens: [Token]

    private enum Token {
        case literal(Unicode.Scalar)
        case runWithoutSlash
        case oneWithoutSlash
        case directories
        case anything
        case characterClass(negated: Bool, ranges: [ClosedRange<Unicode.Scalar>])
    }

    /// nil for a pattern that cannot match (a lone `!`, a broken class).
    init?(_ text: String, isException: Bool) {
        guard !text.isEmpty, let tokens = Self.compile(text) else { return nil }
        self.text = text
        self.isException = isException
        self.tokens = tokens
    }

    private static func compile(_ pattern: String) -> [Token]? {
        let scalars = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        var startsWithDoubleStar = false
        var hasOtherWildcards = false
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*":
                guard index < scalars.count, scalars[index] == "*" else {
                    tokens.append(.runWithoutSlash)
                    hasOtherWildcards = true
                    continue
                }
                if index == 1 { startsWithDoubleStar = true }
                index += 1
                if index < scalars.count, scalars[index] == "/" { index += 1 }
                tokens.append(index == scalars.count ? .anything : .directories)
            case "?":
                tokens.append(.oneWithoutSlash)
                hasOtherWildcards = true
            case "\\":
                hasOtherWildcards = true
                if index < scalars.count {
                    tokens.append(.literal(scalars[index]))
                    index += 1
                } else {
                    tokens.append(.literal("\\"))
                }
            case "[":
                hasOtherWildcards = true
                guard let (token, next) = characterClass(scalars, from: index) else { return nil }
                tokens.append(token)
                index = next
            default:
                tokens.append(.literal(scalar))
            }
        }
        // "**suffix" with a literal suffix not starting with "/": any path ending so.
        if startsWithDoubleStar && !hasOtherWildcards, case .directories = tokens.first,
           !pattern.hasPrefix("**/") {
            tokens[0] = .anything
        }
        return tokens
    }

    /// `[abc]`, `[a-z]`, `[^…]`, after the `[`; returns the index after `]`.
    private static func characterClass(_ scalars: [Unicode.Scalar], from start: Int) -> (Token, Int)? {
        var index = start
        var negated = false
        if index < scalars.count, scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var first = true
        while index < scalars.count {
            var low = scalars[index]
            if low == "]" && !first { return (.characterClass(negated: negated, ranges: ranges), index + 1) }
            first = false
            index += 1
            if low == "\\" {
                guard index < scalars.count else { return nil }
                low = scalars[index]
                index += 1
            }
            var high = low
            if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                high = scalars[index + 1]
                index += 2
                if high == "\\" {
                    guard index < scalars.count else { return nil }
                    high = scalars[index]
                    index += 1
                }
            }
            guard low <= high else { return nil }
            ranges.append(low...high)
        }
        return nil  // no closing bracket
    }

    /// Whether the whole of `path` matches.
    func matches(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        return match(0, scalars[...], prefixOnly: false)
    }

    /// Whether some path starting with `prefix` could match (for deciding whether to walk
    /// into a directory).
    func mayMatch(below prefix: String) -> Bool {
        match(0, Array(prefix.unicodeScalars)[...], prefixOnly: true)
    }

    /// With `prefixOnly`, running out of input counts as success: more could follow.
    private func match(_ tokenIndex: Int, _ input: ArraySlice<Unicode.Scalar>, prefixOnly: Bool) -> Bool {
        if prefixOnly && input.isEmpty { return true }
        guard tokenIndex < tokens.count else { return input.isEmpty }
        let next = tokenIndex + 1
        switch tokens[tokenIndex] {
        case .literal(let scalar):
            return input.first == scalar && match(next, input.dropFirst(), prefixOnly: prefixOnly)
        case .oneWithoutSlash:
            guard let first = input.first, first != "/" else { return false }
            return match(next, input.dropFirst(), prefixOnly: prefixOnly)
        case .characterClass(let negated, let ranges):
            guard let first = input.first else { return false }
            guard ranges.contains(where: { $0.contains(first) }) != negated else { return false }
            return match(next, input.dropFirst(), prefixOnly: prefixOnly)
        case .runWithoutSlash:
            var rest = input
            while true {
                if match(next, rest, prefixOnly: prefixOnly) { return true }
                guard let first = rest.first, first != "/" else { return false }
                rest = rest.dropFirst()
            }
        case .anything:
            var rest = input
            while true {
                if match(next, rest, prefixOnly: prefixOnly) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        case .directories:
            // Nothing, or any run ending in "/".
            if match(next, input, prefixOnly: prefixOnly) { return true }
            var rest = input
            while let first = rest.first {
                rest = rest.dropFirst()
                if first == "/" && match(next, rest, prefixOnly: prefixOnly) { return true }
            }
            return prefixOnly
        }
    }
}
