// Go's fmt as templates use it: %v of any value (what an action prints), Sprint,
// Sprintln, and Sprintf with the verbs scripts use (%s %d %v %q %x %X %o %b %c %t %e
// %f %g %T %%), flags (- + # space 0), width and precision, and fmt's inline
// complaints: %!d(string=abc), %!s(MISSING), %!(EXTRA int=1).

enum GoFormat {
    /// %v.
    static func print(_ v: TemplateValue) -> String {
        switch v {
        case .missing: return "<no value>"
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return GoText.formatFloat(d)
        case .string(let s): return s
        case .list(let l): return "[" + l.map(element).joined(separator: " ") + "]"
        case .object(let o):
            if o.isRecord { return "{" + o.keys.map { element(o.values[$0]!) }.joined(separator: " ") + "}" }
            return "map[" + o.keys.map { "\($0):\(element(o.values[$0]!))" }.joined(separator: " ") + "]"
        }
    }

    /// Inside a composite a missing value is a nil interface.
    private static func element(_ v: TemplateValue) -> String { v == .missing ? "<nil>" : print(v) }

    /// fmt.Sprint: a space between operands when neither is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (i, a) in args.enumerated() {
            if i > 0, !isString(a), !isString(args[i - 1]) { out += " " }
            out += element(a)
        }
        return out
    }

    /// fmt.Sprintln: spaces between all operands, and a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        args.map(element).joined(separator: " ") + "\n"
    }

    private static func isString(_ v: TemplateValue) -> Bool {
        if case .string = v { return true }
        return false
    }

    struct Spec {
        var minus = false, plus = false, sharp = false, space = false, zero = false
        var width: Int?
        var precision: Int?
        var verb: Unicode.Scalar = "v"
    }

    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        let f = Array(format.unicodeScalars)
        var i = 0
        var argIndex = 0
        func nextNumber() -> Int? {
            var n: Int?
            while i < f.count, let d = Int(String(f[i])), ("0"..."9").contains(f[i]) { n = (n ?? 0) * 10 + d; i += 1 }
            return n
        }
        while i < f.count {
            let c = f[i]
            i += 1
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var spec = Spec()
            flags: while i < f.count {
                switch f[i] {
                case "-": spec.minus = true
                case "+": spec.plus = true
                case "#": spec.sharp = true
                case " ": spec.space = true
                case "0": spec.zero = true
                default: break flags
                }
                i += 1
            }
            if i < f.count, f[i] == "*" {
                i += 1
                if argIndex < args.count, case .int(let w) = args[argIndex] { spec.width = abs(w); spec.minus = spec.minus || w < 0 } else { out += "%!(BADWIDTH)" }
                argIndex += 1
            } else {
                spec.width = nextNumber()
            }
            if i < f.count, f[i] == "." {
                i += 1
                if i < f.count, f[i] == "*" {
                    i += 1
                    if argIndex < args.count, case .int(let p) = args[argIndex], p >= 0 { spec.precision = p } else { out += "%!(BADPREC)" }
                    argIndex += 1
                } else {
                    spec.precision = nextNumber() ?? 0
                }
            }
            guard i < f.count else { out += "%!(NOVERB)"; break }
            spec.verb = f[i]
            i += 1
            if spec.verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!\(Character(spec.verb))(MISSING)"; continue }
            out += formatOne(args[argIndex], spec)
            argIndex += 1
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { "\($0.goTypeName)=\(element($0))" }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func bad(_ v: TemplateValue, _ s: Spec) -> String {
        if v == .null || v == .missing { return "%!\(Character(s.verb))(<nil>)" }
        return "%!\(Character(s.verb))(\(v.goTypeName)=\(element(v)))"
    }

    static func formatOne(_ v: TemplateValue, _ s: Spec) -> String {
        if s.verb == "T" { return pad(v.goTypeName, s) }
        switch v {
        case .missing, .null:
            return s.verb == "v" ? pad("<nil>", s) : bad(v, s)
        case .bool(let b):
            return s.verb == "v" || s.verb == "t" ? pad(b ? "true" : "false", s) : bad(v, s)
        case .int(let n):
            return formatInt(n, s) ?? bad(v, s)
        case .double(let d):
            return formatDouble(d, s) ?? bad(v, s)
        case .string(let str):
            return formatString(str, s) ?? bad(v, s)
        case .list(let l):
            var inner = s
            inner.width = nil
            return pad("[" + l.map { formatOne($0, inner) }.joined(separator: " ") + "]", s)
        case .object(let o):
            var inner = s
            inner.width = nil
            let body = o.keys.map { key -> String in
                let value = formatOne(o.values[key]!, inner)
                return o.isRecord ? (s.plus && s.verb == "v" ? "\(key):\(value)" : value) : "\(formatOne(.string(key), inner)):\(value)"
            }.joined(separator: " ")
            return pad(o.isRecord ? "{\(body)}" : "map[\(body)]", s)
        }
    }

    private static func formatString(_ str: String, _ s: Spec) -> String? {
        var text = str
        if let p = s.precision, s.verb == "s" || s.verb == "v" || s.verb == "q" {
            text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(p)))
        }
        switch s.verb {
        case "s", "v": return pad(text, s)
        case "q":
            if s.sharp && !text.contains("`") && text.unicodeScalars.allSatisfy({ GoText.isPrintable($0) || $0 == "\t" }) {
                return pad("`\(text)`", s)
            }
            return pad(GoText.quote(text), s)
        case "x", "X":
            var hex = text.utf8.map { GoText.hex(UInt32($0), width: 2) }
            if s.verb == "X" { hex = hex.map { $0.uppercased() } }
            let prefix = s.sharp ? (s.verb == "X" ? "0X" : "0x") : ""
            let joined = s.space ? hex.map { prefix + $0 }.joined(separator: " ") : prefix + hex.joined()
            return pad(joined, s)
        default: return nil
        }
    }

    private static func formatInt(_ n: Int, _ s: Spec) -> String? {
        var digits: String
        var prefix = ""
        switch s.verb {
        case "d", "v": digits = String(n.magnitude)
        case "b": digits = String(n.magnitude, radix: 2); if s.sharp { prefix = "0b" }
        case "o": digits = String(n.magnitude, radix: 8); if s.sharp { prefix = "0" }
        case "O": digits = String(n.magnitude, radix: 8); prefix = "0o"
        case "x": digits = String(n.magnitude, radix: 16); if s.sharp { prefix = "0x" }
        case "X": digits = String(n.magnitude, radix: 16).uppercased(); if s.sharp { prefix = "0X" }
        case "c":
            return pad(Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}", s)
        case "q":
            guard let r = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) else { return pad("'\u{FFFD}'", s) }
            let q = GoText.quote(String(Character(r)))
            let body = r == "'" ? "\\'" : r == "\"" ? "\"" : String(q.dropFirst().dropLast())
            return pad("'\(body)'", s)
        case "U":
            let u = "U+" + GoText.hex(UInt32(truncatingIfNeeded: n), width: 4).uppercased()
            return pad(u, s)
        default: return nil
        }
        if let p = s.precision {
            if p == 0 && n == 0 { digits = "" }
            if digits.count < p { digits = String(repeating: "0", count: p - digits.count) + digits }
        }
        let sign = n < 0 ? "-" : s.plus ? "+" : s.space ? " " : ""
        return padNumber(sign + prefix, digits, s)
    }

    private static func formatDouble(_ d: Double, _ s: Spec) -> String? {
        let body: String
        switch s.verb {
        case "v", "g", "G":
            if let p = s.precision {
                body = GoText.cFormat(d, "%.\(p)\(Character(s.verb == "v" ? "g" : s.verb))")
            } else {
                let t = GoText.formatFloat(d)
                body = s.verb == "G" ? t.uppercased() : t
            }
        case "e", "E", "f", "F":
            body = GoText.cFormat(d, "%.\(s.precision ?? 6)\(Character(s.verb))")
        default: return nil
        }
        if body.hasPrefix("-") { return padNumber("-", String(body.dropFirst()), s) }
        if body.hasPrefix("+") { return padNumber("+", String(body.dropFirst()), s) }   // "+Inf"
        return padNumber(s.plus ? "+" : s.space ? " " : "", body, s)
    }

    /// Width in runes; "-" pads on the right; "0" pads numbers with zeros after the sign.
    private static func padNumber(_ sign: String, _ digits: String, _ s: Spec) -> String {
        guard let w = s.width, !s.minus, s.zero, s.precision == nil || s.verb == "f" || s.verb == "e" || s.verb == "g" else {
            return pad(sign + digits, s)
        }
        let n = sign.unicodeScalars.count + digits.unicodeScalars.count
        return sign + String(repeating: "0", count: max(0, w - n)) + digits
    }

    static func pad(_ text: String, _ s: Spec) -> String {
        guard let w = s.width else { return text }
        let n = text.unicodeScalars.count
        guard n < w else { return text }
        let fill = String(repeating: s.zero && !s.minus ? "0" : " ", count: w - n)
        return s.minus ? text + fill : fill + text
    }
}
