// The engine behind ShellLex: one pass over the word's Unicode scalars (Go's runes),
// building both the processed text and its split into words.

/// The text and the words of one scan.
struct ShellScanResult {
    var text: String
    var words: [String]
}

/// Splits expansion results into words: blanks end a word unless they came from
/// quotes or escapes ("raw" text). An empty quoted word never becomes a word.
struct WordAccumulator {
    private var current = ""
    private var inWord = false
    private(set) var words: [String] = []

    mutating func add(_ scalar: Unicode.Scalar) {
        if isBlank(scalar) {
            if inWord && !current.isEmpty {
                words.append(current)
                current = ""
                inWord = false
            }
        } else {
            addRaw(scalar)
        }
    }

    mutating func addRaw(_ scalar: Unicode.Scalar) {
        current.unicodeScalars.append(scalar)
        inWord = true
    }

    mutating func add(_ text: String) {
        for scalar in text.unicodeScalars { add(scalar) }
    }

    mutating func addRaw(_ text: String) {
        current += text
        inWord = true
    }

    mutating func finish() -> [String] {
        if !current.isEmpty {
            words.append(current)
            current = ""
            inWord = false
        }
        return words
    }
}

/// Go's unicode.IsSpace.
func isBlank(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "\t", "\n", "\u{0B}", "\u{0C}", "\r", " ", "\u{85}", "\u{A0}": return true
    default: return scalar.value > 0xFF && scalar.properties.isWhitespace
    }
}

struct ShellWordScanner {
    let lex: ShellLex
    let source: String
    let lookup: (String) -> String?
    private let scalars: [Unicode.Scalar]
    private let escape: Unicode.Scalar
    private var position = 0
    private var rawEscapes: Bool
    /// For `variables(in:)`: `${V?msg}` does not stop the scan.
    var neverFail = false

    init(lex: ShellLex, source: String, lookup: @escaping (String) -> String?) {
        self.lex = lex
        self.source = source
        self.lookup = lookup
        self.scalars = Array(source.unicodeScalars)
        self.escape = lex.escape.unicodeScalars.first ?? "\\"
        self.rawEscapes = lex.rawEscapes
    }

    mutating func run() throws -> ShellScanResult {
        do {
            return try scan(until: nil, rawEscapes: lex.rawEscapes)
        } catch let failure as LexFailure {
            throw ShellLexError(word: source, message: failure.message)
        }
    }

    private struct LexFailure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private func peek() -> Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func next() -> Unicode.Scalar? {
        guard position < scalars.count else { return nil }
        defer { position += 1 }
        return scalars[position]
    }

    private var atEnd: Bool { position >= scalars.count }

