// The functions a template can call: Go's builtins (text/template/funcs.go) — and, or,
// not, len, index, slice, print, printf, println, html, js, urlquery, call and the
// comparisons eq ne lt le gt ge — with Go's semantics and error messages. Docker's own
// additions are in DockerTemplateFunctions.swift.

/// A function failed; the executor reports it as `error calling NAME: MESSAGE`.
public struct TemplateFunctionError: Error {
    public let message: String
    public init(_ message: String) { self.message = message }
}

public struct TemplateFunction {
    /// The declared parameters; with `isVariadic` the last one repeats.
    public let parameters: [TemplateParameter]
    public let isVariadic: Bool
    /// and/or: arguments are evaluated only until the result is known.
    let shortCircuit: Bool
    public let call: ([TemplateValue]) throws -> TemplateValue

    public init(_ parameters: [TemplateParameter], variadic: Bool = false, _ call: @escaping ([TemplateValue]) throws -> TemplateValue) {
        self.parameters = parameters
        isVariadic = variadic
        shortCircuit = false
        self.call = call
    }

    private init(shortCircuit: ()) {
        parameters = [.any, .any]
        isVariadic = true
        self.shortCircuit = true
        call = { $0.last ?? .missing }
    }

    static let shortCircuiting = TemplateFunction(shortCircuit: ())

    func parameter(_ i: Int) -> TemplateParameter {
        i < parameters.count ? parameters[i] : (isVariadic ? parameters[parameters.count - 1] : .any)
    }
}

/// A set of functions by name (what the parser accepts and the executor calls).
public struct TemplateFunctions {
    public var byName: [String: TemplateFunction]
    public init(_ byName: [String: TemplateFunction]) { self.byName = byName }
    public subscript(name: String) -> TemplateFunction? { byName[name] }

    /// text/template's builtins.
    public static let go = TemplateFunctions([
        "and": .shortCircuiting,
        "or": .shortCircuiting,
        "not": TemplateFunction([.any]) { .bool(!$0[0].isTrue) },
        "len": TemplateFunction([.any]) { try .int(GoBuiltins.length($0[0])) },
        "index": TemplateFunction([.any, .any], variadic: true) { try GoBuiltins.index($0[0], Array($0.dropFirst())) },
        "slice": TemplateFunction([.any, .any], variadic: true) { try GoBuiltins.slice($0[0], Array($0.dropFirst())) },
        "print": TemplateFunction([.any], variadic: true) { .string(GoFormat.sprint($0)) },
        "println": TemplateFunction([.any], variadic: true) { .string(GoFormat.sprintln($0)) },
        "printf": TemplateFunction([.string, .any], variadic: true) {
            guard case .string(let f) = $0[0] else { return .string("") }
            return .string(GoFormat.sprintf(f, Array($0.dropFirst())))
        },
        "html": TemplateFunction([.any], variadic: true) { .string(GoBuiltins.htmlEscape(GoBuiltins.text($0))) },
        "js": TemplateFunction([.any], variadic: true) { .string(GoBuiltins.jsEscape(GoBuiltins.text($0))) },
        "urlquery": TemplateFunction([.any], variadic: true) { .string(GoBuiltins.queryEscape(GoBuiltins.text($0))) },
        "call": TemplateFunction([.any, .any], variadic: true) { throw TemplateFunctionError("non-function of type \($0[0].goTypeName)") },
        "eq": TemplateFunction([.any, .any], variadic: true) { args in
            guard args.count > 1 else { throw TemplateFunctionError("missing argument for comparison") }
            for other in args.dropFirst() where try GoBuiltins.equal(args[0], other) { return .bool(true) }
            return .bool(false)
        },
        "ne": TemplateFunction([.any, .any]) { .bool(try !GoBuiltins.equal($0[0], $0[1])) },
        "lt": TemplateFunction([.any, .any]) { .bool(try GoBuiltins.less($0[0], $0[1])) },
        "le": TemplateFunction([.any, .any]) { .bool(try GoBuiltins.less($0[0], $0[1]) || GoBuiltins.equal($0[0], $0[1])) },
        "gt": TemplateFunction([.any, .any]) { .bool(try !(GoBuiltins.less($0[0], $0[1]) || GoBuiltins.equal($0[0], $0[1]))) },
        "ge": TemplateFunction([.any, .any]) { .bool(try !GoBuiltins.less($0[0], $0[1])) },
    ])

    /// These functions plus `other`'s (which win on a clash).
    public func merging(_ other: [String: TemplateFunction]) -> TemplateFunctions {
        TemplateFunctions(byName.merging(other) { _, new in new })
    }
}

