// Wall-clock timestamps in RFC 3339 / ISO 8601 UTC, as the OCI state, Docker's
// json-file logs and image configs write them (no Foundation date formatting needed).
#if canImport(Glibc)
import Glibc
#endif

public enum Clock {
    /// "2026-11-25T16:00:00.123456789Z" (nanoseconds), or whole seconds without them.
    public static func rfc3339(nanoseconds: Bool = true) -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        let base = "\(pad(Int(tmv.tm_year) + 1900, 4))-\(pad(Int(tmv.tm_mon) + 1, 2))-\(pad(Int(tmv.tm_mday), 2))T\(pad(Int(tmv.tm_hour), 2)):\(pad(Int(tmv.tm_min), 2)):\(pad(Int(tmv.tm_sec), 2))"
        return nanoseconds ? base + ".\(pad(Int(ts.tv_nsec), 9))Z" : base + "Z"
    }

    public static func rfc3339Nano() -> String { rfc3339(nanoseconds: true) }
}
