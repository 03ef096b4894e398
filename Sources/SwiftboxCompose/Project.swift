// The normalized project: what every compose file, override, interpolation and default
// amounts to. Every service key of the Compose spec we know is parsed into it, including
// the ones the engine cannot apply yet (the executor warns about those); `compose config`
// prints it, and a service's config hash is taken over its encoding.

public struct Project: Codable, Equatable, Sendable {
    public var name: String
    public var workingDir: String
    /// The files it was loaded from, in merge order.
    public var composeFiles: [String]
    public var services: [String: Service]
    /// Services left out because none of their profiles is active (still valid targets of `run`).
    public var disabledServices: [String: Service] = [:]
    public var networks: [String: NetworkConfig] = [:]
    public var volumes: [String: VolumeConfig] = [:]
    public var secrets: [String: FileObjectConfig] = [:]
    public var configs: [String: FileObjectConfig] = [:]

    public init(name: String, workingDir: String, composeFiles: [String], services: [String: Service]) {
        self.name = name
        self.workingDir = workingDir
        self.composeFiles = composeFiles
        self.services = services
    }

    public var serviceNames: [String] { services.keys.sorted() }

    /// Every profile any service names, sorted.
    public var allProfiles: [String] {
        Set((Array(services.values) + Array(disabledServices.values)).flatMap(\.profiles)).sorted()
    }
}

public struct Service: Codable, Equatable, Sendable {
    public var name: String
    public var image: String?
    /// `build:`: how to build the image when it is missing (or on `up --build`); the image
    /// is then named `image:`, or `<project>-<service>` (Project.imageName(of:)).
    public var build: BuildSpec?
    public var command: [String]?
    public var entrypoint: [String]?
    /// A name listed without a value takes the shell's value; left out when that is unset.
    public var environment: [String: String] = [:]
    public var ports: [PortConfig] = []
    public var expose: [String] = []
    public var volumes: [ServiceVolume] = []
    public var tmpfs: [String] = []
    public var networks: [String: ServiceNetwork] = [:]
    public var networkMode: String?
    public var dependsOn: [String: Dependency] = [:]
    public var healthcheck: Healthcheck?
    public var restart: String?
    public var deploy: Deploy?
    public var memLimit: Int64?
    public var memReservation: Int64?
    public var cpus: Double?
    public var pidsLimit: Int?
    public var scale: Int?
    public var user: String?
    public var workingDir: String?
    public var hostname: String?
    public var domainname: String?
    public var dns: [String] = []
    public var dnsSearch: [String] = []
    /// "host:ip" as Compose prints them.
    public var extraHosts: [String] = []
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    public var privileged: Bool?
    /// devices: "HOST[:CONTAINER[:PERMS]]", as `run --device` (nil: none, and no change to the config hash).
    public var devices: [String]?
    public var readOnly: Bool?
    public var securityOpt: [String] = []
    public var ulimits: [String: Ulimit] = [:]
    public var sysctls: [String: String] = [:]
    public var `init`: Bool?
    public var stopSignal: String?
    /// Seconds.
    public var stopGracePeriod: Double?
    public var labels: [String: String] = [:]
    public var logging: Logging?
    public var containerName: String?
    public var profiles: [String] = []
    public var secrets: [FileReference] = []
    public var configs: [FileReference] = []
    public var pullPolicy: String?
    public var stdinOpen: Bool?
    public var tty: Bool?
    public var platform: String?
    /// Spec keys we recognise but the engine has no equivalent for (shm_size, gpus, …):
    /// kept so `config` shows them and `up` warns.
    public var unsupported: [String] = []

    public init(name: String) { self.name = name }

    /// Replicas: deploy.replicas, else scale, else 1.
    public var replicas: Int { deploy?.replicas ?? scale ?? 1 }
}

public struct PortConfig: Codable, Equatable, Hashable, Sendable {
    public var target: Int
    /// "8080" or a range "8080-8081"; nil: an ephemeral host port.
    public var published: String?
    public var hostIp: String?
    public var `protocol`: String = "tcp"
    public var mode: String = "ingress"
    public var name: String?
    public var appProtocol: String?
    public init(target: Int, published: String? = nil, hostIp: String? = nil, protocol: String = "tcp") {
        self.target = target
        self.published = published
        self.hostIp = hostIp
        self.protocol = `protocol`
    }
    /// docker's -p form: [IP:][PUBLISHED:]TARGET/PROTO
    public var publishSpec: String {
        var s = ""
        if let hostIp { s += (hostIp.contains(":") ? "[\(hostIp)]" : hostIp) + ":" }
        if let published { s += published + ":" } else if hostIp != nil { s += ":" }
        return s + "\(target)/\(`protocol`)"
    }
}

