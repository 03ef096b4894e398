// How `ps` and `inspect` show health and restart state, in Docker's words and shapes.
import SwiftboxEngine

enum HealthText {
    /// ps STATUS after "Up 5 seconds": " (healthy)", " (unhealthy)", " (health: starting)".
    static func suffix(_ h: HealthRecord?) -> String {
        switch h?.Status {
        case nil: return ""
        case .starting?: return " (health: starting)"
        case .healthy?: return " (healthy)"
        case .unhealthy?: return " (unhealthy)"
        }
    }

    /// inspect's Config.Healthcheck (durations in nanoseconds, as Docker prints them).
    struct HealthcheckJSON: Encodable {
        var Test: [String]
        var Interval: Int64?
        var Timeout: Int64?
        var StartPeriod: Int64?
        var StartInterval: Int64?
        var Retries: Int?
        init(_ h: HealthConfig) {
            Test = h.test ?? []
            Interval = h.interval; Timeout = h.timeout; StartPeriod = h.startPeriod; StartInterval = h.startInterval; Retries = h.retries
        }
    }

    struct HostConfigJSON: Encodable {
        struct Policy: Encodable {
            var Name: String
            var MaximumRetryCount: Int
        }
        var RestartPolicy: Policy
        var AutoRemove: Bool
        var Privileged: Bool
        /// --device entries: PathOnHost, PathInContainer, CgroupPermissions (Docker's shape).
        var Devices: [DeviceMapping]
        // MARK: resources (filled in ResourceHostConfig.swift; Docker's names and zero values)
        var Memory: Int64 = 0, MemorySwap: Int64 = 0, MemoryReservation: Int64 = 0, NanoCpus: Int64 = 0, CpuShares: Int64 = 0
        var CpuQuota: Int64 = 0, CpuPeriod: Int64 = 0, CpusetCpus = "", CpusetMems = "", PidsLimit: Int64?, BlkioWeight = 0, OomKillDisable: Bool?
        init(_ c: EngineContainer) {
            let p = c.restartPolicy ?? .no
            RestartPolicy = .init(Name: p.name, MaximumRetryCount: p.maximumRetryCount)
            AutoRemove = c.autoRemove
            Privileged = c.privileged
            Devices = c.devices ?? []
            fillResources(from: c)
        }
    }
}
