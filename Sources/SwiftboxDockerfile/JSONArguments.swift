// The exec form: arguments that are a JSON array of strings. BuildKit decides with Go's
// encoding/json: the text (after leading blanks) must start with `[` and be one valid
// JSON value, else it is the shell form; a valid array holding anything but strings is
// an error rather than a fallback.

enum JSONArguments: Equatable {
    /// Not a JSON array: use the shell form.
    case notJSON
    case strings([String])
    /// Valid JSON, but not all strings.
    case notAllStrings

    static let notAllStringsMessage = "when using JSON array syntax, arrays must be comprised of strings only"

    init(_ text: String) {
        var reader = JSONReader(Array(text.unicodeScalars))
        reader.skipWhitespace()
        guard reader.peek() == "[" else {
            self = .notJSON
            return
        }
        guard let value = try? reader.readValue() else {
            self = .notJSON
            return
        }
        reader.skipWhitespace()
        guard reader.atEnd, case .array(let elements) = value else {
            self = .notJSON
            return
        }
        var strings: [String] = []
        for element in elements {
            guard case .string(let string) = element else {
                self = .notAllStrings
                return
            }
            strings.append(string)
        }
        self = .strings(strings)
    }
}

/// Just enough of a JSON reader to tell strings from other values and valid from not.
private struct JSONReader {
    enum Value {
        case string(String)
        case array([Value])
        case other
    }

    struct Malformed: Error {}

    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { position >= scalars.count }
    func peek() -> Unicode.Scalar? { atEnd ? nil : scalars[position] }

    mutating func skipWhitespace() {
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            position += 1
        }
    }

    mutating func readValue() throws -> Value {
        skipWhitespace()
        guard let scalar = peek() else { throw Malformed() }
        switch scalar {
        case "[": return try readArray()
        case "{": try readObject(); return .other
        case "\"": return .string(try readString())
        case "t": try expect("true"); return .other
        case "f": try expect("false"); return .other
        case "n": try expect("null"); return .other
        default: try readNumber(); return .other
        }
    }

    private mutating func expect(_ word: String) throws {
        for expected in word.unicodeScalars {
            guard peek() == expected else { throw Malformed() }
            position += 1
        }
    }

    private mutating func readArray() throws -> Value {
        position += 1
        var elements: [Value] = []
        skipWhitespace()
        if peek() == "]" {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try readValue())
            skipWhitespace()
            switch peek() {
            case ",": position += 1
            case "]": position += 1; return .array(elements)
            default: throw Malformed()
            }
        }
    }

    private mutating func readObject() throws {
        position += 1
        skipWhitespace()
        if peek() == "}" {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == "\"" else { throw Malformed() }
            _ = try readString()
            skipWhitespace()
            guard peek() == ":" else { throw Malformed() }
            position += 1
            _ = try readValue()
            skipWhitespace()
            switch peek() {
            case ",": position += 1
            case "}": position += 1; return
            default: throw Malformed()
            }
        }
    }

    private mutating func readString() throws -> String {
        position += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw Malformed() }
            position += 1
            switch scalar {
            case "\"":
                return String(out)
            case "\\":
                guard let escaped = peek() else { throw Malformed() }
                position += 1
                switch escaped {
                case "\"", "\\", "/": out.append(escaped)
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u": out.append(try readUnicodeEscape())
                default: throw Malformed()
                }
            default:
                guard scalar.value >= 0x20 else { throw Malformed() }  // raw control characters are invalid
                out.append(scalar)
            }
        }
    }

    /// After `\u`: four hex digits, joining a surrogate pair when one follows (a lone
    /// surrogate becomes U+FFFD, as in Go).
    private mutating func readUnicodeEscape() throws -> Unicode.Scalar {
        let first = try readHex4()
        if (0xD800..<0xDC00).contains(first), peek() == "\\",
           position + 1 < scalars.count, scalars[position + 1] == "u" {
            let saved = position
            position += 2
            let second = try readHex4()
            if (0xDC00..<0xE000).contains(second) {
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                return Unicode.Scalar(combined) ?? "\u{FFFD}"
            }
            position = saved
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    private mutating func readHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let scalar = peek(), let digit = Character(scalar).hexDigitValue else { throw Malformed() }
            position += 1
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    /// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    private mutating func readNumber() throws {
        if peek() == "-" { position += 1 }
        guard let first = peek(), first.properties.numericType != nil, first.isASCII else { throw Malformed() }
        if first == "0" {
            position += 1
        } else {
            try digits()
        }
        if peek() == "." {
            position += 1
            try digits()
        }
        if peek() == "e" || peek() == "E" {
            position += 1
            if peek() == "+" || peek() == "-" { position += 1 }
            try digits()
        }
    }

    private mutating func digits() throws {
        var count = 0
        while let scalar = peek(), ("0"..."9").contains(scalar) {
            position += 1
            count += 1
        }
        if count == 0 { throw Malformed() }
    }
}
