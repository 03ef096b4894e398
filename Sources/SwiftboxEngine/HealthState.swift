// The health state machine with Docker's semantics (daemon/health.go), pure: times are
// passed in (nanoseconds since the epoch), so tests drive it with a fake clock.
//
//   starting ──success──▶ healthy ──retries consecutive failures──▶ unhealthy
//      │                     ▲                                          │
//      └─retries failures────┼──────────────────────▶ unhealthy         │
//        (counted only after │ the start period)                        │
//                            └──────────────── one success ◀────────────┘
//
// - A failure inside the start period is not counted while the container has never
//   been healthy ("starting"); once it has, every failure counts.
// - Anything but exit 0 is a failure; a probe past its timeout is killed and recorded
//   as exit -1 with a message, as Docker does; so is a probe that cannot be started.
// - The log keeps the last 5 results; each output is cut to 4096 bytes.
// - The next probe is due one interval after the previous one ended (after the start,
//   for the first); during the start period, while still "starting", the start interval
//   is used instead.
public enum HealthStatus: String, Codable, Sendable {
    case starting, healthy, unhealthy
}

/// One probe's outcome as inspect's State.Health.Log shows it.
public struct HealthResult: Codable, Equatable, Sendable {
    public var Start: String
    public var End: String
    public var ExitCode: Int32
    public var Output: String

    public init(Start: String, End: String, ExitCode: Int32, Output: String) {
        self.Start = Start
        self.End = End
        self.ExitCode = ExitCode
        self.Output = Output
    }
}

/// What inspect shows as State.Health; persisted in the container's state.json.
public struct HealthRecord: Codable, Equatable, Sendable {
    public var Status: HealthStatus
    public var FailingStreak: Int
    public var Log: [HealthResult]

    public init(Status: HealthStatus = .starting, FailingStreak: Int = 0, Log: [HealthResult] = []) {
        self.Status = Status
        self.FailingStreak = FailingStreak
        self.Log = Log
    }
}

public struct HealthMachine: Sendable {
    public static let maxLogEntries = 5
    public static let maxOutputBytes = 4096

    public let config: HealthConfig
    /// When the container (this run of it) started.
    public let startedAt: Int64
    public private(set) var record = HealthRecord()

    public init(config: HealthConfig, startedAt: Int64) {
        self.config = config
        self.startedAt = startedAt
    }

    /// How long to wait after `from` (the start, or the end of the previous probe)
    /// before the next probe.
    public func delay(at now: Int64) -> Int64 {
        let inStartPeriod = now - startedAt < config.effectiveStartPeriod
        if record.Status == .starting && inStartPeriod { return config.effectiveStartInterval }
        return config.effectiveInterval
    }

    /// Record a result; returns the new status if it changed.
    @discardableResult
    public mutating func record(start: Int64, end: Int64, exitCode: Int32, output: [UInt8]) -> HealthStatus? {
        let old = record.Status
        let text = HealthMachine.cut(output)
        record.Log.append(HealthResult(Start: WallTime.format(start), End: WallTime.format(end), ExitCode: exitCode, Output: text))
        if record.Log.count > HealthMachine.maxLogEntries { record.Log.removeFirst(record.Log.count - HealthMachine.maxLogEntries) }
        if exitCode == 0 {
            record.FailingStreak = 0
            record.Status = .healthy
        } else {
            // Docker compares the probe's start with the container's start.
            let grace = record.Status == .starting && start - startedAt < config.effectiveStartPeriod
            if !grace {
                record.FailingStreak += 1
                if record.FailingStreak >= config.effectiveRetries { record.Status = .unhealthy }
            }
        }
        return record.Status == old ? nil : record.Status
    }

    /// A probe killed at its timeout: Docker's exit code -1 and message.
    @discardableResult
    public mutating func recordTimeout(start: Int64, end: Int64) -> HealthStatus? {
        let text = "Health check exceeded timeout (\(GoDuration.format(config.effectiveTimeout)))"
        return record(start: start, end: end, exitCode: -1, output: Array(text.utf8))
    }

    /// At most 4096 bytes, never splitting a UTF-8 sequence.
    static func cut(_ bytes: [UInt8]) -> String {
        guard bytes.count > maxOutputBytes else { return String(decoding: bytes, as: UTF8.self) }
        var n = maxOutputBytes
        while n > 0 && bytes[n] & 0xC0 == 0x80 { n -= 1 }
        return String(decoding: bytes[0..<n], as: UTF8.self)
    }
}
