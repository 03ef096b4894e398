// A compose file or request that cannot be used is the caller's to fix (SwiftboxError).
import SwiftboxErrors

extension ComposeError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}
