// Finding the heredocs an instruction line opens. BuildKit looks for them only in RUN,
// COPY and ADD (also as an ONBUILD trigger), and only in their shell form. It lexes
// the line with quotes and escapes kept (and `\` as escape whatever the file's is),
// and takes each word of the form `[n]<<[-]NAME`. NAME must lex to a single word; if
// any part of it was quoted (`<<"EOF"`, `<<'EOF'`, `<<E"O"F`) the body is not expanded.

enum HeredocOperators {
    /// The heredocs opened on `line`, bodies still empty, in order.
    static func find(in line: String) throws -> [Heredoc] {
        guard line.contains("<<") else { return [] }
        var lex = ShellLex(escape: "\\")
        lex.rawQuotes = true
        lex.rawEscapes = true
        lex.keepUnsetVariables = true
        let words = (try? lex.processWords(line, env: [:])) ?? []
        return try words.compactMap(parse)
    }

    /// A heredoc operator word (`<<EOF`, `<<-EOF`, `3<<"EOF"`, `<< EOF`), or nil for any
    /// other word.
    static func parse(_ word: String) throws -> Heredoc? {
        var scalars = Substring(word).unicodeScalars[...]
        let digits = scalars.prefix { ("0"..."9").contains($0) }
        scalars = scalars.dropFirst(digits.count)
        guard scalars.starts(with: "<<".unicodeScalars) else { return nil }
        scalars = scalars.dropFirst(2)
        let chomp = scalars.first == "-"
        if chomp { scalars = scalars.dropFirst() }
        scalars = scalars.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}" }
        let rest = String(scalars)
        guard !rest.isEmpty, !rest.contains("<") else { return nil }

        var lex = ShellLex(escape: "\\")
        lex.keepUnsetVariables = true
        let names: [String]
        do {
            names = try lex.processWords(rest, env: [:])
        } catch let error as ShellLexError {
            throw ParseFailure(error.description)
        }
        guard names.count == 1 else { return nil }
        lex.rawQuotes = true
        let rawNames = (try? lex.processWords(rest, env: [:])) ?? []
        func quoteCount(_ text: String) -> Int { text.unicodeScalars.filter { $0 == "'" || $0 == "\"" }.count }
        let expand = rawNames.count == 1 && quoteCount(names[0]) == quoteCount(rawNames[0])
        return Heredoc(name: names[0], content: "", expand: expand, chomp: chomp,
                       fileDescriptor: Int(String(digits)) ?? 0)
    }
}
