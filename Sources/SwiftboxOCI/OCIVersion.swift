// Which versions of the runtime spec a config.json may declare (its "ociVersion", a
// SemVer 2.0 string). The spec says a runtime MUST refuse a version it does not
// implement; we implement 1.0.0 up to the 1.2 series (features.md's ociVersionMin and
// ociVersionMax, which `swiftbox oci features` prints).
public enum OCIVersion {
    public static let minimum = "1.0.0"
    public static let maximum = "1.2.x"

    /// "1.0.2", "1.1.0-rc.1", "1.0.2-dev", "1.2.0+build": major 1, minor 0 to 2. Not
    /// "invalid", "1.0", "2.0.0" or "0.5.0".
    public static func isSupported(_ version: String) -> Bool {
        // The core is MAJOR.MINOR.PATCH; a pre-release (-…) or build (+…) part may follow.
        let core = version.prefix { $0 != "-" && $0 != "+" }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        var numbers: [Int] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), p == "0" || !p.hasPrefix("0"),
                  let n = Int(p) else { return false }
            numbers.append(n)
        }
        let rest = version.dropFirst(core.count)
        if let first = rest.first {
            let tail = rest.dropFirst()
            guard !tail.isEmpty, first == "-" || first == "+",
                  tail.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "+") })
            else { return false }
        }
        return numbers[0] == 1 && numbers[1] <= 2
    }
}
