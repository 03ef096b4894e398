// The rest of linux.resources (config-linux.md): huge page limits, network class and
// priorities, and RDMA limits — each for a controller a host may well lack.
extension RuntimeSpec.Linux.Resources {
    /// One huge page size's limit: pageSize as the kernel names it ("2MB", "1GB", "64KB").
    public struct HugepageLimit: Codable, Equatable, Sendable {
        public var pageSize: String
        public var limit: UInt64
        public init(pageSize: String, limit: UInt64) { self.pageSize = pageSize; self.limit = limit }
    }

    /// net_cls class id for the container's packets, and net_prio priorities per interface.
    public struct Network: Codable, Equatable, Sendable {
        public var classID: UInt32?
        public var priorities: [InterfacePriority]?
        public init(classID: UInt32? = nil, priorities: [InterfacePriority]? = nil) {
            self.classID = classID
            self.priorities = priorities
        }
    }

    public struct InterfacePriority: Codable, Equatable, Sendable {
        public var name: String
        public var priority: UInt32
        public init(name: String, priority: UInt32) { self.name = name; self.priority = priority }
    }

    /// Limits of one RDMA device.
    public struct Rdma: Codable, Equatable, Sendable {
        public var hcaHandles: UInt32?
        public var hcaObjects: UInt32?
        public init(hcaHandles: UInt32? = nil, hcaObjects: UInt32? = nil) {
            self.hcaHandles = hcaHandles
            self.hcaObjects = hcaObjects
        }
    }
}
