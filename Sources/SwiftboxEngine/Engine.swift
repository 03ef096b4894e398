// The engine's operations behind `swiftbox run|create|start|stop|kill|rm|ps|logs|exec`:
// daemonless — each command does its part and leaves the rest to the container's
// monitor. Exit codes follow Docker: the container's status; 125 when swiftbox itself
// fails; 126 when the command cannot be invoked; 127 when it is not found.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxImage
import SwiftboxKernel
import SwiftboxNetwork
import SwiftboxOCI
import SwiftboxRuntime

public struct RunOptions: Sendable {
    public var image: String
    public var name: String?
    public var args: [String] = []
    public var entrypoint: String?
    public var env: [String] = []
    public var workingDir: String?
    public var user: String?
    public var hostname: String?
    public var labels: [String: String] = [:]
    public var autoRemove = false
    public var readOnly = false
    public var privileged = false
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    /// --device HOST[:CONTAINER[:PERMS]], parsed.
    public var devices: [DeviceMapping] = []
    public var stopSignal: String?
    public var stopTimeout: Int?
    public var initProcess = false
    /// --security-opt values: seccomp=unconfined|PATH, no-new-privileges[=true|false].
    public var securityOpt: [String] = []
    public var ulimits: [String] = []
    /// --log-opt max-size=10m,max-file=3
    public var logOpts: [String] = []
    public var interactive = false
    public var tty = false
    public var consoleSize: (rows: UInt, columns: UInt)?
    // MARK: health and restart (HealthRestartOptions)
    public var restartPolicy: RestartPolicy?
    /// From the --health-* flags (["NONE"] for --no-healthcheck); merged with the image's.
    public var health: HealthConfig?
    public var healthOnFailure: HealthFailureAction?
    // MARK: resources
    /// --memory, --cpus, --pids-limit, … (nil: no limits asked).
    public var resources: ResourceFlags?
    // MARK: volumes
    /// -v, --mount and --tmpfs, parsed (MountParser).
    public var mounts: [ContainerMount] = []
    /// --volumes-from CONTAINER[:ro|rw]
    public var volumesFrom: [String] = []
    // MARK: network
    /// --network, in order (repeatable): bridge | NAME | none | host | container:NAME.
    public var networks: [String] = []
    public var ip: String?
    public var networkAliases: [String] = []
    /// -p specs and -P.
    public var publish: [String] = []
    public var publishAll = false
    public var dns: [String] = []
    public var dnsSearch: [String] = []
    public var dnsOptions: [String] = []
    public var addHosts: [String] = []
    // MARK: user namespace
    /// --userns-remap default|NAME[:GROUP]|UID:GID:COUNT|host; nil: the root's default
    /// (daemon.json, EngineConfig).
    public var usernsRemap: String?
    /// A build step's container (SwiftboxBuilder): its upper directory becomes a layer,
    /// so its overlay is mounted without the kernel's index, redirect_dir and metacopy
    /// features, whose traces no other machine could unpack.
    public var buildStep = false
    public init(image: String) { self.image = image }
}

public struct Engine: Sendable {
    public let root: String
    public let store: EngineStore
    public let images: ImageStore
    /// Where the OCI runtime keeps its state (tmpfs): cleared by a reboot, like the containers.
    public let runtimeRoot: String
    /// The swiftbox binary (for the monitor): its real path, so processes show as "swiftbox".
    public var executable: String = SealedExecutable.hostPath

    public init(root givenRoot: String, runtimeRoot: String? = nil) {
        // Absolute: paths under the root go into bundles and mount tables read by
        // other processes from other directories (`--root w/sb` made a rootfs path
        // that the runtime looked for below the bundle).
        let root = FileSystem.absolute(givenRoot)
        self.root = root
        store = EngineStore(root: root)
        images = ImageStore(root: root)
        self.runtimeRoot = runtimeRoot ?? Engine.defaultRuntimeRoot(for: root)
    }

    /// /run/swiftbox for the default root; a per-root directory otherwise, so tests and
    /// several roots never share runtime state.
    static func defaultRuntimeRoot(for root: String) -> String {
        if root == "/var/lib/swiftbox" { return "/run/swiftbox/oci" }
        return "/run/swiftbox/oci-" + String(Digest.of(Array(root.utf8)).hex.prefix(12))
    }

