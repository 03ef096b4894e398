// The scanner of Go's text/template (text/template/parse/lex.go), over UTF-8 bytes so
// positions are byte offsets as Go reports them: text, `{{`/`}}` with the trim markers
// `{{- ` and ` -}}` (which eat the white space next to them), comments `{{/* */}}`, and
// inside actions the words of the language. A lexical error ends the token stream with
// an `.error` token whose text is Go's message.

struct TemplateToken {
    enum Kind: Equatable {
        case error, bool, char, charConstant, complex, declare, assign, eof, field, identifier
        case leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen, space, string, text, variable
        // Keywords (Go prints them as <word> in "unexpected" messages).
        case dot, kwBlock, kwBreak, kwContinue, kwDefine, kwElse, kwEnd, kwIf, kwNil, kwRange, kwTemplate, kwWith

        var isKeyword: Bool {
            switch self {
            case .dot, .kwBlock, .kwBreak, .kwContinue, .kwDefine, .kwElse, .kwEnd, .kwIf, .kwNil, .kwRange, .kwTemplate, .kwWith: return true
            default: return false
            }
        }
    }

    let kind: Kind
    let pos: Int
    let text: String

    /// Go's item.String(): how a token appears in "unexpected X in Y".
    var description: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return text
        case _ where kind.isKeyword: return "<\(text)>"
        default:
            let scalars = Array(text.unicodeScalars)
            if scalars.count > 10 {
                var head = String.UnicodeScalarView()
                head.append(contentsOf: scalars.prefix(10))
                return GoText.quote(String(head)) + "..."
            }
            return GoText.quote(text)
        }
    }
}

struct TemplateLexer {
    private let input: [UInt8]
    private var pos = 0
    private var start = 0
    private var parenDepth = 0
    private(set) var tokens: [TemplateToken] = []

    static let keywords: [String: TemplateToken.Kind] = [
        ".": .dot, "block": .kwBlock, "break": .kwBreak, "continue": .kwContinue, "define": .kwDefine, "else": .kwElse,
        "end": .kwEnd, "if": .kwIf, "nil": .kwNil, "range": .kwRange, "template": .kwTemplate, "with": .kwWith,
    ]

    static func tokens(_ text: String) -> [TemplateToken] {
        var l = TemplateLexer(input: Array(text.utf8))
        l.run()
        return l.tokens
    }

    private init(input: [UInt8]) { self.input = input }

    private enum State { case text, leftDelim, comment, rightDelim, insideAction, done }

    private mutating func run() {
        var state = State.text
        while state != .done {
            switch state {
            case .text: state = lexText()
            case .leftDelim: state = lexLeftDelim()
            case .comment: state = lexComment()
            case .rightDelim: state = lexRightDelim()
            case .insideAction: state = lexInsideAction()
            case .done: break
            }
        }
    }

    // MARK: reading

    private static let eof: Unicode.Scalar = "\u{FFFF}"   // never in valid input text here
    private var width = 0

    private mutating func next() -> Unicode.Scalar? {
        guard pos < input.count else { width = 0; return nil }
        let (scalar, w) = TemplateLexer.decode(input, at: pos)
        width = w
        pos += w
        return scalar
    }

    private mutating func backup() { pos -= width }

    private mutating func peek() -> Unicode.Scalar? {
        let r = next()
        backup()
        return r
    }

