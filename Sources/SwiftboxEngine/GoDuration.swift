// Durations as Docker's flags and image configs write them — Go's time.ParseDuration
// syntax: a sequence of decimal numbers, each with an optional fraction and a unit
// ("ns", "us"/"µs", "ms", "s", "m", "h"), e.g. "300ms", "1.5h", "1m30s". A lone "0"
// needs no unit. Values are kept as nanoseconds (Int64), as the image config's
// Healthcheck stores them.
public enum GoDuration {
    public static let nanosecond: Int64 = 1
    public static let microsecond: Int64 = 1_000
    public static let millisecond: Int64 = 1_000_000
    public static let second: Int64 = 1_000_000_000
    public static let minute: Int64 = 60 * second
    public static let hour: Int64 = 60 * minute

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var input: String
        public var reason: String
        public var description: String { "invalid duration \"\(input)\": \(reason)" }
    }

    /// Nanoseconds, or an error naming the input ("1x": unknown unit "x").
    public static func parse(_ text: String) throws -> Int64 {
        func fail(_ reason: String) -> ParseError { ParseError(input: text, reason: reason) }
        var chars = Substring(text)
        var negative = false
        if chars.first == "-" || chars.first == "+" { negative = chars.first == "-"; chars = chars.dropFirst() }
        if chars == "0" { return 0 }
        if chars.isEmpty { throw fail("empty") }
        // Integers throughout, as Go does: "1.001s" is 1001000000 ns exactly (with a
        // Double it came out 1000999999, and "4.1ms" 4099999).
        var total: UInt64 = 0
        let limit = UInt64(Int64.max) + (negative ? 1 : 0)
        while !chars.isEmpty {
            let whole = chars.prefix { $0.isASCII && $0.isNumber }
            chars = chars.dropFirst(whole.count)
            var fraction = Substring("")
            if chars.first == "." {
                chars = chars.dropFirst()
                fraction = chars.prefix { $0.isASCII && $0.isNumber }
                chars = chars.dropFirst(fraction.count)
            }
            if whole.isEmpty && fraction.isEmpty { throw fail("expected a number") }
            let unitText = chars.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            chars = chars.dropFirst(unitText.count)
            guard !unitText.isEmpty else { throw fail("missing unit (use ns, us, ms, s, m or h)") }
            guard let unit = units[String(unitText)].map(UInt64.init) else { throw fail("unknown unit \"\(unitText)\" (use ns, us, ms, s, m or h)") }
            var value: UInt64 = 0
            for d in whole.utf8 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(UInt64(d - 48))
                if o1 || o2 { throw fail("too large") }
                value = next
            }
            // The fraction as f / scale; digits past what 64 bits hold are dropped (as Go).
            var f: UInt64 = 0, scale: UInt64 = 1
            for d in fraction.utf8 {
                let (times10, o1) = f.multipliedReportingOverflow(by: 10)
                let (scale10, o2) = scale.multipliedReportingOverflow(by: 10)
                if o1 || o2 { break }
                f = times10 + UInt64(d - 48)
                scale = scale10
            }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
            if overflow { throw fail("too large") }
            value = scaled
            if f > 0 {
                // f * unit / scale < unit: the full-width product divides back into 64 bits.
                value += scale.dividingFullWidth(unit.multipliedFullWidth(by: f)).quotient
            }
            let (sum, o3) = total.addingReportingOverflow(value)
            if o3 || sum > limit { throw fail("too large") }
            total = sum
        }
        if negative { return total == UInt64(Int64.max) + 1 ? Int64.min : -Int64(total) }
        return Int64(total)
    }

    static let units: [String: Int64] = [
        "ns": nanosecond, "us": microsecond, "µs": microsecond, "μs": microsecond, "ms": millisecond,
        "s": second, "m": minute, "h": hour,
    ]

    /// Go's String(): "1m30s", "500ms", "2h0m0s", "0s" — how inspect and errors show it.
    public static func format(_ ns: Int64) -> String {
        if ns == 0 { return "0s" }
        let sign = ns < 0 ? "-" : ""
        let v = ns.magnitude
        if v < UInt64(second) {
            let (unit, size): (String, UInt64) = v < 1_000 ? ("ns", 1) : v < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            return sign + decimal(v, size) + unit
        }
        let h = v / UInt64(hour), m = (v / UInt64(minute)) % 60
        let s = decimal(v % UInt64(minute), UInt64(second)) + "s"
        if h > 0 { return "\(sign)\(h)h\(m)m\(s)" }
        if m > 0 { return "\(sign)\(m)m\(s)" }
        return sign + s
    }

    /// `v / size` with the remainder as a trimmed decimal fraction ("1.5", "2").
    static func decimal(_ v: UInt64, _ size: UInt64) -> String {
        let whole = v / size, rest = v % size
        guard rest > 0 else { return "\(whole)" }
        var digits = String(rest)
        digits = String(repeating: "0", count: String(size).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
