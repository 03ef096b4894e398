// Which kind of failure each of the image store's errors is, for the engine's callers
// (SwiftboxError).
import SwiftboxErrors

extension ImageError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code {
        switch self {
        case .notFound: return .notFound(.image)
        case .inUse: return .conflict
        case .unsupported: return .invalidArgument
        case .digestMismatch, .blobMissing, .malformed, .layer, .io: return .internal
        }
    }
}

extension ImageReferenceError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code { .invalidArgument }
}
