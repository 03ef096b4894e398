// Which kind of failure each of the engine's errors is, for its callers (SwiftboxError):
// the CLI's exit status and the API's HTTP status follow from it.
import SwiftboxErrors

extension EngineError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code {
        switch self {
        case .noSuchContainer: return .notFound(.container)
        case .nameInUse, .notRunning, .running: return .conflict
        // An ID prefix that names several containers: the caller must say more (moby
        // answers its "multiple IDs found" as an invalid parameter).
        case .invalidName, .ambiguous: return .invalidArgument
        case .failed, .unreadable: return .internal
        }
    }
}

extension VolumeError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code {
        switch self {
        case .noSuchVolume: return .notFound(.volume)
        case .inUse: return .conflict
        case .invalidName, .invalidOption: return .invalidArgument
        }
    }
}

// A flag value the engine cannot read is the caller's to fix.
extension MountSyntaxError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}
extension HealthConfigError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}
extension RestartPolicy.ParseError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}
extension DockerUnits.Invalid: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}
extension GoDuration.ParseError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}


// The monitor's report that it could not start the container, with Docker's status
// for it (the status is the monitor's: SwiftboxError.exitCode of its own error).
extension Engine.StartError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code {
        switch code {
        case 127: return .commandNotFound
        case 126: return .commandNotExecutable
        default: return .startFailed
        }
    }
}
