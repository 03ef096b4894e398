// Which kind of failure each networking error is, for the engine's callers
// (SwiftboxError).
import SwiftboxErrors

extension NetworkError: SwiftboxErrorConvertible {
    public var swiftboxCode: SwiftboxError.Code {
        switch self {
        case .notFound: return .notFound(.network)
        case .nameExists, .overlaps, .addressInUse, .activeEndpoints, .predefined, .alreadyConnected, .notConnected:
            return .conflict
        case .invalidCIDR, .invalidAddress, .gatewayOutside, .rangeOutside, .addressOutside, .ipWithoutSubnet, .invalidName:
            return .invalidArgument
        case .poolExhausted, .addressesExhausted, .netlink, .failed: return .internal
        }
    }
}
