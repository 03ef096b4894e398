// What a container's monitor tells the command that started it, on the ready pipe (its
// fd 3): one line of JSON per message, each carrying the protocol's version, so a
// monitor and a caller of different builds (an upgrade between `start` and the monitor's
// exec) fail clearly instead of misreading each other.
//
//   {"message":"awaitingAttach","version":1}                   -i/-t: connect to the attach socket now
//   {"message":"started","pid":4242,"version":1}                the container's first process runs
//   {"detail":"exec nosuch: …","errno":2,"message":"failed","stage":"exec","version":1}
//
// A failure is typed (MonitorFailure: the stage, the errno, the text users read), not a
// line of text parsed back into an error: the caller's exit status (127/126/125) follows
// from the stage and errno (MonitorFailure+Code).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public enum MonitorMessage: Equatable, Sendable {
    /// The monitor serves attach and waits for the first client before starting.
    case awaitingAttach
    /// The container runs; `pid` is its first process (in our pid namespace).
    case started(pid: Int32)
    /// The container could not be started (the monitor exits after saying so).
    case failed(MonitorFailure)

    /// Bumped when a message's meaning or shape changes.
    public static let version = 1
}

/// Where a start failed, and why.
public struct MonitorFailure: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    public enum Stage: String, Equatable, Sendable, Codable {
        /// The monitor's own set-up: its sealed executable, its lock, the attach socket.
        case monitor
        /// The engine's preparation: the rootfs mount, the network, the bundle.
        case prepare
        /// The runtime: namespaces, mounts, cgroups, … up to the container's execve.
        case create
        /// execve(2) of the container's command.
        case exec
    }

    public var stage: Stage
    /// The errno the failing call returned, 0 when the failure was not a system call's.
    public var errno: Int32
    /// What users read, as the failing module worded it.
    public var detail: String

    public init(stage: Stage, errno: Int32, detail: String) {
        self.stage = stage
        self.errno = errno
        self.detail = detail
    }

    public var description: String { detail }
}

extension MonitorMessage: Codable {
    private enum Kind: String, Codable { case awaitingAttach, started, failed }
    private enum Keys: String, CodingKey { case version, message, pid, stage, errno, detail }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(MonitorMessage.version, forKey: .version)
        switch self {
        case .awaitingAttach:
            try c.encode(Kind.awaitingAttach, forKey: .message)
        case .started(let pid):
            try c.encode(Kind.started, forKey: .message)
            try c.encode(pid, forKey: .pid)
        case .failed(let f):
            try c.encode(Kind.failed, forKey: .message)
            try c.encode(f.stage, forKey: .stage)
            try c.encode(f.errno, forKey: .errno)
            try c.encode(f.detail, forKey: .detail)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let version = try c.decode(Int.self, forKey: .version)
        guard version == MonitorMessage.version else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: c,
                debugDescription: "the monitor speaks version \(version) of its messages, this swiftbox \(MonitorMessage.version)")
        }
        switch try c.decode(Kind.self, forKey: .message) {
        case .awaitingAttach: self = .awaitingAttach
        case .started: self = .started(pid: try c.decode(Int32.self, forKey: .pid))
        case .failed:
            self = .failed(MonitorFailure(stage: try c.decode(MonitorFailure.Stage.self, forKey: .stage),
                                          errno: try c.decode(Int32.self, forKey: .errno),
                                          detail: try c.decode(String.self, forKey: .detail)))
        }
    }

    /// The message as it goes on the pipe: JSON and a newline (JSON escapes any newline
    /// inside a detail, so one line is one message).
    public func line() -> [UInt8] {
        // Keys sorted: the same message is the same line, for whoever reads a trace.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding these types cannot fail (strings and integers only).
        let json = (try? encoder.encode(self)) ?? Data()
        return Array(json) + [UInt8(ascii: "\n")]
    }

    public static func decode(line: some Collection<UInt8>) throws -> MonitorMessage {
        try JSONDecoder().decode(MonitorMessage.self, from: Data(line))
    }
}
