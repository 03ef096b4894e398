// Docker's "CREATED" column: "3 minutes ago", "2 weeks ago", from an RFC 3339 time.
#if canImport(Glibc)
import Glibc
#endif

enum RelativeTime {
    /// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)", or nil.
    static func parse(_ text: String) -> Int? {
        let chars = Array(text.utf8)
        guard chars.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= chars.count else { return nil }
            var v = 0
            for c in chars[from..<(from + len)] { guard c >= 48 && c <= 57 else { return nil }; v = v * 10 + Int(c - 48) }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2) else { return nil }
        var t = tm()
        t.tm_year = Int32(y - 1900); t.tm_mon = Int32(mo - 1); t.tm_mday = Int32(d)
        t.tm_hour = Int32(h); t.tm_min = Int32(mi); t.tm_sec = Int32(s)
        var seconds = Int(timegm(&t))
        // A numeric offset ("+02:00") after any fraction.
        var i = 19
        if i < chars.count, chars[i] == UInt8(ascii: ".") { i += 1; while i < chars.count, chars[i] >= 48 && chars[i] <= 57 { i += 1 } }
        if i < chars.count, chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-"), let oh = num(i + 1, 2), let om = num(i + 4, 2) {
            let offset = oh * 3600 + om * 60
            seconds += chars[i] == UInt8(ascii: "+") ? -offset : offset
        }
        return seconds
    }

    static func ago(_ text: String, now: Int = Int(time(nil))) -> String {
        guard let t = parse(text) else { return text }
        let d = max(0, now - t)
        func plural(_ n: Int, _ unit: String) -> String { n == 1 ? "\(unit == "hour" ? "An" : "1") \(unit) ago" : "\(n) \(unit)s ago" }
        switch d {
        case ..<1: return "Less than a second ago"
        case ..<60: return plural(d, "second")
        case ..<3600: return d < 120 ? "About a minute ago" : plural(d / 60, "minute")
        case ..<86_400: return d < 7200 ? "About an hour ago" : plural(d / 3600, "hour")
        case ..<(86_400 * 14): return plural(d / 86_400, "day")
        case ..<(86_400 * 60): return plural(d / (86_400 * 7), "week")
        case ..<(86_400 * 730): return plural(d / (86_400 * 30), "month")
        default: return plural(d / (86_400 * 365), "year")
        }
    }
}