enum GoBuiltins {
    /// len: bytes of a string, elements of a slice or map.
    static func length(_ v: TemplateValue) throws -> Int {
        switch v {
        case .string(let s): return s.utf8.count
        case .list(let l): return l.count
        case .object(let o) where !o.isRecord: return o.keys.count
        case .null, .missing: throw TemplateFunctionError("len of untyped nil")
        default: throw TemplateFunctionError("len of type \(v.goTypeName)")
        }
    }

    /// index x 1 2: x[1][2]. A map's missing key gives its element's zero value.
    static func index(_ item: TemplateValue, _ indices: [TemplateValue]) throws -> TemplateValue {
        var v = item
        if case .null = v { throw TemplateFunctionError("index of untyped nil") }
        for i in indices {
            switch v {
            case .list(let l):
                let x = try position(i, count: l.count)
                guard x < l.count else { throw TemplateFunctionError("index out of range: \(x)") }
                v = l[x]
            case .string(let s):
                let bytes = Array(s.utf8)
                let x = try position(i, count: bytes.count)
                guard x < bytes.count else { throw TemplateFunctionError("index out of range: \(x)") }
                v = .int(Int(bytes[x]))
            case .object(let o) where !o.isRecord:
                guard case .string(let key) = i else {
                    throw TemplateFunctionError("value has type \(i.goTypeName); should be string")
                }
                v = o.values[key] ?? o.elementZero
            case .null, .missing: throw TemplateFunctionError("index of nil pointer")
            default: throw TemplateFunctionError("can't index item of type \(v.goTypeName)")
            }
        }
        return v
    }

    private static func position(_ i: TemplateValue, count: Int) throws -> Int {
        switch i {
        case .int(let x):
            guard x >= 0, x <= count else { throw TemplateFunctionError("index out of range: \(x)") }
            return x
        case .null, .missing: throw TemplateFunctionError("cannot index slice/array with nil")
        default: throw TemplateFunctionError("cannot index slice/array with type \(i.goTypeName)")
        }
    }

    /// slice x 1 2: x[1:2].
    static func slice(_ item: TemplateValue, _ bounds: [TemplateValue]) throws -> TemplateValue {
        guard bounds.count <= 2 else { throw TemplateFunctionError("too many slice indexes: \(bounds.count)") }
        func range(_ count: Int) throws -> Range<Int> {
            let lo = bounds.count > 0 ? try position(bounds[0], count: count) : 0
            let hi = bounds.count > 1 ? try position(bounds[1], count: count) : count
            guard lo <= hi else { throw TemplateFunctionError("invalid slice index: \(lo) > \(hi)") }
            return lo..<hi
        }
        switch item {
        case .list(let l): return .list(Array(l[try range(l.count)]))
        case .string(let s):
            let bytes = Array(s.utf8)
            return .string(String(decoding: bytes[try range(bytes.count)], as: UTF8.self))
        case .null, .missing: throw TemplateFunctionError("slice of untyped nil")
        default: throw TemplateFunctionError("can't slice item of type \(item.goTypeName)")
        }
    }

    // MARK: comparisons (Go 1.18+: nil compares equal only to nil)

    private enum Kind { case bool, int, float, string, other }

    private static func kind(_ v: TemplateValue) -> Kind {
        switch v {
        case .bool: return .bool
        case .int: return .int
        case .double: return .float
        case .string: return .string
        default: return .other
        }
    }

    static func equal(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        let (ka, kb) = (kind(a), kind(b))
        let nilA = a == .null || a == .missing, nilB = b == .null || b == .missing
        if ka != kb {
            if nilA || nilB { return nilA && nilB }
            throw TemplateFunctionError("incompatible types for comparison")
        }
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        default:
            if nilA || nilB { return nilA && nilB }
            if case .object(let o) = a, o.isRecord { return a == b }
            throw TemplateFunctionError("non-comparable type \(GoFormat.print(b)): \(b.goTypeName)")
        }
    }

    static func less(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.string(let x), .string(let y)): return x < y
        default:
            if kind(a) != kind(b) && kind(a) != .other && kind(b) != .other { throw TemplateFunctionError("incompatible types for comparison") }
            throw TemplateFunctionError("invalid type for comparison")
        }
    }

    // MARK: escapers

    /// fmt.Sprint of the arguments, as html/js/urlquery take them.
    static func text(_ args: [TemplateValue]) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return GoFormat.sprint(args)
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func jsEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if c.value < 0x20 { out += "\\u00" + GoText.hex(c.value, width: 2).uppercased() }
                else if c.value >= 0x80 && !GoText.isPrintable(c) { out += "\\u" + GoText.hex(c.value, width: 4).uppercased() }
                else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// url.QueryEscape.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "): out += "+"
            default: out += "%" + GoText.hex(UInt32(b), width: 2).uppercased()
            }
        }
        return out
    }
}
