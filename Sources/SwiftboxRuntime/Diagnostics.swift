// Diagnostics on stderr (and, for OCI callers such as podman, in the --log file in
// runc's format: one JSON object per line with level, msg and time).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SwiftboxKernel

public struct Diagnostics: Sendable {
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case error, warning, info, debug, trace
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public init?(name: String) {
            switch name.lowercased() {
            case "error": self = .error
            case "warn", "warning": self = .warning
            case "info": self = .info
            case "debug": self = .debug
            case "trace": self = .trace
            default: return nil
            }
        }
        var name: String { ["error", "warning", "info", "debug", "trace"][rawValue] }
    }

    public var level: Level
    public var logFile: String?
    public var json: Bool

    public init(level: Level = .warning, logFile: String? = nil, json: Bool = false) {
        self.level = level
        self.logFile = logFile
        self.json = json
    }

    public func error(_ m: String) { emit(.error, m) }
    public func warning(_ m: String) { emit(.warning, m) }
    public func info(_ m: String) { emit(.info, m) }
    public func debug(_ m: String) { emit(.debug, m) }
    public func trace(_ m: String) { emit(.trace, m) }

    func emit(_ l: Level, _ message: String) {
        if let logFile { append(logFile, l, message) }
        guard l <= level else { return }
        // Errors are printed by the CLI itself as "swiftbox: <message>".
        if l == .error { return }
        var line = "swiftbox: \(l.name): \(message)\n"
        if l == .trace {
            // Monotonic seconds, the same clock the C executor's trace lines use.
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            let us = String(ts.tv_nsec / 1000)
            line = "swiftbox: trace: \(ts.tv_sec).\(String(repeating: "0", count: 6 - us.count))\(us) \(message)\n"
        }
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    func append(_ path: String, _ l: Level, _ message: String) {
        let line: String
        if json {
            line = "{\"level\":\"\(l == .warning ? "warning" : l.name)\",\"msg\":\(Diagnostics.jsonString(message)),\"time\":\"\(Clock.rfc3339Nano())\"}\n"
        } else {
            line = "\(Clock.rfc3339Nano()) \(l.name): \(message)\n"
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
