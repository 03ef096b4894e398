// An instruction line cut into keyword, flags and the argument text, before each
// instruction reads its arguments its own way.
//
// Flags are the words starting with `--` right after the keyword, for every
// instruction (each then refuses the ones it does not know). In a flag word quotes
// group and disappear and the escape character makes the next character literal; a
// lone `--` ends the flags.

struct InstructionLine {
    /// As written ("run", "Copy", …).
    var keyword: String
    var flags: [String]
    /// The rest, trimmed.
    var arguments: String

    init(_ line: String, escape: Unicode.Scalar) {
        let (head, rest) = line.trimmingBlanks.splitAtFirstBlankRun()
        keyword = head
        if let rest {
            let (remaining, flags) = Self.extractFlags(rest, escape: escape)
            self.flags = flags
            arguments = remaining.trimmingBlanks
        } else {
            flags = []
            arguments = ""
        }
    }

    private static func extractFlags(_ text: String, escape: Unicode.Scalar) -> (rest: String, flags: [String]) {
        let scalars = Array(text.unicodeScalars)
        var flags: [String] = []
        var position = 0
        func rest(from index: Int) -> String { String(String.UnicodeScalarView(scalars[index...])) }

        while true {
            while position < scalars.count, isBlank(scalars[position]) { position += 1 }
            guard position < scalars.count else { return ("", flags) }
            guard scalars[position] == "-", position + 1 < scalars.count, scalars[position + 1] == "-" else {
                return (rest(from: position), flags)
            }
            var word = String.UnicodeScalarView()
            var quote: Unicode.Scalar?
            var hadQuotes = false
            while position < scalars.count {
                let scalar = scalars[position]
                if quote == nil && isBlank(scalar) { break }
                position += 1
                if let open = quote, scalar == open {
                    quote = nil
                } else if quote == nil && (scalar == "'" || scalar == "\"") {
                    quote = scalar
                    hadQuotes = true
                } else if scalar == escape {
                    guard position < scalars.count else { continue }  // a trailing escape is dropped
                    word.append(scalars[position])
                    position += 1
                } else {
                    word.append(scalar)
                }
            }
            let flag = String(word)
            if flag == "--" { return (rest(from: position), flags) }
            if hadQuotes || !flag.isEmpty { flags.append(flag) }
        }
    }
}
