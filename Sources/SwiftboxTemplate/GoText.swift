// Go's spellings of strings and numbers, which templates print: strconv.Quote and
// Unquote, number literals (strconv.ParseInt with base 0, ParseFloat), %v of a float64
// (the shortest 'g' form: 1e+06, 0.5, 123456), and fmt's %#U.
#if canImport(Glibc)
import Glibc
#endif

enum GoText {
    /// strconv.Quote: double quotes, Go escapes, printable Unicode kept.
    static func quote(_ s: String) -> String {
        var out = "\""
        for r in s.unicodeScalars {
            switch r {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if isPrintable(r) {
                    out.unicodeScalars.append(r)
                } else if r.value < 0x80 {
                    out += "\\x" + hex(r.value, width: 2)
                } else if r.value < 0x10000 {
                    out += "\\u" + hex(r.value, width: 4)
                } else {
                    out += "\\U" + hex(r.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    /// Go's unicode.IsPrint, near enough: letters, marks, numbers, punctuation, symbols and
    /// the ASCII space.
    static func isPrintable(_ r: Unicode.Scalar) -> Bool {
        if r == " " { return true }
        switch r.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator: return false
        default: return true
        }
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// fmt's %#U: "U+007D '}'".
    static func unicodeNotation(_ r: Unicode.Scalar) -> String {
        let code = "U+" + hex(r.value, width: 4).uppercased()
        return isPrintable(r) ? "\(code) '\(Character(r))'" : code
    }

    /// strconv.Unquote of a "…", `…` or '…' literal; nil when malformed.
    static func unquote(_ text: String) -> String? {
        let s = Array(text.unicodeScalars)
        guard s.count >= 2, let q = s.first, q == s.last, q == "\"" || q == "`" || q == "'" else { return nil }
        let body = s[1..<(s.count - 1)]
        if q == "`" { return String(String.UnicodeScalarView(body)).replacingCarriageReturns() }
        var out = String.UnicodeScalarView()
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            i += 1
            if c == q && q == "\"" { return nil }
            guard c == "\\" else { out.append(c); continue }
            guard i < body.endIndex else { return nil }
            let e = body[i]
            i += 1
            switch e {
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\\", "'", "\"": out.append(e)
            case "x", "u", "U", "0"..."7":
                let count = e == "x" ? 2 : e == "u" ? 4 : e == "U" ? 8 : 2
                let radix = e >= "0" && e <= "7" ? 8 : 16
                guard body.endIndex - i >= count else { return nil }
                var digits = e >= "0" && e <= "7" ? String(Character(e)) : ""
                for k in 0..<count { digits.unicodeScalars.append(body[i + k]) }
                i += count
                guard let v = UInt32(digits, radix: radix), let scalar = Unicode.Scalar(v) else { return nil }
                out.append(scalar)
            default: return nil
            }
        }
        return String(out)
    }

    /// A number literal: as an int (base prefixes 0x 0o 0b, a leading 0 is octal,
    /// underscores allowed) and as a float.
    static func parseNumber(_ text: String) -> (int: Int?, double: Double?) {
        var t = text.replacingOccurrences("_", with: "")
        var negative = false
        if t.hasPrefix("+") || t.hasPrefix("-") { negative = t.hasPrefix("-"); t.removeFirst() }
        var int: Int?
        let lower = t.lowercased()
        if lower.hasPrefix("0x"), !lower.contains("p"), !lower.contains(".") { int = Int(lower.dropFirst(2), radix: 16) }
        else if lower.hasPrefix("0o") { int = Int(lower.dropFirst(2), radix: 8) }
        else if lower.hasPrefix("0b") { int = Int(lower.dropFirst(2), radix: 2) }
        else if lower.count > 1, lower.hasPrefix("0"), lower.allSatisfy(\.isNumber) { int = Int(lower.dropFirst(), radix: 8) }
        else if lower.allSatisfy(\.isNumber), !lower.isEmpty { int = Int(lower) }
        if negative, let i = int { int = -i }
        var double = int.map(Double.init)
        if double == nil, !lower.hasPrefix("0x"), lower.contains(where: { ".e".contains($0) }),
           lower.allSatisfy({ "0123456789.e+-".contains($0) }) {
            double = Double((negative ? "-" : "") + lower)
        }
        return (int, double)
    }

    // MARK: floats

    /// The shortest decimal digits that read back as `x`, and the exponent: x = 0.DIGITS × 10^exp.
    static func shortestDigits(_ x: Double) -> (digits: [UInt8], exp: Int) {
        // Swift's description is the shortest round-trip form: "1234.5", "1e-05", "1.5e+20".
        var text = "\(abs(x))"
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = Array((whole + fraction).utf8).map { $0 - 48 }
        var point = whole.count + exp
        while digits.first == 0 && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.last == 0 && digits.count > 1 { digits.removeLast() }
        if digits == [0] { point = 1 }
        return (digits, point)
    }

    /// %v of a float64: strconv.FormatFloat(x, 'g', -1, 64).
    static func formatFloat(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Inf" : "+Inf" }
        let sign = x.sign == .minus ? "-" : ""
        let (d, point) = shortestDigits(x)
        let exp = point - 1
        // Shortest 'g' switches to an exponent below 1e-4 and from 1e+06 on (fmt.Println(1e6) is "1e+06").
        if exp < -4 || exp >= 6 {
            return sign + exponentForm(d, exp)
        }
        return sign + fixedForm(d, point)
    }

    static func exponentForm(_ d: [UInt8], _ exp: Int) -> String {
        var s = String(Character(Unicode.Scalar(d[0] + 48)))
        if d.count > 1 { s += "." + String(decoding: d.dropFirst().map { $0 + 48 }, as: UTF8.self) }
        let e = abs(exp)
        return s + (exp < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
    }

    static func fixedForm(_ d: [UInt8], _ point: Int) -> String {
        let digits = String(decoding: d.map { $0 + 48 }, as: UTF8.self)
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= d.count { return digits + String(repeating: "0", count: point - d.count) }
        let i = digits.index(digits.startIndex, offsetBy: point)
        return String(digits[..<i]) + "." + String(digits[i...])
    }

    /// C's printf for the float verbs with an explicit precision (%f %e %g agree with Go's there).
    static func cFormat(_ x: Double, _ spec: String) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList([x]) { vsnprintf(&buffer, buffer.count, spec, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    fileprivate func replacingCarriageReturns() -> String { replacingOccurrences("\r", with: "") }
}

extension Substring {
    /// The first occurrence of `target` (no Foundation here).
    func range(of target: String) -> Range<Index>? {
        let t = Array(target.utf8)
        let u = utf8
        guard !t.isEmpty, u.count >= t.count else { return nil }
        var i = u.startIndex
        while i != u.endIndex {
            var j = i
            var k = 0
            while k < t.count, j != u.endIndex, u[j] == t[k] { j = u.index(after: j); k += 1 }
            if k == t.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}