    /// The engine's own run-time files (the monitors' sockets): /run/swiftbox/engine for
    /// the default root, /run/swiftbox/engine-<hash of the root> otherwise — on tmpfs, so
    /// a reboot clears them, and short enough that "<dir>/<id>.attach" fits sun_path.
    /// 0700: only root (the owner) may enter (RunDirectory).
    public var runDirectory: String {
        runtimeRoot.hasPrefix("/run/swiftbox/oci") ? "/run/swiftbox/engine" + runtimeRoot.dropFirst("/run/swiftbox/oci".count)
            : runtimeRoot + ".engine"
    }

    func runtime() -> OCIRuntime {
        var runtime = OCIRuntime(root: runtimeRoot, log: Diagnostics(level: .error))
        // --privileged asks for every capability; on a host where swiftbox itself lacks
        // some (CAP_SYS_RESOURCE in some sandboxes) the container runs without them.
        runtime.strictCapabilities = false
        // A deleted record's directory waits in our trash when it is on the same
        // filesystem (on tmpfs a rename there fails, and deleting in place costs nothing).
        runtime.store.trash = trash
        return runtime
    }

    // MARK: create

    /// `attached`: recorded as the state `start(attached:)` will want, so that `run`
    /// writes state.json once before the monitor, not twice.
    public func create(_ o: RunOptions, attached: Bool = false) throws -> EngineContainer {
        let image = try Narrator.step({ try images.resolve(o.image) }, describe: { StartSteps.resolve(o.image, $0) })
        let id = EngineStore.newID()
        let made = try newRecord(o, image: image, id: id)
        var c = made.container
        // Every flag is checked, before anything exists: from here on, whatever
        // fails releases the name and removes what was made (the catch below).
        // Locked until this returns: until then a claim without config.json is a create
        // at work, not the ghost of a killed one (EngineStore+Incomplete).
        let claim = try store.reserve(name: c.name, id: id)
        defer { close(claim) }
        do {
            try resolveNetworking(o, exposed: made.exposedPorts, into: &c)
            // Under the volumes lock: `volume rm` either sees this container as a user
            // or runs before its volumes exist.
            try Narrator.step(StartSteps.record(c, dir: store.dir(id))) {
                try volumes.withLock {
                    if !made.mounts.isEmpty {
                        // Narrated: which volumes this create makes (asked only when tracing).
                        let existing = Narrator.current == nil ? [] : Set(made.mounts.filter { $0.type == .volume && volumes.get($0.source) != nil }.map(\.source))
                        c.mounts = try Narrator.step({ try materializeMounts(made.mounts) }, describe: { mounts in
                            StartSteps.volumes(mounts, created: Set(mounts.filter { $0.type == .volume }.map(\.source)).subtracting(existing), engine: self)
                        })
                    }
                    try store.save(c)
                    var state = EngineState(status: .created)
                    state.attached = attached
                    state.restartCount = 0
                    try store.save(state, id: id)
                }
            }
            try allocateEndpoints(c)
            event("create", id: id, config: c)
        } catch {
            releaseNetworking(c)
            // The directory before the claim: killed in between, a ghost is left that
            // the next reader removes, never a directory that nothing names.
            try? FileSystem.removeTree(store.dir(id))
            store.release(name: c.name)
            throw error
        }
        return c
    }

