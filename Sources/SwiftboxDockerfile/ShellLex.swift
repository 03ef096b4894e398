// BuildKit's shell-word lexer (frontend/dockerfile/shell): the subset of POSIX sh word
// processing that Dockerfile instructions get. Rules, in our words:
// - '…' is literal; no escape works inside it, not even for a quote.
// - "…" expands $ forms; inside it the escape character escapes only `"`, `$` and
//   itself, and stays as written before any other character.
// - Outside quotes the escape character makes the next character literal (and
//   disappears); at the very end of the word it disappears alone.
// - $NAME, ${NAME}, ${NAME:-word} ${NAME-word} (default), ${NAME:+word} ${NAME+word}
//   (alternative), ${NAME:?msg} ${NAME?msg} (error), ${NAME#pat} ${NAME##pat}
//   ${NAME%pat} ${NAME%%pat} (trim), ${NAME/pat/repl} ${NAME//pat/repl} (replace). With
//   the colon an empty value counts as unset. The word is itself processed (quotes,
//   nested $ forms). Unset variables expand to "".
// - A `$` not followed by a name is literal; `${}` and `${:…}` are errors.
// - `<<` and the blanks after it stay glued to the next word, so a heredoc operator
//   and its delimiter are one word (`<< EOF` → "<< EOF").
// - Splitting into words happens after expansion: unquoted expansion results split on
//   blanks, quoted text never does, and an empty quoted word is dropped.

/// An expansion that BuildKit refuses: `${V:?msg}` on an unset V, an unterminated
/// quote or brace, a bad substitution. The description is BuildKit's text.
public struct ShellLexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The word being processed.
    public var word: String
    /// What went wrong, e.g. "V: is not allowed to be unset".
    public var message: String
    public var description: String { "failed to process \(goQuoted(word)): \(message)" }
}

/// BuildKit's shell-word lexer: quotes, escapes (with the file's escape character) and
/// variable expansion.
public struct ShellLex: Sendable {
    public let escape: Character
    /// Internal switches BuildKit uses when it looks for heredocs: keep quotes and
    /// escapes in the output, and leave unset variables as written.
    var rawQuotes = false
    var rawEscapes = false
    var keepUnsetVariables = false

    public init(escape: Character = "\\") {
        self.escape = escape
    }

    /// One word: quotes removed, $ forms expanded, escaped characters kept literal.
    /// Throws `ShellLexError` on `${V:?msg}` and on bad syntax.
    public func processWord(_ word: String, env: [String: String]) throws -> String {
        var scanner = ShellWordScanner(lex: self, source: word, lookup: { env[$0] })
        return try scanner.run().text
    }

    /// Several words split on unquoted blanks, after expansion.
    public func processWords(_ text: String, env: [String: String]) throws -> [String] {
        var scanner = ShellWordScanner(lex: self, source: text, lookup: { env[$0] })
        return try scanner.run().words
    }

    /// The names of the variables `text` refers to, defaults and alternatives included
    /// (for the builder's cache key: which build args a step uses). Text that does not
    /// lex gives the names found before the fault.
    public func variables(in text: String) -> Set<String> {
        let recorder = NameRecorder()
        var scanner = ShellWordScanner(lex: self, source: text, lookup: { recorder.record($0) })
        scanner.neverFail = true
        _ = try? scanner.run()
        return recorder.names
    }
}

/// Collects the names a scan looks up (every one is "unset").
private final class NameRecorder {
    var names: Set<String> = []
    func record(_ name: String) -> String? {
        names.insert(name)
        return nil
    }
}

/// Go's %q for the error text: the word in double quotes with `"` and `\` escaped.
func goQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
