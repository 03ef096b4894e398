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

