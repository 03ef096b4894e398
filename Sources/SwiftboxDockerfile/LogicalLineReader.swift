// Joins physical lines into instruction lines, as BuildKit's parser does:
// - a line whose first non-blank character is `#` is a comment, also in the middle of
//   a continued instruction (where it is skipped without ending the instruction);
// - blank lines between instructions are skipped; inside a continued instruction they
//   are skipped too, with a warning (BuildKit plans to make them errors);
// - the escape character at the end of a line (blanks after it allowed) continues the
//   instruction; it is removed and the next line is appended as it is, with nothing
//   inserted; an escaped escape character (`\\` at the end) does not continue;
// - leading blanks are stripped from an instruction's first line only.
// Heredoc bodies are read raw by the caller, through `nextRawLine()`.

struct LogicalLine {
    var text: String
    var startLine: Int
    var endLine: Int
    /// Blank lines found inside the continuation.
    var emptyContinuationLines: [Int]
}

struct LogicalLineReader {
    private let lines: [SourceLine]
    private var index = 0
    var directives = ParserDirectives()

    init(_ lines: [SourceLine]) { self.lines = lines }

    /// The number of the last line read (0 before any).
    var lastLineNumber: Int { index == 0 ? 0 : lines[index - 1].number }

    mutating func nextRawLine() -> SourceLine? {
        guard index < lines.count else { return nil }
        defer { index += 1 }
        return lines[index]
    }

    mutating func next() throws -> LogicalLine? {
        while let first = nextRawLine() {
            let stripped = first.content.trimmingLeadingBlanks
            do {
                if try directives.consider(stripped) { continue }
            } catch let failure as ParseFailure {
                throw ParseFailure(failure.message, line: first.number)
            }
            if isComment(stripped) { continue }
            var (text, ended) = removingContinuation(stripped)
            if ended && text.isEmpty { continue }

            var logical = LogicalLine(text: text, startLine: first.number, endLine: first.number,
                                      emptyContinuationLines: [])
            while !ended, let line = nextRawLine() {
                logical.endLine = line.number
                if isComment(line.content) { continue }
                if line.content.trimmingLeadingBlanks.isEmpty {
                    logical.emptyContinuationLines.append(line.number)
                    continue
                }
                (text, ended) = removingContinuation(line.content)
                logical.text += text
            }
            return logical
        }
        return nil
    }

    private func isComment(_ line: String) -> Bool {
        line.unicodeScalars.first(where: { !isBlank($0) }) == "#"
    }

    /// The line without its continuation escape, and whether the instruction ends here.
    private func removingContinuation(_ line: String) -> (String, Bool) {
        let escape = directives.escape
        var scalars = Array(line.unicodeScalars)
        var end = scalars.count
        while end > 0, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
        guard end > 0, scalars[end - 1] == escape else { return (line, true) }
        if end >= 2, scalars[end - 2] == escape { return (line, true) }
        scalars.removeSubrange((end - 1)...)
        return (String(String.UnicodeScalarView(scalars)), false)
    }
}