public struct ServiceVolume: Codable, Equatable, Sendable {
    /// volume, bind, tmpfs (also npipe, cluster, image: refused by the engine).
    public var type: String
    /// Volume name (the key under top-level volumes:), host path (absolute), or nil.
    public var source: String?
    public var target: String
    public var readOnly: Bool = false
    public var bind: BindOptions?
    public var volume: VolumeOptions?
    public var tmpfs: TmpfsOptions?
    public var consistency: String?
    public struct BindOptions: Codable, Equatable, Sendable {
        public var propagation: String?
        public var createHostPath: Bool?
        public var selinux: String?
    }
    public struct VolumeOptions: Codable, Equatable, Sendable {
        public var nocopy: Bool?
        public var subpath: String?
    }
    public struct TmpfsOptions: Codable, Equatable, Sendable {
        public var size: Int64?
        public var mode: Int?
    }
}

public struct ServiceNetwork: Codable, Equatable, Sendable {
    public var aliases: [String] = []
    public var ipv4Address: String?
    public var ipv6Address: String?
    public var priority: Int?
    public init() {}
}

public struct Dependency: Codable, Equatable, Sendable {
    public enum Condition: String, Codable, Sendable {
        case serviceStarted = "service_started"
        case serviceHealthy = "service_healthy"
        case serviceCompletedSuccessfully = "service_completed_successfully"
    }
    public var condition: Condition = .serviceStarted
    /// Restart this service when the dependency is updated.
    public var restart: Bool = false
    /// false: a missing or disabled dependency is only a warning.
    public var required: Bool = true
    public init(condition: Condition = .serviceStarted, restart: Bool = false, required: Bool = true) {
        self.condition = condition
        self.restart = restart
        self.required = required
    }
}

public struct Healthcheck: Codable, Equatable, Sendable {
    /// ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"].
    public var test: [String]?
    /// Seconds.
    public var interval: Double?
    public var timeout: Double?
    public var retries: Int?
    public var startPeriod: Double?
    public var startInterval: Double?
    public var disable: Bool = false
    public init() {}
}

public struct Deploy: Codable, Equatable, Sendable {
    public var mode: String?
    public var replicas: Int?
    public var labels: [String: String] = [:]
    public var resources: Resources?
    public var restartPolicy: RestartPolicy?
    public struct Resources: Codable, Equatable, Sendable {
        public var limits: Resource?
        public var reservations: Resource?
    }
    public struct Resource: Codable, Equatable, Sendable {
        public var cpus: Double?
        public var memory: Int64?
        public var pids: Int?
    }
    public struct RestartPolicy: Codable, Equatable, Sendable {
        /// none, on-failure, any
        public var condition: String?
        public var delay: Double?
        public var maxAttempts: Int?
        public var window: Double?
    }
}

public struct Ulimit: Codable, Equatable, Sendable {
    public var soft: Int
    public var hard: Int
}

public struct Logging: Codable, Equatable, Sendable {
    public var driver: String?
    public var options: [String: String] = [:]
}

/// A service's secrets: and configs: entries.
public struct FileReference: Codable, Equatable, Sendable {
    public var source: String
    public var target: String?
    public var uid: String?
    public var gid: String?
    public var mode: Int?
}

public struct NetworkConfig: Codable, Equatable, Sendable {
    /// The network's real name: `<project>_<key>`, or `name:`, or the key when external.
    public var name: String
    public var driver: String?
    public var driverOpts: [String: String] = [:]
    public var external: Bool = false
    public var `internal`: Bool = false
    public var attachable: Bool = false
    public var enableIpv6: Bool = false
    public var labels: [String: String] = [:]
    public var ipam: IPAM?
    public init(name: String) { self.name = name }
    public struct IPAM: Codable, Equatable, Sendable {
        public var driver: String?
        public var config: [Pool] = []
    }
    public struct Pool: Codable, Equatable, Sendable {
        public var subnet: String?
        public var gateway: String?
        public var ipRange: String?
    }
}

public struct VolumeConfig: Codable, Equatable, Sendable {
    public var name: String
    public var driver: String?
    public var driverOpts: [String: String] = [:]
    public var external: Bool = false
    public var labels: [String: String] = [:]
    public init(name: String) { self.name = name }
}

/// Top-level secrets: and configs:.
public struct FileObjectConfig: Codable, Equatable, Sendable {
    public var name: String
    /// Absolute path.
    public var file: String?
    /// Name of an environment variable holding the content.
    public var environment: String?
    /// configs only: inline content.
    public var content: String?
    public var external: Bool = false
    public var labels: [String: String] = [:]
}
