// A container's first process that could not be started, for the engine's callers
// (SwiftboxError): an execve that failed is the command's fault (127 when it does not
// exist, 126 when it cannot run, as Docker); any other step is a failed start (125).
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxErrors

extension LaunchError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code {
        guard isExec else { return .startFailed }
        return errno == ENOENT ? .commandNotFound : .commandNotExecutable
    }
}
