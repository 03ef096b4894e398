// Docker's number formats for resource flags, so the same command lines are accepted
// and refused: sizes as go-units' RAMInBytes ("64m", "1.5g", "512kb", "100": binary
// multiples, case-insensitive, optional "i"/"b"), CPUs as a decimal ("0.5", "2").
public enum DockerUnits {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// "invalid size: '1x'" for anything RAMInBytes refuses.
    public static func ramInBytes(_ text: String) throws -> Int64 {
        let invalid = Invalid(description: "invalid size: '\(text)'")
        var s = Substring(text)
        // number: digits with optional ".digits"
        let number = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number.first != ".", number.last != ".", !number.contains(".."),
              let value = Double(number) else { throw invalid }
        s = s.dropFirst(number.count)
        if s.first == " " { s = s.dropFirst() }
        var multiplier: Double = 1
        let units: [Character: Double] = ["k": 0x1p10, "m": 0x1p20, "g": 0x1p30, "t": 0x1p40, "p": 0x1p50]
        if let u = s.first?.lowercased().first, let m = units[u] { multiplier = m; s = s.dropFirst() }
        if s.first?.lowercased() == "i" { s = s.dropFirst() }
        if s.first?.lowercased() == "b" { s = s.dropFirst() }
        guard s.isEmpty else { throw invalid }
        let bytes = value * multiplier
        guard bytes < 9.2e18 else { throw invalid }
        return Int64(bytes)
    }

    /// --cpus: a decimal number of CPUs → billionths (Docker's NanoCPUs).
    public static func nanoCPUs(_ text: String) throws -> Int64 {
        let negative = text.hasPrefix("-")
        let body = negative ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              !(parts.count == 2 && parts[0].isEmpty && parts[1].isEmpty),
              let whole = parts[0].isEmpty ? 0 : Int64(parts[0]), whole < 1_000_000 else {
            throw Invalid(description: "failed to parse \(text) as a rational number")
        }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            let significant = digits.reversed().drop { $0 == "0" }
            guard significant.count <= 9 else { throw Invalid(description: "value is too precise") }
            fraction = Int64(String(digits.prefix(9)).padding(to: 9)) ?? 0
        }
        let nano = whole * 1_000_000_000 + fraction
        return negative ? -nano : nano
    }
}

extension String {
    func padding(to n: Int) -> String { count >= n ? self : self + String(repeating: "0", count: n - count) }
}
