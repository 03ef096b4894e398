// The ways instructions read their argument text (BuildKit's line parsers).

enum ArgumentForms {
    /// RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD: a JSON array of strings, or else
    /// the whole text as one shell-form argument.
    static func jsonOrShell(_ text: String) throws -> (arguments: [String], isJSON: Bool) {
        if text.isEmpty { return ([], false) }
        switch JSONArguments(text) {
        case .strings(let strings): return (strings, true)
        case .notAllStrings: throw ParseFailure(JSONArguments.notAllStringsMessage)
        case .notJSON: return ([text], false)
        }
    }

    /// COPY, ADD, VOLUME: a JSON array of strings, or else blank-separated words (no
    /// quote handling here: the builder expands each word).
    static func jsonOrWords(_ text: String) throws -> (arguments: [String], isJSON: Bool) {
        switch JSONArguments(text) {
        case .strings(let strings): return (strings, true)
        case .notAllStrings: throw ParseFailure(JSONArguments.notAllStringsMessage)
        case .notJSON: return (text.splitOnBlanks(), false)
        }
    }

    /// ENV, LABEL, ARG: words split on blanks outside quotes, quotes and escapes kept for
    /// the builder's expansion. An escape character at the very end is dropped; inside
    /// single quotes the escape character is plain.
    static func wordsKeepingQuotes(_ text: String, escape: Unicode.Scalar) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var inWord = false
        var quote: Unicode.Scalar?
        var keepEmpty = false
        let scalars = Array(text.unicodeScalars)
        var position = 0
        while position < scalars.count {
            var scalar = scalars[position]
            position += 1
            if let open = quote {
                if scalar == open {
                    quote = nil
                } else if scalar == escape && open != "'" {
                    guard position < scalars.count else { continue }
                    current.append(scalar)
                    scalar = scalars[position]
                    position += 1
                }
                current.append(scalar)
                continue
            }
            if isBlank(scalar) {
                if inWord && (keepEmpty || !current.isEmpty) { words.append(String(current)) }
                current = String.UnicodeScalarView()
                inWord = false
                keepEmpty = false
                continue
            }
            inWord = true
            if scalar == "'" || scalar == "\"" {
                quote = scalar
                keepEmpty = true
            } else if scalar == escape {
                guard position < scalars.count else { continue }
                current.append(scalar)
                scalar = scalars[position]
                position += 1
            }
            current.append(scalar)
        }
        if inWord && (keepEmpty || !current.isEmpty) { words.append(String(current)) }
        return words
    }

    /// ENV and LABEL: `KEY=value …`, or the legacy `KEY value…` (everything after the
    /// first blank run is the value). Which form is decided by the first word having `=`.
    static func keyValues(_ text: String, keyword: String, escape: Unicode.Scalar) throws -> (pairs: [KeyValue], legacy: Bool) {
        let words = wordsKeepingQuotes(text, escape: escape)
        guard let first = words.first else { throw ParseFailure("\(keyword) requires at least one argument") }
        if !first.contains("=") {
            let (key, value) = text.splitAtFirstBlankRun()
            guard let value else { throw ParseFailure("\(keyword) must have two arguments") }
            return ([KeyValue(key: key, value: value)], true)
        }
        var pairs: [KeyValue] = []
        for word in words {
            guard let equals = word.firstIndex(of: "=") else {
                throw ParseFailure("Syntax error - can't find = in \(goQuoted(word)). Must be of the form: name=value")
            }
            let key = String(word[..<equals])
            if key.isEmpty { throw ParseFailure("\(keyword) names can not be blank") }
            pairs.append(KeyValue(key: key, value: String(word[word.index(after: equals)...])))
        }
        return (pairs, false)
    }

    /// ARG: `NAME` or `NAME=default`, several per line.
    static func argDeclarations(_ text: String, escape: Unicode.Scalar) throws -> [ArgDeclaration] {
        let words = wordsKeepingQuotes(text, escape: escape)
        if words.isEmpty { throw ParseFailure("ARG requires at least one argument") }
        return try words.map { word in
            guard let equals = word.firstIndex(of: "=") else { return ArgDeclaration(name: word) }
            let name = String(word[..<equals])
            if name.isEmpty { throw ParseFailure("ARG names can not be blank") }
            return ArgDeclaration(name: name, defaultValue: String(word[word.index(after: equals)...]))
        }
    }
}
