// A Dockerfile that BuildKit would refuse is the caller's to fix (SwiftboxError).
import SwiftboxErrors

extension DockerfileError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}
