// The one error the engine's callers see: a code that says what kind of failure it is,
// the message users read, and the error underneath. Two faces call the engine — the
// CLI and (issue #19) the Docker Engine API — and each turns the code into its own
// answer in one place: an exit status (DockerExitCode.swift) or an HTTP status
// (HTTPStatus.swift). The modules below keep their own small error types, whose
// messages name the input; each conforms them to SwiftboxErrorConvertible, so the
// kind of failure is decided where the error is made, not guessed from its text.

public struct SwiftboxError: Error, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case container, image, network, volume, service, object
    }

    public enum Code: Sendable, Equatable {
        /// A container, image, network, … that does not exist.
        case notFound(Kind)
        /// The request collides with the state: a name in use, a running container to
        /// remove, one that is not running to exec in.
        case conflict
        /// The request itself is wrong: a bad flag value, name, compose file, Dockerfile.
        case invalidArgument
        /// The container's command does not exist (Docker: exit 127).
        case commandNotFound
        /// The container's command exists but cannot be executed (Docker: exit 126).
        case commandNotExecutable
        /// The container could not be started for another reason (Docker: exit 125).
        case startFailed
        /// The container ran and exited with this status.
        case containerExit(Int32)
        /// Anything else: the engine failed.
        case `internal`
    }

    public var code: Code
    /// Printed as it is (`swiftbox: <message>`): Docker-compatible texts users script against.
    public var message: String
    public var cause: Error?

    public init(_ code: Code, _ message: String, cause: Error? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Any error as the callers see it: its own code where its module gave it one,
    /// `internal` otherwise; the message is the error's text, unchanged.
    public init(_ error: Error) {
        if let e = error as? SwiftboxError {
            self = e
        } else if let e = error as? SwiftboxErrorConvertible {
            self = e.swiftboxError
        } else {
            self.init(.internal, "\(error)", cause: error)
        }
    }

    public var description: String { message }
}

/// An error that knows which kind of failure it is. Conformances sit beside the error
/// types (EngineError in SwiftboxEngine, ImageError in SwiftboxImage, …).
public protocol SwiftboxErrorConvertible: Error {
    var swiftboxCode: SwiftboxError.Code { get }
}

extension SwiftboxErrorConvertible {
    public var swiftboxError: SwiftboxError { SwiftboxError(swiftboxCode, "\(self)", cause: self) }
}
