// Nanosecond timestamps for health logs and events: the wall clock (CLOCK_REALTIME,
// what users read) and a monotonic one (CLOCK_MONOTONIC, for timeouts and backoff,
// which must not jump when the clock is set). See clock_gettime(2).
#if canImport(Glibc)
import Glibc
#endif

public enum WallTime {
    public static func now() -> Int64 { read(CLOCK_REALTIME) }
    public static func monotonic() -> Int64 { read(CLOCK_MONOTONIC) }

    static func read(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// "2026-11-25T16:00:00.123456789Z" (UTC, nanoseconds).
    public static func format(_ ns: Int64) -> String {
        var t = time_t(ns / 1_000_000_000)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(Int(tmv.tm_year) + 1900, 4))-\(pad(Int(tmv.tm_mon) + 1, 2))-\(pad(Int(tmv.tm_mday), 2))T"
            + "\(pad(Int(tmv.tm_hour), 2)):\(pad(Int(tmv.tm_min), 2)):\(pad(Int(tmv.tm_sec), 2)).\(pad(Int(ns % 1_000_000_000), 9))Z"
    }

    /// Nanoseconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)".
    public static func parse(_ text: String) -> Int64? {
        let c = Array(text.utf8)
        guard c.count >= 20, c[4] == UInt8(ascii: "-"), c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: " ") else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= c.count else { return nil }
            var v = 0
            for b in c[from..<(from + len)] { guard b >= 48 && b <= 57 else { return nil }; v = v * 10 + Int(b - 48) }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2) else { return nil }
        var t = tm()
        t.tm_year = Int32(y - 1900); t.tm_mon = Int32(mo - 1); t.tm_mday = Int32(d)
        t.tm_hour = Int32(h); t.tm_min = Int32(mi); t.tm_sec = Int32(s)
        var seconds = Int64(timegm(&t))
        var frac: Int64 = 0
        var i = 19
        if i < c.count, c[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < c.count, c[i] >= 48 && c[i] <= 57 {
                if digits < 9 { frac = frac * 10 + Int64(c[i] - 48); digits += 1 }
                i += 1
            }
            while digits < 9 { frac *= 10; digits += 1 }
        }
        if i < c.count, c[i] == UInt8(ascii: "+") || c[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            let offset = Int64(oh * 3600 + om * 60)
            seconds += c[i] == UInt8(ascii: "+") ? -offset : offset
        } else if i < c.count, c[i] != UInt8(ascii: "Z") {
            return nil
        }
        return seconds * 1_000_000_000 + frac
    }
}
