// The state of a container as the OCI runtime spec defines it (runtime.md, "State"),
// printed by `swiftbox oci state`.

/// The lifecycle: creating → created → running → stopped; a running container may be
/// paused (frozen) and resumed (runc's extension of the spec's states).
public enum ContainerStatus: String, Codable, Sendable {
    case creating, created, running, stopped, paused
}

public struct ContainerState: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var id: String
    public var status: ContainerStatus
    public var pid: Int32?
    public var bundle: String
    public var annotations: [String: String]?

    public init(ociVersion: String = "1.0.2", id: String, status: ContainerStatus, pid: Int32?, bundle: String,
                annotations: [String: String]? = nil) {
        self.ociVersion = ociVersion
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.annotations = annotations
    }
}
