// The exit status of a command that failed, as Docker's CLI gives it (docs: "docker
// run" exit status): 125 when the container could not be run, 126 when its command
// cannot be executed, 127 when it cannot be found, else the container's own status.
// Users script against these; the CLI's faces all end through this one function.

extension SwiftboxError {
    /// `otherwise`: the status of a failure that is none of those, which the face
    /// chooses — 125 for the engine's commands (Docker's CLI), 1 for compose's (Docker
    /// Compose exits 1 on its errors).
    public func exitCode(otherwise: Int32) -> Int32 {
        switch code {
        case .commandNotFound: return 127
        case .commandNotExecutable: return 126
        case .startFailed: return 125
        case .containerExit(let status): return status
        case .notFound, .conflict, .invalidArgument, .internal: return otherwise
        }
    }
}
