// Docker's `json` template function: Go's encoding/json with SetEscapeHTML(false) and
// the trailing newline trimmed. Structs keep their field order, maps are sorted, nil
// pointers marked omitempty are left out, and strings escape only what JSON needs
// (plus U+2028/U+2029, as Go does).

enum GoJSON {
    static func encode(_ v: TemplateValue) -> String {
        var out = ""
        write(v, into: &out)
        return out
    }

    private static func write(_ v: TemplateValue, into out: inout String) {
        switch v {
        case .missing, .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += number(d)
        case .string(let s): string(s, into: &out)
        case .list(let l):
            out += "["
            for (i, e) in l.enumerated() {
                if i > 0 { out += "," }
                write(e, into: &out)
            }
            out += "]"
        case .object(let o):
            if let custom = o.json { write(custom, into: &out); return }
            out += "{"
            var first = true
            for k in o.keys where !o.omittedInJSON.contains(k) {
                if !first { out += "," }
                first = false
                string(k, into: &out)
                out += ":"
                write(o.values[k]!, into: &out)
            }
            out += "}"
        }
    }

    static func string(_ s: String, into out: inout String) {
        out += "\""
        for r in s.unicodeScalars {
            switch r {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if r.value < 0x20 { out += "\\u00" + GoText.hex(r.value, width: 2) } else { out.unicodeScalars.append(r) }
            }
        }
        out += "\""
    }

    /// encoding/json's float: the shortest digits, an exponent only below 1e-6 or from 1e21.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let sign = d < 0 ? "-" : ""
        let (digits, point) = GoText.shortestDigits(d)
        if abs(d) < 1e-6 || abs(d) >= 1e21 {
            // "1e-07" → "1e-7", as Go cleans it.
            var e = GoText.exponentForm(digits, point - 1)
            if let r = e[...].range(of: "e-0") { e.replaceSubrange(r, with: "e-") }
            if let r = e[...].range(of: "e+0") { e.replaceSubrange(r, with: "e+") }
            return sign + e
        }
        return sign + GoText.fixedForm(digits, point)
    }
}

extension TemplateValue {
    /// The value as Docker's `json` function writes it.
    public var jsonText: String { GoJSON.encode(self) }
}