    /// One UTF-8 sequence; a malformed byte reads as U+FFFD of width 1, as Go's decoder does.
    static func decode(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int) {
        let lead = b[i]
        let n = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
        guard n > 0, i + n <= b.count else { return ("\u{FFFD}", 1) }
        var value = n == 1 ? UInt32(lead) : UInt32(lead) & (0xFF >> (n + 1))
        for k in 1..<n {
            guard b[i + k] & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(b[i + k] & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", n)
    }

    private func hasPrefix(_ s: String, at i: Int) -> Bool {
        let p = Array(s.utf8)
        return i + p.count <= input.count && Array(input[i..<i + p.count]) == p
    }

    private func find(_ s: String, from i: Int) -> Int? {
        let p = Array(s.utf8)
        guard p.count <= input.count else { return nil }
        var j = i
        while j + p.count <= input.count {
            if input[j] == p[0] && Array(input[j..<j + p.count]) == p { return j }
            j += 1
        }
        return nil
    }

    private mutating func emit(_ kind: TemplateToken.Kind) {
        tokens.append(TemplateToken(kind: kind, pos: start, text: String(decoding: input[start..<pos], as: UTF8.self)))
        start = pos
    }

    private mutating func ignore() { start = pos }

    private mutating func error(_ message: String) -> State {
        tokens.append(TemplateToken(kind: .error, pos: start, text: message))
        return .done
    }

    // MARK: white space and trim markers

    static func isSpace(_ r: Unicode.Scalar?) -> Bool { r == " " || r == "\t" || r == "\r" || r == "\n" }
    private static func isSpaceByte(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    static func isAlphaNumeric(_ r: Unicode.Scalar?) -> Bool {
        guard let r else { return false }
        if r == "_" { return true }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    /// "-" then a space right after "{{".
    private func hasLeftTrimMarker(at i: Int) -> Bool {
        i + 1 < input.count && input[i] == UInt8(ascii: "-") && TemplateLexer.isSpaceByte(input[i + 1])
    }

    /// A space then "-" right before "}}".
    private func hasRightTrimMarker(at i: Int) -> Bool {
        i + 1 < input.count && TemplateLexer.isSpaceByte(input[i]) && input[i + 1] == UInt8(ascii: "-")
    }

    private func atRightDelim() -> (delim: Bool, trim: Bool) {
        if hasRightTrimMarker(at: pos) && hasPrefix("}}", at: pos + 2) { return (true, true) }
        return (hasPrefix("}}", at: pos), false)
    }

    private func trailingSpace(_ from: Int, _ to: Int) -> Int {
        var n = 0
        while to - n > from && TemplateLexer.isSpaceByte(input[to - n - 1]) { n += 1 }
        return n
    }

    private func leadingSpace(from i: Int) -> Int {
        var n = 0
        while i + n < input.count && TemplateLexer.isSpaceByte(input[i + n]) { n += 1 }
        return n
    }

    // MARK: states (named after lex.go's)

    private mutating func lexText() -> State {
        guard let x = find("{{", from: pos) else {
            pos = input.count
            if pos > start { emit(.text) }
            emit(.eof)
            return .done
        }
        pos = x
        let trim = hasLeftTrimMarker(at: x + 2) ? trailingSpace(start, x) : 0
        pos -= trim
        if pos > start { emit(.text) }
        pos += trim
        ignore()
        return .leftDelim
    }

    private mutating func lexLeftDelim() -> State {
        pos += 2
        let trim = hasLeftTrimMarker(at: pos)
        let afterMarker = trim ? 2 : 0
        if hasPrefix("/*", at: pos + afterMarker) {
            pos += afterMarker
            ignore()
            return .comment
        }
        emit(.leftDelim)
        pos += afterMarker
        ignore()
        parenDepth = 0
        return .insideAction
    }

    private mutating func lexComment() -> State {
        pos += 2
        guard let i = find("*/", from: pos) else { return error("unclosed comment") }
        pos = i + 2
        let (delim, trim) = atRightDelim()
        guard delim else { return error("comment ends before closing delimiter") }
        if trim { pos += 2 }
        pos += 2
        if trim { pos += leadingSpace(from: pos) }
        ignore()
        return .text
    }

    private mutating func lexRightDelim() -> State {
        let (_, trim) = atRightDelim()
        if trim { pos += 2; ignore() }
        pos += 2
        emit(.rightDelim)
        if trim { pos += leadingSpace(from: pos); ignore() }
        return .text
    }

    private mutating func lexInsideAction() -> State {
        if atRightDelim().delim {
            return parenDepth == 0 ? .rightDelim : error("unclosed left paren")
        }
        guard let r = next() else { return error("unclosed action") }
        switch r {
        case _ where TemplateLexer.isSpace(r):
            backup()
            return lexSpace()
        case "=": emit(.assign)
        case ":":
            guard next() == "=" else { return error("expected :=") }
            emit(.declare)
        case "|": emit(.pipe)
        case "\"": return lexQuote()
        case "`": return lexRawQuote()
        case "$": return lexVariable()
        case "'": return lexChar()
        case ".":
            if pos < input.count, !(0x30...0x39).contains(input[pos]) { return lexFieldOrVariable(.field) }
            backup()
            return lexNumber()
        case "+", "-", "0"..."9":
            backup()
            return lexNumber()
        case _ where TemplateLexer.isAlphaNumeric(r):
            backup()
            return lexIdentifier()
        case "(":
            emit(.leftParen)
            parenDepth += 1
        case ")":
            parenDepth -= 1
            if parenDepth < 0 { return error("unexpected right paren") }
            emit(.rightParen)
        case _ where r.value < 0x80 && r.value >= 0x20 && r.value != 0x7F:
            emit(.char)
        default:
            return error("unrecognized character in action: \(GoText.unicodeNotation(r))")
        }
        return .insideAction
    }

    private mutating func lexSpace() -> State {
        var count = 0
        while TemplateLexer.isSpace(peek()) { _ = next(); count += 1 }
        // A trim-marked right delimiter: " -}}". Leave the space for it.
        if hasRightTrimMarker(at: pos - 1) && hasPrefix("}}", at: pos + 1) {
            pos -= 1
            if count == 1 { return .rightDelim }
        }
        emit(.space)
        return .insideAction
    }

    private func atTerminator() -> Bool {
        var copy = self
        let r = copy.peek()
        if TemplateLexer.isSpace(r) { return true }
        switch r {
        case nil, ".", ",", "|", ":", ")", "(": return true
        default: return hasPrefix("}}", at: pos)
        }
    }

    private mutating func lexIdentifier() -> State {
        while true {
            let r = next()
            if TemplateLexer.isAlphaNumeric(r) { continue }
            if r != nil { backup() }
            let word = String(decoding: input[start..<pos], as: UTF8.self)
            guard atTerminator() else { return error("bad character \(GoText.unicodeNotation(r ?? TemplateLexer.eof))") }
            if let k = TemplateLexer.keywords[word] {
                emit(k)
            } else if word == "true" || word == "false" {
                emit(.bool)
            } else {
                emit(.identifier)
            }
            return .insideAction
        }
    }

    private mutating func lexVariable() -> State {
        if atTerminator() { emit(.variable); return .insideAction }
        return lexFieldOrVariable(.variable)
    }

    private mutating func lexFieldOrVariable(_ kind: TemplateToken.Kind) -> State {
        if atTerminator() {
            emit(kind == .variable ? .variable : .dot)
            return .insideAction
        }
        var r: Unicode.Scalar?
        while true {
            r = next()
            if !TemplateLexer.isAlphaNumeric(r) { if r != nil { backup() }; break }
        }
        guard atTerminator() else { return error("bad character \(GoText.unicodeNotation(r ?? TemplateLexer.eof))") }
        emit(kind)
        return .insideAction
    }

    private mutating func lexChar() -> State {
        while true {
            switch next() {
            case "\\":
                if let r = next(), r != "\n" { continue }
                return error("unterminated character constant")
            case nil, "\n": return error("unterminated character constant")
            case "'": emit(.charConstant); return .insideAction
            default: continue
            }
        }
    }

    private mutating func lexQuote() -> State {
        while true {
            switch next() {
            case "\\":
                if let r = next(), r != "\n" { continue }
                return error("unterminated quoted string")
            case nil, "\n": return error("unterminated quoted string")
            case "\"": emit(.string); return .insideAction
            default: continue
            }
        }
    }

    private mutating func lexRawQuote() -> State {
        while true {
            switch next() {
            case nil: return error("unterminated raw quoted string")
            case "`": emit(.rawString); return .insideAction
            default: continue
            }
        }
    }

    private mutating func accept(_ valid: String) -> Bool {
        if let r = next(), valid.unicodeScalars.contains(r) { return true }
        backup()
        return false
    }

    private mutating func acceptRun(_ valid: String) {
        while let r = next(), valid.unicodeScalars.contains(r) {}
        backup()
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") { digits = "0123456789abcdefABCDEF_" } else if accept("oO") { digits = "01234567_" } else if accept("bB") { digits = "01_" }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") { _ = accept("+-"); acceptRun("0123456789_") }
        if digits.count == 23 && accept("pP") { _ = accept("+-"); acceptRun("0123456789_") }
        _ = accept("i")
        if TemplateLexer.isAlphaNumeric(peek()) { _ = next(); return false }
        return true
    }

    private mutating func lexNumber() -> State {
        guard scanNumber() else {
            return error("bad number syntax: \(GoText.quote(String(decoding: input[start..<pos], as: UTF8.self)))")
        }
        if let sign = peek(), sign == "+" || sign == "-" {
            // Complex: 1+2i.
            guard scanNumber(), input[pos - 1] == UInt8(ascii: "i") else {
                return error("bad number syntax: \(GoText.quote(String(decoding: input[start..<pos], as: UTF8.self)))")
            }
            emit(.complex)
        } else {
            emit(.number)
        }
        return .insideAction
    }
}
