// Errors of networking, worded as Docker words them where users script against them.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    case invalidCIDR(String)
    case invalidAddress(String)
    case notFound(String)
    case nameExists(String)
    case overlaps(String, String)
    case gatewayOutside(String, String)
    case rangeOutside(String, String)
    case poolExhausted
    case addressesExhausted(String)
    case addressInUse(String, String)
    case addressOutside(String, String)
    case ipWithoutSubnet
    case activeEndpoints(String, String)
    case predefined(String)
    case alreadyConnected(String, String)
    case notConnected(String, String)
    case invalidName(String)
    case netlink(String, Int32)
    case failed(String)

    public var description: String {
        switch self {
        case .invalidCIDR(let s): return "invalid CIDR address: \(s)"
        case .invalidAddress(let s): return "invalid IPv4 address: \(s)"
        case .notFound(let n): return "network \(n) not found"
        case .nameExists(let n): return "network with name \(n) already exists"
        case .overlaps(let s, let other):
            return "Pool overlaps with other one on this address space: \(s) overlaps with \(other)"
        case .gatewayOutside(let g, let s): return "invalid gateway \(g): it is not in subnet \(s)"
        case .rangeOutside(let r, let s): return "invalid ip-range \(r): it is not within subnet \(s)"
        case .poolExhausted:
            return "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"
        case .addressesExhausted(let n): return "no available IPv4 addresses on network \(n)"
        case .addressInUse(let a, let n): return "Address already in use: \(a) on network \(n)"
        case .addressOutside(let a, let n): return "invalid address \(a): it is not in the subnet (or ip-range) of network \(n)"
        case .ipWithoutSubnet:
            return "user specified IP address is supported only when connecting to networks with user configured subnets"
        case .activeEndpoints(let n, let id): return "error while removing network: network \(n) id \(id) has active endpoints"
        case .predefined(let n): return "\(n) is a pre-defined network and cannot be removed"
        case .alreadyConnected(let c, let n): return "endpoint with name \(c) already exists in network \(n)"
        case .notConnected(let c, let n): return "container \(c) is not connected to network \(n)"
        case .invalidName(let n): return "invalid network name \"\(n)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        case .netlink(let what, let e): return "netlink: \(what): \(errnoText(e))"
        case .failed(let m): return m
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

func errnoText(_ e: Int32) -> String { String(cString: strerror(e)) }
