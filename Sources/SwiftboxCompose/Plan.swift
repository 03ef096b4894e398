// A plan: what `up` (and `down`) will do, as data. The planner computes it without
// touching anything; `up --dry-run` prints it; the executor carries it out.

public struct PlanStep: Equatable, Sendable, CustomStringConvertible {
    public enum Action: Equatable, Sendable {
        case createNetwork
        case createVolume
        /// A new container number n.
        case create
        /// Replace the existing container (stop, remove, create, start).
        case recreate(reason: String)
        /// Start an existing stopped container.
        case start
        /// Already as wanted and running.
        case keep
        /// Scale down or orphan: stop and remove.
        case remove(reason: String)
        case removeNetwork
        case removeVolume
        case stop
    }
    public var action: Action
    /// The service this is for (nil for networks, volumes and orphans).
    public var service: String?
    /// The container's, network's or volume's name.
    public var name: String
    public var number: Int = 0
    /// The existing container's ID.
    public var containerID: String?

    public init(_ action: Action, service: String?, name: String, number: Int = 0, containerID: String? = nil) {
        self.action = action
        self.service = service
        self.name = name
        self.number = number
        self.containerID = containerID
    }

    public var resource: String {
        switch action {
        case .createNetwork, .removeNetwork: return "Network"
        case .createVolume, .removeVolume: return "Volume"
        default: return "Container"
        }
    }

    /// One line as `up --dry-run` prints it.
    public var description: String {
        let what: String
        switch action {
        case .createNetwork, .createVolume, .create: what = "Create"
        case .recreate(let r): what = "Recreate (\(r))"
        case .start: what = "Start"
        case .keep: what = "Running"
        case .remove(let r): what = "Remove (\(r))"
        case .removeNetwork, .removeVolume: what = "Remove"
        case .stop: what = "Stop"
        }
        return "\(resource) \(name)  \(what)"
    }
}

public struct Plan: Equatable, Sendable, CustomStringConvertible {
    public var steps: [PlanStep] = []
    /// Services in the order their dependencies allow (each after what it depends on).
    public var order: [String] = []
    public var warnings: [String] = []
    public init() {}

    public func steps(for service: String) -> [PlanStep] { steps.filter { $0.service == service } }
    public var description: String { steps.map(\.description).joined(separator: "\n") }
}
