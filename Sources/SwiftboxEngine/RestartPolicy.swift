// `--restart no|always|on-failure[:N]|unless-stopped` and the decision the monitor
// takes when the container exits, with Docker's timing (restartmanager): the first
// restart after 100 ms, each next one after twice as long, at most 60 s; a container
// that ran 10 s or more starts over at 100 ms. A stop or kill asked by the user is
// never undone (Docker cancels its restart manager on stop); a manual start resets
// the count (Docker's ResetRestartManager).
public enum RestartPolicy: Equatable, Codable, Sendable, CustomStringConvertible {
    case no
    case always
    /// maximumRetryCount 0: no limit.
    case onFailure(maximumRetryCount: Int)
    case unlessStopped

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Docker's spelling; errors name the input.
    public static func parse(_ text: String) throws -> RestartPolicy {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func fail(_ why: String) -> ParseError { ParseError(description: "invalid restart policy \"\(text)\": \(why)") }
        guard parts.count <= 2 else { throw fail("expected NAME or on-failure:COUNT") }
        let policy: RestartPolicy
        switch parts[0] {
        case "", "no": policy = .no
        case "always": policy = .always
        case "unless-stopped": policy = .unlessStopped
        case "on-failure":
            guard parts.count == 2 else { return .onFailure(maximumRetryCount: 0) }
            guard let n = Int(parts[1]) else { throw fail("maximum retry count \"\(parts[1])\" is not a number") }
            guard n >= 0 else { throw fail("maximum retry count must be a positive integer") }
            return .onFailure(maximumRetryCount: n)
        default:
            throw fail("unknown policy \"\(parts[0])\"; use one of no, always, on-failure[:N] or unless-stopped")
        }
        if parts.count == 2 { throw fail("maximum retry count can only be used with on-failure") }
        return policy
    }

    /// Docker's Name/MaximumRetryCount pair (inspect's HostConfig.RestartPolicy).
    public var name: String {
        switch self {
        case .no: return "no"
        case .always: return "always"
        case .onFailure: return "on-failure"
        case .unlessStopped: return "unless-stopped"
        }
    }

    public var maximumRetryCount: Int {
        if case .onFailure(let n) = self { return n }
        return 0
    }

    public var description: String {
        if case .onFailure(let n) = self, n > 0 { return "on-failure:\(n)" }
        return name
    }

    // Persisted as its text ("on-failure:3").
    public init(from decoder: Decoder) throws { self = try RestartPolicy.parse(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The restart decisions of one monitor: the count and the backoff.
public struct RestartTracker: Sendable {
    public static let initialDelay: Int64 = 100 * GoDuration.millisecond
    public static let maximumDelay: Int64 = 60 * GoDuration.second
    /// A run at least this long starts the backoff over.
    public static let resetAfter: Int64 = 10 * GoDuration.second

    public let policy: RestartPolicy
    public private(set) var restartCount: Int
    /// The last delay used (0: none yet).
    public private(set) var delay: Int64 = 0

    public init(policy: RestartPolicy, restartCount: Int = 0) {
        self.policy = policy
        self.restartCount = restartCount
    }

    /// The container exited after running `ranFor` ns: restart it after the returned
    /// delay (ns), or nil to leave it exited.
    public mutating func decide(exitCode: Int32, stoppedByUser: Bool, ranFor: Int64) -> Int64? {
        if policy == .no || stoppedByUser { return nil }
        if ranFor >= RestartTracker.resetAfter { delay = 0 }
        delay = delay == 0 ? RestartTracker.initialDelay : min(delay * 2, RestartTracker.maximumDelay)
        let restart: Bool
        switch policy {
        case .no: restart = false
        case .always, .unlessStopped: restart = true
        case .onFailure(let max): restart = exitCode != 0 && (max == 0 || restartCount < max)
        }
        guard restart else { return nil }
        restartCount += 1
        return delay
    }

    /// --health-on-failure restart: restart whatever the policy, with the same backoff.
    public mutating func forceRestart(ranFor: Int64) -> Int64 {
        if ranFor >= RestartTracker.resetAfter { delay = 0 }
        delay = delay == 0 ? RestartTracker.initialDelay : min(delay * 2, RestartTracker.maximumDelay)
        restartCount += 1
        return delay
    }
}
