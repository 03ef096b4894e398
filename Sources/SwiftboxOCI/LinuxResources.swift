// linux.resources of the OCI runtime spec (config-linux.md "Control groups"): what the
// cgroup drivers turn into file writes. Field names and units are the spec's, so a
// config.json written by podman, containerd or Docker round-trips unchanged.
extension RuntimeSpec.Linux {
    public struct Resources: Codable, Equatable, Sendable {
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        public var blockIO: BlockIO?
        /// cgroup v2 only: file name → value, written as given ("memory.high": "64M").
        public var unified: [String: String]?
        /// The device allowlist, applied in the listed order (config-linux.md "Allowed
        /// Device list"): v1 devices.allow/deny, a cgroup v2 BPF device program.
        public var devices: [DeviceCgroup]?
        public var hugepageLimits: [HugepageLimit]?
        public var network: Network?
        /// Device name → limits.
        public var rdma: [String: Rdma]?

        public init(memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil, blockIO: BlockIO? = nil,
                    unified: [String: String]? = nil, devices: [DeviceCgroup]? = nil) {
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
            self.blockIO = blockIO
            self.unified = unified
            self.devices = devices
        }

        /// One entry of linux.resources.devices. type: "a" (all), "c" or "b" (absent: "a");
        /// major/minor absent: any; access: letters of "rwm" (absent: "rwm").
        public struct DeviceCgroup: Codable, Equatable, Sendable {
            public var allow: Bool
            public var type: String?
            public var major: Int64?
            public var minor: Int64?
            public var access: String?
            public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
                self.allow = allow
                self.type = type
                self.major = major
                self.minor = minor
                self.access = access
            }
        }

        /// Bytes; -1 means unlimited. `swap` is memory+swap (v1 semantics, as Docker's --memory-swap).
        public struct Memory: Codable, Equatable, Sendable {
            public var limit: Int64?
            public var reservation: Int64?
            public var swap: Int64?
            public var kernel: Int64?
            /// Kernel TCP buffer memory (cgroup v1 memory.kmem.tcp.limit_in_bytes).
            public var kernelTCP: Int64?
            public var swappiness: UInt64?
            public var disableOOMKiller: Bool?
            public init(limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, swappiness: UInt64? = nil,
                        disableOOMKiller: Bool? = nil) {
                self.limit = limit
                self.reservation = reservation
                self.swap = swap
                self.swappiness = swappiness
                self.disableOOMKiller = disableOOMKiller
            }
        }

        /// shares: relative weight (v1 cpu.shares, 2…262144); quota/period: microseconds of
        /// CPU time per period (quota -1: unlimited); cpus/mems: cpuset lists ("0-1,3").
        public struct CPU: Codable, Equatable, Sendable {
            public var shares: UInt64?
            public var quota: Int64?
            public var period: UInt64?
            public var realtimeRuntime: Int64?
            public var realtimePeriod: UInt64?
            public var cpus: String?
            public var mems: String?
            public var idle: Int64?
            public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil, cpus: String? = nil, mems: String? = nil) {
                self.shares = shares
                self.quota = quota
                self.period = period
                self.cpus = cpus
                self.mems = mems
            }
        }

        /// Maximum number of tasks; 0 or -1: unlimited.
        public struct Pids: Codable, Equatable, Sendable {
            public var limit: Int64
            public init(limit: Int64) { self.limit = limit }
        }

        /// Weights 10…1000 (v1 blkio); throttles in bytes (or I/Os) per second per device.
        public struct BlockIO: Codable, Equatable, Sendable {
            public var weight: UInt16?
            public var leafWeight: UInt16?
            public var weightDevice: [WeightDevice]?
            public var throttleReadBpsDevice: [ThrottleDevice]?
            public var throttleWriteBpsDevice: [ThrottleDevice]?
            public var throttleReadIOPSDevice: [ThrottleDevice]?
            public var throttleWriteIOPSDevice: [ThrottleDevice]?
            public init(weight: UInt16? = nil, throttleReadBpsDevice: [ThrottleDevice]? = nil,
                        throttleWriteBpsDevice: [ThrottleDevice]? = nil) {
                self.weight = weight
                self.throttleReadBpsDevice = throttleReadBpsDevice
                self.throttleWriteBpsDevice = throttleWriteBpsDevice
            }
        }

        public struct WeightDevice: Codable, Equatable, Sendable {
            public var major: Int64
            public var minor: Int64
            public var weight: UInt16?
            public var leafWeight: UInt16?
        }

        public struct ThrottleDevice: Codable, Equatable, Sendable {
            public var major: Int64
            public var minor: Int64
            public var rate: UInt64
            public init(major: Int64, minor: Int64, rate: UInt64) { self.major = major; self.minor = minor; self.rate = rate }
        }
    }
}
