// What compose needs from a container engine, as a protocol compose owns: the planner
// and executor are tested against a fake, and the CLI plugs in SwiftboxEngine.

public struct ContainerSummary: Sendable, Equatable {
    public enum Status: String, Sendable { case created, running, restarting, paused, exited, dead }
    public var id: String
    public var name: String
    /// The image as named, and its ID.
    public var image: String
    public var imageID: String
    public var labels: [String: String]
    public var status: Status
    public var exitCode: Int32 = 0
    /// starting, healthy, unhealthy; nil without a healthcheck (or before its first report).
    public var health: String?
    /// Whether the container has a healthcheck (its own or its image's).
    public var hasHealthcheck = false
    /// RFC 3339.
    public var created: String = ""
    public var startedAt: String?
    public var finishedAt: String?
    public var command: String = ""
    public var ports: [String] = []
    /// As `ps` shows it: "Up 3 seconds (healthy)", "Exited (0) 2 minutes ago".
    public var statusText: String = ""

    public init(id: String, name: String, image: String, imageID: String, labels: [String: String], status: Status) {
        self.id = id
        self.name = name
        self.image = image
        self.imageID = imageID
        self.labels = labels
        self.status = status
    }

    public var service: String? { labels[ComposeLabel.service] }
    public var number: Int { Int(labels[ComposeLabel.containerNumber] ?? "") ?? 0 }
    public var isOneOff: Bool { labels[ComposeLabel.oneoff] == "True" }
    public var isRunning: Bool { status == .running || status == .restarting || status == .paused }
}

/// A container compose asks for: the service it comes from, and what compose decides
/// (its name, labels; for `run`, the command and extra environment).
public struct ContainerSpec: Sendable, Equatable {
    public var name: String
    public var service: Service
    /// The image to run: `image:`, or the one `build:` made (`<project>-<service>`).
    public var image: String
    public var labels: [String: String]
    /// Overrides for one-off containers (`compose run`).
    public var command: [String]?
    public var entrypoint: [String]?
    public var extraEnv: [String: String] = [:]
    public var autoRemove = false
    public var interactive = false
    public var tty = false
    /// The project's networks and volumes by their real names (project_default, …).
    public var networks: [String: String] = [:]
    public var volumes: [String: String] = [:]
    /// Secrets and configs to mount read-only (file sources by path, the others by content).
    public var files: [MountedFile] = []
    public var projectName: String

    public init(name: String, service: Service, image: String? = nil, labels: [String: String], projectName: String) {
        self.name = name
        self.service = service
        self.image = image ?? service.image ?? "\(projectName)-\(service.name)"
        self.labels = labels
        self.projectName = projectName
    }
}

/// A secret (at /run/secrets/NAME) or config (at its target) for one container.
public struct MountedFile: Sendable, Equatable {
    public enum Source: Sendable, Equatable { case path(String), content(String) }
    /// "secret" or "config", and its name in the project.
    public var kind: String
    public var name: String
    public var source: Source
    public var target: String
    public var uid: String?
    public var gid: String?
    public var mode: Int?
}

public protocol ComposeEngine: Sendable {
    /// Containers carrying all these labels (running or not).
    func list(labels: [String: String]) throws -> [ContainerSummary]
    func inspect(_ id: String) -> ContainerSummary?
    /// The local image's ID, or nil when it is not there.
    func imageID(_ reference: String) -> String?
    func pull(_ reference: String) throws
    /// Build an image (compose `build:`); its ID. The engine prints the build's progress.
    func build(_ request: BuildRequest) throws -> String
    /// Remove an image by name (`down --rmi`).
    func removeImage(_ reference: String) throws
    /// Create; returns the ID and what it could not apply (one warning each).
    func create(_ spec: ContainerSpec) throws -> (id: String, warnings: [String])
    func start(_ id: String) throws
    func stop(_ id: String, timeout: Int?) throws
    func kill(_ id: String, signal: String) throws
    func remove(_ id: String, force: Bool) throws
    /// Block until the container exits; its code.
    func wait(_ id: String) -> Int32
    func pause(_ id: String) throws
    func unpause(_ id: String) throws

    /// Networks and volumes: nil when the engine has no such API yet (then compose
    /// records the step in its plan and runs containers without them).
    var supportsNetworks: Bool { get }
    var supportsVolumes: Bool { get }
    func networkExists(_ name: String) -> Bool
    func createNetwork(_ name: String, config: NetworkConfig, labels: [String: String]) throws
    func removeNetwork(_ name: String) throws
    func volumeExists(_ name: String) -> Bool
    func createVolume(_ name: String, config: VolumeConfig, labels: [String: String]) throws
    func removeVolume(_ name: String) throws
    /// Names of networks / volumes carrying these labels.
    func networks(labels: [String: String]) -> [String]
    func volumes(labels: [String: String]) -> [String]
}

extension ComposeEngine {
    public var supportsNetworks: Bool { false }
    public var supportsVolumes: Bool { false }
    public func networkExists(_ name: String) -> Bool { false }
    public func createNetwork(_ name: String, config: NetworkConfig, labels: [String: String]) throws {}
    public func removeNetwork(_ name: String) throws {}
    public func volumeExists(_ name: String) -> Bool { false }
    public func createVolume(_ name: String, config: VolumeConfig, labels: [String: String]) throws {}
    public func removeVolume(_ name: String) throws {}
    public func networks(labels: [String: String]) -> [String] { [] }
    public func volumes(labels: [String: String]) -> [String] { [] }
    public func build(_ request: BuildRequest) throws -> String { throw ComposeError("building images is not supported by this engine") }
    public func removeImage(_ reference: String) throws { throw ComposeError("removing images is not supported by this engine") }
    public func pause(_ id: String) throws { throw ComposeError("pause is not supported by this engine") }
    public func unpause(_ id: String) throws { throw ComposeError("unpause is not supported by this engine") }
}
