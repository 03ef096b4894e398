// A container's healthcheck as Docker defines it (image config "Healthcheck", or the
// run flags --health-*): the test, and when and how often to run it. Durations are
// nanoseconds; 0 (or nil) means "inherit, else Docker's default".
//   Test: ["NONE"] disables any inherited check; ["CMD", arg…] runs argv directly;
//         ["CMD-SHELL", "cmd"] runs `/bin/sh -c cmd`; [] inherits the image's test.
import SwiftboxImage

public struct HealthConfig: Codable, Equatable, Sendable {
    public var test: [String]?
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int?

    public init(test: [String]? = nil, interval: Int64? = nil, timeout: Int64? = nil, startPeriod: Int64? = nil,
                startInterval: Int64? = nil, retries: Int? = nil) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
    }

    // Docker's defaults (daemon/health.go): 30s, 30s, 3 retries, no start period, 5s.
    public static let defaultInterval: Int64 = 30 * GoDuration.second
    public static let defaultTimeout: Int64 = 30 * GoDuration.second
    public static let defaultRetries = 3
    public static let defaultStartPeriod: Int64 = 0
    public static let defaultStartInterval: Int64 = 5 * GoDuration.second
    /// Docker refuses non-zero durations below a millisecond.
    public static let minimumDuration: Int64 = GoDuration.millisecond

    public init(image h: ImageConfig.Healthcheck) {
        self.init(test: h.Test, interval: h.Interval, timeout: h.Timeout, startPeriod: h.StartPeriod,
                  startInterval: h.StartInterval, retries: h.Retries)
    }

    /// Docker's merge of the container's healthcheck with the image's (daemon/commit.go):
    /// the container's wins field by field; an empty test or a zero value inherits.
    public static func merged(container: HealthConfig?, image: HealthConfig?) -> HealthConfig? {
        guard var c = container else { return image }
        guard let i = image else { return c }
        if c.test?.isEmpty ?? true { c.test = i.test }
        if (c.interval ?? 0) == 0 { c.interval = i.interval }
        if (c.timeout ?? 0) == 0 { c.timeout = i.timeout }
        if (c.startPeriod ?? 0) == 0 { c.startPeriod = i.startPeriod }
        if (c.startInterval ?? 0) == 0 { c.startInterval = i.startInterval }
        if (c.retries ?? 0) == 0 { c.retries = i.retries }
        return c
    }

    /// Is there a probe to run? Not for no test, an empty one, or ["NONE"].
    public var isEnabled: Bool {
        guard let t = test, let kind = t.first else { return false }
        return kind != "NONE" && t.count > 1
    }

    /// The probe's argv inside the container.
    public var command: [String] {
        guard let t = test, let kind = t.first else { return [] }
        switch kind {
        case "CMD": return Array(t.dropFirst())
        case "CMD-SHELL": return ["/bin/sh", "-c", t.dropFirst().joined(separator: " ")]
        default: return []
        }
    }

    public var effectiveInterval: Int64 { nonZero(interval) ?? HealthConfig.defaultInterval }
    public var effectiveTimeout: Int64 { nonZero(timeout) ?? HealthConfig.defaultTimeout }
    public var effectiveStartPeriod: Int64 { nonZero(startPeriod) ?? HealthConfig.defaultStartPeriod }
    public var effectiveStartInterval: Int64 { nonZero(startInterval) ?? HealthConfig.defaultStartInterval }
    public var effectiveRetries: Int { (retries ?? 0) > 0 ? retries! : HealthConfig.defaultRetries }

    private func nonZero(_ v: Int64?) -> Int64? { (v ?? 0) > 0 ? v : nil }

    /// Refuse what Docker refuses, naming the field: negative values, durations under
    /// 1ms, a test whose first word is not NONE, CMD or CMD-SHELL.
    public func validate() throws {
        if let t = test, let kind = t.first, !["NONE", "CMD", "CMD-SHELL"].contains(kind) {
            throw HealthConfigError("healthcheck test must start with NONE, CMD or CMD-SHELL, not \"\(kind)\"")
        }
        for (flag, value) in [("--health-interval", interval), ("--health-timeout", timeout), ("--health-start-interval", startInterval)] {
            if let v = value, v < HealthConfig.minimumDuration {
                throw HealthConfigError("\(flag) \(GoDuration.format(v)): must be at least 1ms")
            }
        }
        if let v = startPeriod, v < 0 { throw HealthConfigError("--health-start-period \(GoDuration.format(v)): cannot be negative") }
        if let r = retries, r < 0 { throw HealthConfigError("--health-retries \(r): cannot be negative") }
    }
}

public struct HealthConfigError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `--health-on-failure` (Podman's name): what the monitor does when the container
/// turns unhealthy. kill: SIGKILL, and the restart policy decides; restart: restart it
/// at once (counted in RestartCount); stop: stop it as `swiftbox stop` would (never
/// restarted by the policy).
public enum HealthFailureAction: String, Codable, Sendable {
    case none, kill, restart, stop
}