    /// Processes up to `stop` (consumed) or the end. `rawEscapes` keeps escape
    /// characters in the output (for the patterns of `${V#…}` and `${V/…}`).
    private mutating func scan(until stop: Unicode.Scalar?, rawEscapes: Bool) throws -> ShellScanResult {
        let savedRawEscapes = self.rawEscapes
        self.rawEscapes = rawEscapes
        defer { self.rawEscapes = savedRawEscapes }

        var text = ""
        var words = WordAccumulator()
        while let scalar = peek() {
            if let stop, scalar == stop {
                position += 1
                return ShellScanResult(text: text, words: words.finish())
            }
            switch scalar {
            case "$":
                let value = try dollar()
                text += value
                words.add(value)
            case "<":
                let value = possibleHeredocOperator()
                text += value
                words.addRaw(value)
            case "'":
                let value = try singleQuoted()
                text += value
                words.addRaw(value)
            case "\"":
                let value = try doubleQuoted()
                text += value
                words.addRaw(value)
            default:
                position += 1
                if scalar == escape {
                    if self.rawEscapes {
                        words.addRaw(scalar)
                        text.unicodeScalars.append(scalar)
                    }
                    // The escape makes the next character literal; alone at the end it vanishes.
                    guard let escaped = next() else { break }
                    words.addRaw(escaped)
                    text.unicodeScalars.append(escaped)
                } else {
                    words.add(scalar)
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        if let stop {
            throw LexFailure("unexpected end of statement while looking for matching \(Character(stop))")
        }
        return ShellScanResult(text: text, words: words.finish())
    }

    /// '…': everything literal up to the next single quote.
    private mutating func singleQuoted() throws -> String {
        var out = ""
        let open = next()!
        if lex.rawQuotes { out.unicodeScalars.append(open) }
        while true {
            guard let scalar = next() else {
                throw LexFailure("unexpected end of statement while looking for matching single-quote")
            }
            if scalar == "'" {
                if lex.rawQuotes { out.unicodeScalars.append(scalar) }
                return out
            }
            out.unicodeScalars.append(scalar)
        }
    }

    /// "…": $ forms expand; the escape character escapes only `"`, `$` and itself.
    private mutating func doubleQuoted() throws -> String {
        var out = ""
        let open = next()!
        if lex.rawQuotes { out.unicodeScalars.append(open) }
        while true {
            guard let scalar = peek() else {
                throw LexFailure("unexpected end of statement while looking for matching double-quote")
            }
            switch scalar {
            case "\"":
                position += 1
                if lex.rawQuotes { out.unicodeScalars.append(scalar) }
                return out
            case "$":
                out += try dollar()
            default:
                position += 1
                var literal = scalar
                if scalar == escape {
                    if rawEscapes { out.unicodeScalars.append(scalar) }
                    guard let following = peek() else { continue }  // fails as unterminated next turn
                    if following == "\"" || following == "$" || following == escape {
                        literal = following
                        position += 1
                    }
                }
                out.unicodeScalars.append(literal)
            }
        }
    }

    /// `<<` plus the blanks after it, kept with the next word; a lone `<` is plain.
    private mutating func possibleHeredocOperator() -> String {
        position += 1
        guard peek() == "<" else { return "<" }
        position += 1
        var out = "<<"
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\r" {
            out.unicodeScalars.append(scalar)
            position += 1
        }
        return out
    }

    /// A name after `$`: letters, digits and `_`; or a run of digits (positional); or
    /// one special parameter character.
    private mutating func name() -> String {
        var out = ""
        while let scalar = peek() {
            if out.isEmpty && isDecimalDigit(scalar) {
                while let digit = peek(), isDecimalDigit(digit) {
                    out.unicodeScalars.append(digit)
                    position += 1
                }
                return out
            }
            if out.isEmpty && "@*#?-$!0".unicodeScalars.contains(scalar) {
                position += 1
                return String(Character(scalar))
            }
            guard isLetter(scalar) || isDecimalDigit(scalar) || scalar == "_" else { break }
            out.unicodeScalars.append(scalar)
            position += 1
        }
        return out
    }

    private func value(of name: String) -> String? { lookup(name) }

    private func keepAsWritten(_ name: String, _ modifier: String = "", _ word: String = "") -> String {
        modifier.isEmpty && word.isEmpty ? "${\(name)}" : "${\(name)\(modifier)\(word)}"
    }

    private mutating func dollar() throws -> String {
        position += 1
        if peek() != "{" {
            let variable = name()
            if variable.isEmpty { return "$" }
            let found = value(of: variable)
            if found == nil && lex.keepUnsetVariables { return "$" + variable }
            return found ?? ""
        }
        position += 1
        switch peek() {
        case nil: throw LexFailure("syntax error: missing '}'")
        case "{", "}", ":": throw LexFailure("syntax error: bad substitution")
        default: break
        }
        let variable = name()
        guard var modifier = next() else { throw LexFailure("syntax error: missing '}'") }
        var modifierText = String(Character(modifier))
        var emptyIsUnset = false

        switch modifier {
        case "}":
            let found = value(of: variable)
            if found == nil && lex.keepUnsetVariables { return keepAsWritten(variable) }
            return found ?? ""
        case "/":
            return try replacement(of: variable)
        case ":":
            emptyIsUnset = true
            guard let following = next() else { throw LexFailure("syntax error: missing '}'") }
            modifier = following
            modifierText.unicodeScalars.append(following)
        default:
            break
        }
        guard "+-?#%".unicodeScalars.contains(modifier) else {
            throw LexFailure("unsupported modifier (\(modifierText)) in substitution")
        }
        let isTrim = modifier == "#" || modifier == "%"
        if emptyIsUnset && isTrim {
            throw LexFailure("unsupported modifier (\(modifierText)) in substitution")
        }
        let word: String
        do {
            word = try scan(until: "}", rawEscapes: isTrim).text
        } catch let failure as LexFailure {
            if atEnd { throw LexFailure("syntax error: missing '}'") }
            throw failure
        }
        let found = value(of: variable)
        if found == nil && lex.keepUnsetVariables { return "${\(variable)\(modifierText)\(word)}" }
        let isUnset = found == nil || (emptyIsUnset && found == "")

        switch modifier {
        case "-":
            return isUnset ? word : found!
        case "+":
            return isUnset ? "" : word
        case "?":
            if found == nil {
                if neverFail { return "" }
                throw LexFailure("\(variable): \(word.isEmpty ? "is not allowed to be unset" : word)")
            }
            if emptyIsUnset && found == "" {
                if neverFail { return "" }
                throw LexFailure("\(variable): \(word.isEmpty ? "is not allowed to be empty" : word)")
            }
            return found!
        default:  // # and %: shortest match, ## and %% longest
            var pattern = word
            let longest = pattern.unicodeScalars.first == modifier
            if longest { pattern.unicodeScalars.removeFirst() }
            let compiled = try compilePattern(pattern)
            let subject = found ?? ""
            return modifier == "#"
                ? compiled.removingPrefix(of: subject, longest: longest)
                : compiled.removingSuffix(of: subject, longest: longest)
        }
    }

    /// `${V/pattern/replacement}` (first match, longest) or `${V//pattern/replacement}` (all).
    private mutating func replacement(of variable: String) throws -> String {
        let all = peek() == "/"
        if all { position += 1 }
        let pattern: String
        do {
            pattern = try scan(until: "/", rawEscapes: true).text
        } catch let failure as LexFailure {
            if atEnd { throw LexFailure("syntax error: missing '/' in ${}") }
            throw failure
        }
        let replacement: String
        do {
            replacement = try scan(until: "}", rawEscapes: true).text
        } catch let failure as LexFailure {
            if atEnd { throw LexFailure("syntax error: missing '}'") }
            throw failure
        }
        let found = value(of: variable)
        if found == nil && lex.keepUnsetVariables { return "${\(variable)/\(pattern)/\(replacement)}" }
        let compiled = try compilePattern(pattern)
        return compiled.replacing(in: found ?? "", with: replacement, all: all)
    }

    private func compilePattern(_ pattern: String) throws -> ShellPattern {
        do {
            return try ShellPattern(pattern)
        } catch let error as ShellPattern.Invalid {
            throw LexFailure("invalid pattern (\(pattern)) in substitution: \(error.message)")
        }
    }
}

/// Go's unicode.IsDigit (decimal digits of any script).
func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.generalCategory == .decimalNumber
}

/// Go's unicode.IsLetter.
func isLetter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
    default: return false
    }
}