    /// The container's record as `create` would save it, from the flags and the image,
    /// every flag checked (shared with the dry run, which saves nothing). Also the
    /// planned volume mounts and the image's exposed ports (for -P).
    func newRecord(_ o: RunOptions, image: ImageRecord, id: String) throws -> (container: EngineContainer, mounts: [ContainerMount], exposedPorts: [String]) {
        let config = try images.config(of: image).config ?? ImageConfig.ContainerConfig()
        let command = DockerDefaults.command(imageEntrypoint: config.Entrypoint, imageCmd: config.Cmd, entrypoint: o.entrypoint, args: o.args)
        guard let path = command.first else {
            throw EngineError.failed("no command specified: the image has no Cmd or Entrypoint and none was given")
        }
        let healthcheck = try Engine.healthcheck(o, image: config)
        // Limits are checked against this host before anything exists: dockerd's bounds,
        // the parent's cpuset, and a controller for each limit.
        let resources = try o.resources.flatMap { try $0.resources(host: .current(runtime().cgroups)) }
        if let resources { _ = try runtime().cgroups.resourcePlan(resources) }
        let plannedMounts = try planMounts(o, imageVolumes: (config.Volumes ?? [:]).keys.map { $0 })
        var seccomp: String?
        var noNewPrivileges = false
        for opt in o.securityOpt {
            let kv = opt.split(separator: "=", maxSplits: 1).map(String.init)
            switch (kv[0], kv.count > 1 ? kv[1] : nil) {
            case ("seccomp", "unconfined"?): seccomp = "unconfined"
            case ("seccomp", let path?):
                guard let bytes = try? FileSystem.read(path) else { throw EngineError.failed("opening seccomp profile (\(path)) failed") }
                _ = try SpecLoader.decodeSeccomp(bytes, file: path)
                seccomp = String(decoding: bytes, as: UTF8.self)
            case ("no-new-privileges", nil), ("no-new-privileges", "true"?): noNewPrivileges = true
            case ("no-new-privileges", "false"?): noNewPrivileges = false
            default: throw EngineError.failed("invalid --security-opt: \"\(opt)\"")
            }
        }
        let remap = try usernsRemap(o)
        for u in o.ulimits { _ = try Ulimit.parse(u) }
        for d in o.devices { _ = try d.resolve() }   // a missing node fails now, not at start
        var logMaxSize: Int64?
        var logMaxFiles: Int?
        for opt in o.logOpts.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let kv = opt.split(separator: "=", maxSplits: 1).map(String.init)
            switch kv[0] {
            case "max-size":
                guard kv.count == 2, let n = Engine.parseSize(kv[1]), n > 0 else { throw EngineError.failed("invalid --log-opt max-size: \(opt)") }
                logMaxSize = n
            case "max-file":
                guard kv.count == 2, let n = Int(kv[1]), n >= 1 else { throw EngineError.failed("invalid --log-opt max-file: \(opt)") }
                logMaxFiles = n
            default: throw EngineError.failed("unknown log opt '\(kv[0])' for json-file log driver")
            }
        }
        let name = o.name ?? Engine.generatedName(id)
        let hostname = o.hostname ?? String(id.prefix(12))
        var c = EngineContainer(id: id, name: name, image: o.image, imageID: image.id.description, created: Clock.rfc3339Nano(),
                                path: path, args: Array(command.dropFirst()),
                                env: DockerDefaults.environment(image: config.Env, user: o.env, hostname: hostname),
                                workingDir: o.workingDir ?? config.WorkingDir ?? "/", user: o.user ?? config.User ?? "",
                                hostname: hostname, labels: (config.Labels ?? [:]).merging(o.labels) { $1 },
                                stopSignal: o.stopSignal ?? config.StopSignal ?? "SIGTERM", stopTimeout: o.stopTimeout ?? 10,
                                autoRemove: o.autoRemove, readOnly: o.readOnly, privileged: o.privileged,
                                capAdd: o.capAdd, capDrop: o.capDrop, initProcess: o.initProcess, seccompProfile: seccomp,
                                noNewPrivileges: noNewPrivileges, ulimits: o.ulimits, logMaxSize: logMaxSize,
                                logMaxFiles: logMaxFiles, interactive: o.interactive, tty: o.tty,
                                consoleRows: o.consoleSize?.rows, consoleColumns: o.consoleSize?.columns)
        c.healthcheck = healthcheck
        c.restartPolicy = o.restartPolicy
        c.healthOnFailure = o.healthOnFailure
        c.resources = resources
        c.devices = o.devices.isEmpty ? nil : o.devices
        c.nanoCPUs = o.resources?.nanoCPUs
        c.usernsRemap = remap
        c.buildStep = o.buildStep ? true : nil
        return (c, plannedMounts, Array((config.ExposedPorts ?? [:]).keys))
    }

    /// "10m", "512k", "1g", "100" (bytes), as Docker's size options.
    public static func parseSize(_ text: String) -> Int64? {
        let lower = text.lowercased()
        let units: [(String, Int64)] = [("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1)]
        for (suffix, mult) in units where lower.hasSuffix(suffix) {
            return Double(lower.dropLast(suffix.count)).map { Int64($0 * Double(mult)) }
        }
        return Int64(lower)
    }

    static let adjectives = ["brave", "calm", "eager", "fond", "gentle", "happy", "keen", "lucid", "merry", "nifty", "proud", "quick", "sharp", "tender", "vivid", "witty"]
    static let nouns = ["turing", "hopper", "lovelace", "ritchie", "thompson", "knuth", "dijkstra", "liskov", "torvalds", "kernighan", "allen", "hamilton", "wirth", "perlman", "cerf", "backus"]

    /// Docker-style "adjective_scientist" names, made unique with the ID.
    static func generatedName(_ id: String) -> String {
        let a = Int(UInt8(id.prefix(2), radix: 16) ?? 0) % adjectives.count
        let n = Int(UInt8(id.dropFirst(2).prefix(2), radix: 16) ?? 0) % nouns.count
        return "\(adjectives[a])_\(nouns[n])_\(id.prefix(4))"
    }

    // MARK: rootfs and bundle (run by the monitor)

    /// What the monitor prepares before each start: the network (NetworkSetup) and the
    /// bundle — the overlay rootfs mounted, /etc/hostname, /etc/hosts and
    /// /etc/resolv.conf written, the OCI spec made. A network that needs netlink work is
    /// set up on a thread of its own meanwhile (see setUpNetworkInBackground): the
    /// rootfs and most of the spec do not depend on it, only the hosts and resolv.conf
    /// files and the spec's namespace path do. The thread has ended when this returns.
    func prepareStart(_ id: String, config: EngineContainer?) throws -> (network: NetworkSetup?, bundle: (path: String, spec: RuntimeSpec)) {
        let job = config.flatMap(setUpNetworkInBackground)
        var network: NetworkSetup?
        do {
            var c = try store.config(id)
            let dir = store.dir(id)
            let rootfs = dir + "/rootfs"
            try grantRemapAccess(c)
            try mountRootfs(c)
            c = try prepareMounts(c, rootfs: rootfs)
            let (uid, gid, groups) = try UserLookup.resolve(c.user, rootfs: rootfs)
            var spec = try SpecGenerator.spec(for: c, rootfs: rootfs, containerDir: dir, uid: uid, gid: gid, additionalGids: groups)
            MountSpec.apply(c.mounts ?? [], to: &spec, volumeData: volumes.dataDir)
            if let job { network = try job.wait() } else if let config { network = try setUpNetwork(config) }
            // Regenerated at every start: no fsync needed.
            let hosts = hostsFile(c, network), resolv = resolvConf(c, network)
            try Narrator.step(StartSteps.files(dir, hostname: c.hostname, hosts: hosts, resolvConf: resolv)) {
                try FileSystem.writeAtomically(dir + "/hostname", Array((c.hostname + "\n").utf8), fsync: false)
                try FileSystem.writeAtomically(dir + "/hosts", Array(hosts.utf8), fsync: false)
                try FileSystem.writeAtomically(dir + "/resolv.conf", Array(resolv.utf8), fsync: false)
            }
            try chownForRemap(c, ["hostname", "hosts", "resolv.conf"].map { dir + "/" + $0 })
            SpecGenerator.applyNetwork(&spec, network, containerDir: dir)
            Narrator.current?.record(StartSteps.security(spec), start: Narrator.monotonicNanoseconds())
            try FileSystem.makeDirectories(dir + "/bundle")
            return (network, (dir + "/bundle", spec))
        } catch {
            // The network is ours to undo until it is returned (a thread still running
            // is waited for first).
            if network == nil { network = try? job?.wait() }
            if let network { tearDownNetwork(id, network, deleteLinks: true) }
            throw error
        }
    }

    /// bundle/config.json, for exec and for people reading it. The monitor writes it
    /// while the container's first process sets itself up: encoding the spec is the
    /// largest piece of Swift work in a start (~1 ms), and the runtime gets the spec in
    /// memory (OCIRuntime.CreateOptions.spec).
    func writeBundleConfig(_ bundle: String, _ spec: RuntimeSpec) throws {
        try FileSystem.writeAtomically(bundle + "/config.json", Array(try SpecLoader.encode(spec)), fsync: false)
    }

    /// Removed containers' directories wait here for deletion (Trash: one rename takes
    /// them away; a detached process deletes them).
    public var trash: Trash { Trash(directory: root + "/trash") }

    /// Delete what removals left in the trash, in a detached process (see Trash); then
    /// the runtime's state directory, which rmdir(2) removes only once no container of
    /// this root is left in it (ContainerStore.reserve makes it again when needed).
    public func emptyTrashInBackground() {
        let runtimeRoot = self.runtimeRoot, runDirectory = self.runDirectory
        trash.emptyInBackground(as: [executable, "trash", "--root", root]) { rmdir(runtimeRoot); rmdir(runDirectory) }
    }

    func mountRootfs(_ c: EngineContainer) throws {
        let dir = store.dir(c.id)
        let rootfs = dir + "/rootfs"
        if MountTable.isMountPoint(rootfs) { return }
        let record = try images.resolve(c.imageID)
        var layers = try Narrator.step({ try images.snapshots.prepare(record) }, describe: { StartSteps.layers(record, directories: $0) })
        if layers.isEmpty { layers = [try images.snapshots.emptyLower()] }   // FROM scratch
        let freshUpper = !FileSystem.exists(dir + "/upper")
        for d in ["upper", "work", "rootfs"] { try FileSystem.makeDirectories(dir + "/" + d) }
        // --userns-remap: the layers shown owned by the container's range (LayerRemapper);
        // idmapped ones are detached once the overlay holds its own clones of them.
        var detach: [String] = []
        defer { LayerRemapper.detach(detach) }
        if let remap = c.usernsRemap {
            let remapper = LayerRemapper(remap: remap, mode: try EngineConfig.load(root: root).remapLayers)
            let upper = freshUpper ? (path: dir + "/upper", owner: remapper.upperOwner(topLayer: layers.last)) : nil
            let image = layers
            let remapped = try Narrator.step({ () throws -> LayerRemapper.Remapped in
                if let upper { try remapper.prepareUpper(upper.path, owner: upper.owner) }
                return try remapper.lowerdirs(image, containerDir: dir)
            }, describe: { remapper.narration(image, $0, upper: upper) })
            (layers, detach) = (remapped.dirs, remapped.detach)
        }
        // A volatile mount leaves work/work/incompat/volatile behind, and overlayfs then
        // refuses every later mount of that layer (it may have lost writes in a crash).
        // Only a restarted --rm container mounts its layer again, in the same boot (a
        // reboot ends --rm containers): the page cache still holds every write, so the
        // marker can go.
        if FileSystem.exists(dir + "/work/work/incompat/volatile") { try? FileSystem.removeTree(dir + "/work/work/incompat") }
        let data = Engine.overlayData(c, layers: layers, containerDir: dir)
        // A --rm container's writable layer is deleted when it exits: mount it `volatile`
        // (as Podman does for --rm), so the kernel skips every sync of it, including the
        // one at unmount that waits for the disk (~0.6 ms per `run --rm` here). Kernels
        // before 5.10 refuse the option: then without it.
        let volatile = try Narrator.step({ () throws -> Bool in
            if c.autoRemove && mount("overlay", rootfs, "overlay", 0, data + ",volatile") == 0 { return true }
            guard mount("overlay", rootfs, "overlay", 0, data) == 0 else {
                throw KernelError("mount", ["overlay", rootfs, "overlay", data])
            }
            return false
        }, describe: { StartSteps.overlay(containerDir: dir, data: data, volatile: $0) })
        _ = volatile
    }

    /// The overlay's mount options (lower layers top first).
    static func overlayData(_ c: EngineContainer, layers: [String], containerDir dir: String) -> String {
        var data = "lowerdir=\(SnapshotStore.lowerdir(layers)),upperdir=\(dir)/upper,workdir=\(dir)/work"
        if c.buildStep == true { data += ",index=off,redirect_dir=off,metacopy=off" }
        return data
    }

    public func unmountRootfs(_ id: String) {
        let rootfs = store.dir(id) + "/rootfs"
        MountTable.unmountAll(rootfs)
    }

    // MARK: start

    /// Start the monitor and wait until it reports the container running (or why not).
    /// The Unix socket a monitor serves attach on (-i/-t), in the run directory.
    public func attachPath(_ id: String) -> String { runDirectory + "/" + id + ".attach" }
    /// Where a client sends "ROWS COLUMNS\n" when its terminal is resized (-t only).
    public func resizePath(_ id: String) -> String { runDirectory + "/" + id + ".resize" }

    /// Returns the monitor's pid: a child of this process (forked or spawned), whose exit
    /// status is the container's exit code (Monitor.run). Nil when nothing was started
    /// (the container runs already, or its monitor will start it again).
    @discardableResult
    public func start(_ id: String, attached: Bool = false, onAttach: (() -> Void)? = nil) throws -> pid_t? {
        // A record that cannot be read is not started from guesses (Engine+Records).
        _ = try store.config(id)
        if case let s = store.state(id), s.status == .unknown {
            throw EngineError.failed("cannot start container \(id.prefix(12)): \(s.error ?? "its state cannot be read"): remove it with rm -f")
        }
        // A container whose monitor is gone: clean up what is left before starting anew.
        let observed = observedState(id)
        if observed.status == .dead || observed.error == Engine.monitorLost { repairLost(id) }
        var state = store.state(id)
        if state.status == .running && isRunning(id) { return nil }
        // Its monitor is alive and will start it again (stop or rm cancel that).
        if state.status == .restarting && observedState(id).status == .restarting { return nil }
        let recorded = state
        state.attached = attached
        state.stoppedByUser = false
        state.restartCount = 0   // a manual start resets the policy's count, as Docker
        state.keepOnExit = nil
        // (Each write is a new file: a disk block allocated and, for the old one, freed.)
        if state != recorded { try store.save(state, id: id) }
        // The monitor: a session of its own, so it outlives this command and its terminal.
        let reader: Int32
        let monitor: pid_t
        do {
            // Forked when it can be (the warm process saves a start-up: DetachedProcess.fork);
            // otherwise the same monitor as a new process running `swiftbox monitor`.
            let argv = [executable, "monitor", "--root", root, id]
            let forkedMonitor = try Narrator.step(StartSteps.monitorStart(id, engine: self)) {
                try DetachedProcess.fork(as: argv, { Monitor(engine: self, id: id).run(readyFD: 3) })
            }
            if let forked = forkedMonitor {
                (monitor, reader) = forked
            } else {
                (monitor, reader) = try DetachedProcess.spawn(executable, argv)
            }
        } catch let e as KernelError {
            throw EngineError.failed("cannot start the monitor: \(Errno.message(e.errno))")
        }
        defer { close(reader) }
        do {
            guard try MonitorReport.read(reader, onAttach: onAttach) != nil else {
                throw EngineError.failed("the monitor of \(String(id.prefix(12))) exited before starting the container")
            }
        } catch let e as DecodingError {
            throw EngineError.failed("the monitor of \(String(id.prefix(12))) sent what this swiftbox cannot read: \(e)")
        }
        return monitor
    }

    // MARK: state

    /// Is the container's first process alive? (The truth, whatever state.json says.)
    public func isRunning(_ id: String) -> Bool {
        let s = store.state(id)
        // An unreadable state.json: the runtime's own record still knows.
        if s.status == .unknown { return (try? runtime().state(id: id))?.status == .running }
        guard s.status == .running, s.pid > 0 else { return false }
        return (try? runtime().state(id: id))?.status == .running
    }

    /// The ID of a container (name, ID or prefix) that must be running.
    public func runningContainer(_ ref: String) throws -> String {
        let id = try store.resolve(ref)
        guard isRunning(id) else { throw EngineError.notRunning(ref) }
        return id
    }

    /// state.json corrected by what the kernel says: a container whose monitor and
    /// process are gone is reported as dead, not running.
    public func observedState(_ id: String) -> EngineState {
        var s = store.state(id)
        s.health = store.health(id)
        if s.status == .restarting || (s.status == .running && !isRunning(id)) {
            let monitorAlive = Processes.isAlive(s.monitorPid, startTime: s.monitorStartTime)
            if !monitorAlive {
                // The monitor may have recorded the exit and gone between our reads.
                let again = store.state(id)
                if again.status != s.status { return again.with(health: s.health) }
                s.status = .dead
                s.error = "the monitor and the container are gone"
            }
        } else if s.status == .running && !Processes.isAlive(s.monitorPid, startTime: s.monitorStartTime) {
            // Running, but nobody logs, probes or restarts it any more.
            s.error = Engine.monitorLost
        }
        return s
    }

    /// The container's monitor, watched through its pidfd: it records the container's
    /// end in state.json and then exits. Nil when it is gone already.
    public func watchMonitor(_ id: String) -> ProcessWatch? {
        let recorded = store.state(id)
        return ProcessWatch(pid: recorded.monitorPid, startTime: recorded.monitorStartTime)
    }

    /// Wait for the container to exit; its exit code.
    /// The timeout is measured on the monotonic clock, not by counting polls: on a busy
    /// machine each poll (reading the state files) can take far longer than its 2 ms sleep.
    /// Between looks it sleeps on the monitor's pidfd: the monitor records the exit and
    /// then exits, which wakes us at once (ProcessWatch); 100 ms at most, in case.
    public func wait(_ id: String, timeoutMs: Int = Int.max) -> Int32? {
        let deadline = timeoutMs == Int.max ? Int64.max : WallTime.monotonic() + Int64(timeoutMs) * 1_000_000
        let monitor = watchMonitor(id)
        while true {
            // A --rm container's monitor removes it after the exit: the journal keeps the code.
            guard store.exists(id) else { return removedExitCode(id) ?? 255 }
            let s = observedState(id)
            if s.status == .exited || s.status == .dead || s.status == .created { return s.status == .dead ? 255 : s.exitCode }
            let now = WallTime.monotonic()
            if now >= deadline { return nil }
            if let monitor, !monitor.exited {
                _ = monitor.wait(timeoutMs: Int(min(100, (deadline - now) / 1_000_000 + 1)))
            } else {
                usleep(2_000)
            }
        }
    }

    /// The exit code of a container that is gone (removed after its exit, --rm): its
    /// last "die" event says it. Nil when the journal has none.
    public func removedExitCode(_ id: String) -> Int32? {
        EventJournal(root: root).readAll().last { $0.Actor.ID == id && $0.Action == "die" }
            .flatMap { $0.Actor.Attributes["exitCode"] }.flatMap { Int32($0) }
    }

    // MARK: stop, kill, rm

    public func kill(_ id: String, signal: String) throws {
        if cancelRestart(id) && !isRunning(id) { return }
        guard isRunning(id) else { throw EngineError.notRunning(String(id.prefix(12))) }
        // Under the state lock: the monitor must see it before deciding on a restart.
        // Only SIGKILL and the stop signal count as a manual stop (as Docker): after a
        // `kill -s HUP` that ends it, the policy still restarts the container.
        let number = Processes.signalNumber(signal)
        let stopSignal = (try? store.config(id)).flatMap { Processes.signalNumber($0.stopSignal) } ?? SIGTERM
        if number == SIGKILL || number == stopSignal { try store.update(id) { $0.stoppedByUser = true } }
        event("kill", id: id, ["signal": "\(Processes.signalNumber(signal) ?? 0)"])
        try runtime().kill(id: id, signal: signal, all: false)
        thawAfterSignal(id)
    }

    /// `restart`: stop, then start. A --rm container is not removed by the stop (as
    /// Docker: the restart is not its end).
    public func restart(_ id: String, timeout: Int? = nil) throws {
        if isRunning(id) { _ = try? store.update(id) { $0.keepOnExit = true } }
        do { try stop(id, timeout: timeout) } catch {
            _ = try? store.update(id) { $0.keepOnExit = nil }   // its own exit still ends it
            throw error
        }
        try start(id)
        event("restart", id: id)
    }

    /// The stop signal, then SIGKILL after the timeout; returns when the container exited.
    public func stop(_ id: String, timeout: Int? = nil) throws {
        if cancelRestart(id) && !isRunning(id) { event("stop", id: id); return }
        guard isRunning(id) else { return }
        let c = try store.config(id)
        try kill(id, signal: c.stopSignal)
        let grace = (timeout ?? c.stopTimeout) * 1000
        if wait(id, timeoutMs: grace) == nil {
            try? runtime().kill(id: id, signal: "SIGKILL", all: true)
            thawAfterSignal(id)
            _ = wait(id, timeoutMs: 10_000)
        }
        event("stop", id: id)
    }

    /// Remove a container: refused while running unless forced (then killed first).
    /// `removeVolumes` (rm -v) also removes its anonymous volumes, as does `--rm`.
    public func remove(_ id: String, force: Bool, removeVolumes: Bool = false) throws {
        if store.state(id).status == .restarting {
            guard force else { throw EngineError.failed("cannot remove container \"\(id.prefix(12))\": it is restarting: stop it first or force remove") }
            _ = cancelRestart(id)
        }
        // A record that cannot be read (Engine+Records): its monitor is found by its
        // command line, and counts as running.
        let unreadable = store.state(id).status == .unknown || (try? store.config(id)) == nil
        let monitor = unreadable ? findMonitor(id) : nil   // before its container is killed
        if isRunning(id) || monitor != nil {
            guard force else { throw EngineError.running(String(id.prefix(12))) }
            // So its restart policy does not bring it back while we remove it.
            _ = try? store.update(id) { $0.stoppedByUser = true }
            try? runtime().kill(id: id, signal: "SIGKILL", all: true)
            thawAfterSignal(id)
            if !unreadable { _ = wait(id, timeoutMs: 10_000) }
        }
        // Its monitor writes into the directory until it exits: let it finish first
        // (unless we are that monitor, removing a --rm container).
        let last = store.state(id)
        if unreadable {
            if let monitor, monitor != getpid() { endMonitor(monitor, timeoutMs: 10_000) }
        } else if last.monitorPid != getpid() {
            Processes.waitForExit(last.monitorPid, startTime: last.monitorStartTime, timeoutMs: 10_000)
        }
        let c = try? store.config(id)
        event("destroy", id: id, config: c)
        try? runtime().delete(id: id, force: true)
        unmountRootfs(id)
        removeSockets(id)
        if let c { releaseNetworking(c) } else { networks.release(containerID: id) }
        // Gone at once for every reader; the files are deleted in the background.
        try trash.remove(store.dir(id))
        if let c {
            store.release(name: c.name, into: trash)
            if removeVolumes || c.autoRemove { removeAnonymousVolumes(of: c) }
        } else {
            for name in nameClaims()[id] ?? [] { store.release(name: name, into: trash) }
        }
        emptyTrashInBackground()
    }

    /// The pids in the container's cgroup (host pid namespace).
    public func processes(_ id: String) -> [Int32] {
        guard let record = try? runtime().store.load(id), let path = record.cgroupPath else { return [] }
        return runtime().cgroups.processes(at: path)
    }

    public func rename(_ id: String, to newName: String) throws {
        var c = try store.config(id)
        guard c.name != newName else { throw EngineError.failed("Renaming a container with the same name as its current name") }
        close(try store.reserve(name: newName, id: id))
        let old = c.name
        c.name = newName
        do { try store.save(c) } catch { store.release(name: newName); throw error }
        store.release(name: old)
    }

    /// Remove every container that is not running; their IDs.
    public func pruneContainers() throws -> [String] {
        var removed: [String] = []
        store.removeIncomplete()   // what killed creates left (not reported: never containers)
        let all = listAll()
        for (c, s) in all.readable where s.status != .running {
            if s.status == .unknown && (isRunning(c.id) || findMonitor(c.id) != nil) { continue }
            try remove(c.id, force: false)
            removed.append(c.id)
        }
        // Records that cannot be read, when nothing of them runs.
        for c in all.unreadable where !isRunning(c.id) && findMonitor(c.id) == nil {
            try remove(c.id, force: false)
            removed.append(c.id)
        }
        return removed
    }

    /// The containers whose config.json can be read (those that cannot: listAll).
    public func list() -> [(EngineContainer, EngineState)] { listAll().readable }

    /// Every container, newest first, and apart those whose config.json cannot be read
    /// (Engine+Records): one pass, each record decoded once.
    public func listAll() -> (readable: [(EngineContainer, EngineState)], unreadable: [UnreadableContainer]) {
        var readable: [(EngineContainer, EngineState)] = []
        var unreadable: [UnreadableContainer] = []
        for id in store.ids() {
            do { readable.append((try store.config(id), observedState(id))) } catch {
                unreadable.append(UnreadableContainer(id: id, name: "", reason: "\(error)"))
            }
        }
        if !unreadable.isEmpty {
            let claims = nameClaims()
            for i in unreadable.indices { unreadable[i].name = claims[unreadable[i].id]?.sorted().first ?? "" }
        }
        return (readable.sorted { $0.0.created > $1.0.created }, unreadable)
    }

    // MARK: exec

    public func exec(_ id: String, command: [String], env: [String], workingDir: String?, user: String?, detach: Bool) throws -> Int32 {
        let request = try Narrator.step({ try execRequest(id, command: command, env: env, workingDir: workingDir, user: user) },
                                        describe: { ExecSteps.process($0.container, $0.process, pid: firstProcess(id), detach: detach) })
        Narrator.current?.record(StartSteps.security(request.spec), start: Narrator.monotonicNanoseconds())
        // Pipes (or /dev/null), never this command's own descriptors (ExecStreams).
        let runtime = runtime()
        let launch = { try runtime.exec(id: id, process: request.process, options: .init(bundle: "."), detach: detach) }
        return try detach ? ExecStreams.detached(launch) : ExecStreams.attached(launch)
    }

    /// What an exec starts: the container's spec with the process replaced (command,
    /// environment, working directory, user), and the first process it joins. Shared by
    /// exec and its dry run (Engine+ExecDryRun).
    func execRequest(_ id: String, command: [String], env: [String], workingDir: String?,
                     user: String?) throws -> (container: EngineContainer, spec: RuntimeSpec, process: RuntimeSpec.Process) {
        guard isRunning(id) else { throw EngineError.notRunning(String(id.prefix(12))) }
        let c = try store.config(id)
        var (spec, _) = try OCIRuntime.loadSpec(bundle: store.dir(id) + "/bundle")
        guard var process = spec.process else { throw EngineError.failed("container \(c.shortID) has no process config") }
        process.args = command
        process.env = DockerDefaults.environment(image: c.env, user: env, hostname: c.hostname)
        if let workingDir { process.cwd = workingDir }
        if let user {
            let (uid, gid, groups) = try UserLookup.resolve(user, rootfs: store.dir(id) + "/rootfs")
            process.user = .init(uid: uid, gid: gid, additionalGids: groups.isEmpty ? nil : groups)
        }
        process.terminal = false
        spec.process = process
        return (c, spec, process)
    }

    /// The pid an exec joins (only for the narration: the runtime reads it itself).
    func firstProcess(_ id: String) -> Int32 { (try? runtime().state(id: id).pid) ?? 0 }
}
