// RUN's arguments: the command, its heredocs and the BuildKit flags that change how
// the step runs (--mount, --network, --security, --device).

public struct RunSpec: Equatable, Sendable {
    /// The command to run. For a heredoc RUN BuildKit rewrites the shell form:
    /// - `RUN <<EOF` alone: `.shell(body)`, the body run as the script (tabs already
    ///   stripped for `<<-`). If the body starts with `#!` BuildKit instead runs it as an
    ///   executable file: the builder sees that in `heredocs[0].content`.
    /// - a command line with heredocs (`RUN <<A cat - <<B`): `.shell` of the line, then
    ///   for each heredoc a newline, its body and its delimiter, for the shell to read.
    public var command: Command
    /// The heredocs named on the line, in order, bodies as written (not chomped).
    public var heredocs: [Heredoc]
    /// `--mount=…`, in order (repeatable).
    public var mounts: [RunMount]
    /// `--network=default|none|host`.
    public var network: String?
    /// `--security=insecure|sandbox`.
    public var security: String?
    /// `--device=…` (raw, repeatable). An addition to the agreed API.
    public var devices: [String]

    public init(command: Command, heredocs: [Heredoc] = [], mounts: [RunMount] = [],
                network: String? = nil, security: String? = nil, devices: [String] = []) {
        self.command = command
        self.heredocs = heredocs
        self.mounts = mounts
        self.network = network
        self.security = security
        self.devices = devices
    }
}

/// One `--mount=type=…,target=…,…` of a RUN. Values are raw: BuildKit expands them with
/// the step's build args when it runs the step.
public struct RunMount: Equatable, Sendable {
    public enum Kind: String, Sendable { case bind, cache, tmpfs, secret, ssh }
    /// Default bind.
    public var kind: Kind
    /// Where it appears in the container. Required for bind, cache and tmpfs. A secret
    /// without one gets /run/secrets/<id> here; an ssh mount without one is left "" (its
    /// default, /run/buildkit/ssh_agent.<n>, depends on the other ssh mounts).
    public var target: String
    public var source: String?
    public var from: String?
    public var id: String?
    /// rw / readwrite; ro / readonly. Default: false for bind, secret and ssh; true for
    /// cache and tmpfs.
    public var readWrite: Bool
    /// shared|private|locked (cache only).
    public var sharing: String?
    /// secret and ssh only.
    public var required: Bool
    public var mode: String?
    public var uid: String?
    public var gid: String?
    /// tmpfs only.
    public var size: String?
    /// secret only: the environment variable to expose the secret as. An addition.
    public var env: String?

    public init(kind: Kind = .bind, target: String, source: String? = nil, from: String? = nil,
                id: String? = nil, readWrite: Bool = false, sharing: String? = nil, required: Bool = false,
                mode: String? = nil, uid: String? = nil, gid: String? = nil, size: String? = nil,
                env: String? = nil) {
        self.kind = kind
        self.target = target
        self.source = source
        self.from = from
        self.id = id
        self.readWrite = readWrite
        self.sharing = sharing
        self.required = required
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.env = env
    }
}
