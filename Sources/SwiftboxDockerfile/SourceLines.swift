// The file as physical lines. Split on "\n" only (a "\r" before it is part of the line
// ending, as in BuildKit's scanner); work on Unicode scalars because Swift counts
// "\r\n" as one Character.

struct SourceLine {
    /// 1-based.
    var number: Int
    /// The line with its ending, as a heredoc body keeps it.
    var raw: String
    /// Without trailing "\r" and "\n" characters.
    var content: String
}

enum SourceLines {
    static func split(_ text: String) -> [SourceLine] {
        var lines: [SourceLine] = []
        var current = String.UnicodeScalarView()
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }  // byte-order mark
        for scalar in scalars {
            current.append(scalar)
            if scalar == "\n" {
                lines.append(line(number: lines.count + 1, raw: String(current)))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { lines.append(line(number: lines.count + 1, raw: String(current))) }
        return lines
    }

    private static func line(number: Int, raw: String) -> SourceLine {
        var content = Substring(raw).unicodeScalars[...]
        while let last = content.last, last == "\n" || last == "\r" { content = content.dropLast() }
        return SourceLine(number: number, raw: raw, content: String(content))
    }
}

extension String {
    /// Go's strings.TrimSpace.
    var trimmingBlanks: String { trimmingLeadingBlanks.trimmingTrailingBlanks }

    var trimmingLeadingBlanks: String {
        String(String.UnicodeScalarView(unicodeScalars.drop(while: isBlank)))
    }

    var trimmingTrailingBlanks: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let last = scalars.last, isBlank(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }

    /// Splits at the first run of blanks: ("RUN", "echo hi"); the rest keeps its inner blanks.
    func splitAtFirstBlankRun() -> (head: String, rest: String?) {
        let scalars = Array(unicodeScalars)
        guard let blank = scalars.firstIndex(where: isBlank) else { return (self, nil) }
        var restStart = blank
        while restStart < scalars.count, isBlank(scalars[restStart]) { restStart += 1 }
        return (String(String.UnicodeScalarView(scalars[..<blank])),
                String(String.UnicodeScalarView(scalars[restStart...])))
    }

    /// Splits on runs of blanks, dropping empty pieces (BuildKit's whitespace-delimited
    /// arguments, on text already trimmed).
    func splitOnBlanks() -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if isBlank(scalar) {
                if !current.isEmpty { words.append(String(current)) }
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }
}
