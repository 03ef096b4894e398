// A monitor's failure as the engine's callers see it (SwiftboxError), and how the
// monitor makes one from the error it caught.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxErrors
import SwiftboxKernel
import SwiftboxRuntime

extension MonitorFailure: SwiftboxErrorConvertible {
    /// execve's errno decides Docker's 127 (not found) or 126 (cannot execute); a
    /// failure at any other stage is a start that failed (125).
    public var swiftboxCode: SwiftboxError.Code {
        guard stage == .exec else { return .startFailed }
        return errno == ENOENT ? .commandNotFound : .commandNotExecutable
    }

    /// The failure of `error`, caught at `stage`: an execve that failed is the exec
    /// stage whatever the monitor was doing; the errno is the failing call's.
    public init(stage: Stage, error: Error) {
        switch error {
        case let e as MonitorFailure:
            self = e
        case let e as LaunchError:
            self.init(stage: e.isExec ? .exec : stage, errno: e.errno, detail: "\(e)")
        case let e as KernelError:
            self.init(stage: stage, errno: e.errno, detail: "\(e)")
        default:
            self.init(stage: stage, errno: 0, detail: "\(error)")
        }
    }
}
