// Go's time.ParseDuration, which BuildKit uses for HEALTHCHECK's flags: a sequence of
// decimal numbers, each with an optional fraction and a unit (ns, us, µs, ms, s, m, h),
// with an optional sign before the whole ("1h2m3.5s", "500ms", "-1.5h"). "0" needs no
// unit; any other number does. The error texts are Go's.

enum GoDuration {
    struct Invalid: Error, Equatable { var message: String }

    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Nanoseconds.
    static func parse(_ text: String) throws -> Int64 {
        let quoted = goQuoted(text)
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        if rest.isEmpty { throw Invalid(message: "time: invalid duration \(quoted)") }

        var total: Int64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            if whole.isEmpty && fraction.isEmpty { throw Invalid(message: "time: invalid duration \(quoted)") }
            let unitText = rest.prefix { !($0 == "." || ($0.isASCII && $0.isNumber)) }
            rest = rest.dropFirst(unitText.count)
            if unitText.isEmpty { throw Invalid(message: "time: missing unit in duration \(quoted)") }
            guard let unit = units.first(where: { $0.0 == unitText })?.1 else {
                throw Invalid(message: "time: unknown unit \(goQuoted(String(unitText))) in duration \(quoted)")
            }
            guard let wholeValue = whole.isEmpty ? 0 : Int64(whole) else {
                throw Invalid(message: "time: invalid duration \(quoted)")
            }
            let (scaled, overflow) = wholeValue.multipliedReportingOverflow(by: unit)
            guard !overflow else { throw Invalid(message: "time: invalid duration \(quoted)") }
            var part = scaled
            if !fraction.isEmpty {
                // As Go: the fraction's digits as an integer, times unit / 10^digits.
                var digits: Int64 = 0
                var scale = 1.0
                for digit in fraction {
                    guard digits < Int64.max / 10 else { break }  // further digits are below precision
                    digits = digits * 10 + Int64(digit.wholeNumberValue!)
                    scale *= 10
                }
                part += Int64(Double(digits) * (Double(unit) / scale))
            }
            let (sum, sumOverflow) = total.addingReportingOverflow(part)
            guard !sumOverflow, sum >= 0 else { throw Invalid(message: "time: invalid duration \(quoted)") }
            total = sum
        }
        return negative ? -total : total
    }
}
