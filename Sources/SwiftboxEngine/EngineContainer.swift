// A container as the engine (`swiftbox run`, `ps`, …) knows it: what the user asked
// for (config.json, written once at create) and what happened since (state.json,
// written by the container's monitor and by stop/rm).
import SwiftboxOCI
import SwiftboxNetwork

public struct EngineContainer: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    /// The image as the user named it, and its ID.
    public var image: String
    public var imageID: String
    public var created: String
    /// The process: Docker's Path and Args (entrypoint + cmd combined).
    public var path: String
    public var args: [String]
    public var env: [String]
    public var workingDir: String
    public var user: String
    public var hostname: String
    public var labels: [String: String]
    public var stopSignal: String
    public var stopTimeout: Int
    public var autoRemove: Bool
    public var readOnly: Bool
    public var privileged: Bool
    public var capAdd: [String]
    public var capDrop: [String]
    /// --device: host nodes made available in the container (nil: none).
    public var devices: [DeviceMapping]?
    /// Later additions are optional so records written by older versions still load.
    public var initProcess: Bool?
    /// nil: the default profile; "unconfined"; or a profile's JSON.
    public var seccompProfile: String?
    public var noNewPrivileges: Bool?
    /// Docker's --ulimit values: "nofile=1024:2048".
    public var ulimits: [String]?
    /// --log-opt max-size (bytes) and max-file.
    public var logMaxSize: Int64?
    public var logMaxFiles: Int?
    /// -i: keep stdin open (fed from an attached client); -t: a pseudo-terminal.
    public var interactive: Bool?
    public var tty: Bool?
    /// The size of the terminal `run -t` was started from (rows, columns).
    public var consoleRows: UInt?
    public var consoleColumns: UInt?
    // MARK: health and restart
    /// The image's healthcheck merged with the --health-* flags; nil or disabled: none.
    public var healthcheck: HealthConfig?
    public var restartPolicy: RestartPolicy?
    public var healthOnFailure: HealthFailureAction?
    // MARK: resources
    /// linux.resources for config.json (from --memory, --cpus, …; changed by `update`).
    public var resources: RuntimeSpec.Linux.Resources?
    /// --cpus as given (billionths of a CPU), for inspect's HostConfig.NanoCpus.
    public var nanoCPUs: Int64?
    // MARK: volumes
    /// Volumes, binds and tmpfs mounts (-v, --mount, --tmpfs, --volumes-from, image VOLUMEs).
    public var mounts: [ContainerMount]?
    // MARK: network
    /// "none", "host", "container:<id>", or the first network's name (nil: none, as
    /// records written before networking).
    public var networkMode: String?
    /// Bridge networks in interface order (eth0, eth1, …); addresses live in the networks' records.
    public var networks: [NetworkAttachment]?
    /// --ip (for the first network).
    public var requestedIP: String?
    public var publish: [PortRequest]?
    public var dns: [String]?
    public var dnsSearch: [String]?
    public var dnsOptions: [String]?
    /// --add-host NAME:IP
    public var extraHosts: [String]?
    // MARK: user namespace
    /// --userns-remap (or the root's default when created): the host range its IDs are.
    public var usernsRemap: UsernsRemap?
    /// A build step (RunOptions.buildStep).
    public var buildStep: Bool?

    public var shortID: String { String(id.prefix(12)) }
}

public struct EngineState: Codable, Equatable, Sendable {
    /// `unknown`: state.json could not be read (EngineStore.state; `error` says why).
    public enum Status: String, Codable, Sendable { case created, running, restarting, exited, dead, unknown }
    public var status: Status
    public var pid: Int32 = 0
    public var monitorPid: Int32 = 0
    public var monitorStartTime: UInt64?
    public var exitCode: Int32 = 0
    public var startedAt: String?
    public var finishedAt: String?
    public var error: String?
    /// Started by a command that attaches (foreground `run`, `start -a`): with -i/-t the
    /// monitor waits for its first client before starting the container.
    public var attached = false
    /// Set by stop/kill, so a restart policy (later) knows the exit was asked for.
    public var stoppedByUser = false
    /// Set by `restart` before its stop: this exit is not the end of a --rm container
    /// (as Docker, which turns AutoRemove off for a restart). Cleared by the start.
    public var keepOnExit: Bool?
    // MARK: health and restart
    /// Restarts by the policy since the last manual start (inspect's RestartCount).
    public var restartCount: Int?
    /// State.Health; nil for a container without a healthcheck.
    public var health: HealthRecord?
    // MARK: resources
    /// The kernel OOM-killed a process of the container during its last run.
    public var oomKilled: Bool?

    public init(status: Status) { self.status = status }
}
