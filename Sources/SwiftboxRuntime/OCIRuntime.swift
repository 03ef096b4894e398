// The OCI runtime operations (runtime.md "Operations"): create, start, state, kill,
// delete, plus runc's run. Each keeps the state directory consistent even when it
// fails half-way: whatever it made (state, cgroups, the child) is undone.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CShim
import SwiftboxCgroup
import SwiftboxKernel
import SwiftboxOCI
import SwiftboxSecurity

public enum RuntimeError: Error, Equatable, CustomStringConvertible {
    case notCreated(String, ContainerStatus)
    case notRunning(String, ContainerStatus)
    case notStopped(String, ContainerStatus)
    case notPaused(String, ContainerStatus)
    case unknownSignal(String)
    case consoleSocket(String, String)
    case consoleSocketRequired

    public var description: String {
        switch self {
        case .notCreated(let id, let s): return "cannot start container \(id): it is \(s.rawValue), not created"
        case .notRunning(let id, let s): return "container \(id) is not running (it is \(s.rawValue))"
        case .notStopped(let id, let s): return "cannot delete container \(id) that is \(s.rawValue); stop it first or use --force"
        case .notPaused(let id, let s): return "container \(id) is not paused (it is \(s.rawValue))"
        case .unknownSignal(let s): return "unknown signal \"\(s)\""
        case .consoleSocket(let p, let e): return "console socket \(p): \(e)"
        case .consoleSocketRequired: return "process.terminal is true: --console-socket is required"
        }
    }
}

public struct OCIRuntime {
    public var store: ContainerStore
    public var log: Diagnostics
    public var cgroups: CgroupManager
    /// A capability this runtime does not hold itself: an error naming it (true, for
    /// `swiftbox oci`, as runc) or dropped with a warning (false, the engine's choice).
    public var strictCapabilities = true
    /// The command line that may start this process over: set by the CLI, so that a
    /// container created into another's pid namespace is launched from a sealed
    /// executable (SealedExecutable). Nil: such a create fails instead.
    public var rerunCommandLine: [String]?

    public init(root: String, log: Diagnostics) {
        self.store = ContainerStore(root: root)
        self.log = log
        self.cgroups = CgroupManager.shared
    }

    /// A container whose pid namespace is another's (linux.namespaces pid with a path)
    /// is visible there from its clone: re-run from a sealed executable first, before any
    /// side effect (SealedExecutable).
    func sealIfJoiningPidNamespace(_ spec: RuntimeSpec) throws {
        guard let args = rerunCommandLine,
              spec.linux?.namespaces?.contains(where: { $0.type == "pid" && !($0.path ?? "").isEmpty }) == true else { return }
        try SealedExecutable.ensure(rerun: args)
    }

    // MARK: loading a bundle

    /// The spec the caller passed, or the bundle's config.json.
    static func bundleSpec(_ options: CreateOptions) throws -> (RuntimeSpec, String) {
        if let spec = options.spec { return (spec, absolutePath(options.bundle)) }
        return try loadSpec(bundle: options.bundle)
    }

    public static func loadSpec(bundle: String) throws -> (RuntimeSpec, String) {
        let abs = absolutePath(bundle)
        guard FileSystem.isDirectory(abs) else { throw SpecError.bundleNotFound(abs) }
        let file = abs + "/config.json"
        guard let bytes = try? FileSystem.read(file) else { throw SpecError.configMissing(file) }
        return (try SpecLoader.decode(Data(bytes), file: file), abs)
    }

    static func absolutePath(_ p: String) -> String {
        if p.hasPrefix("/") { return p }
        var buf = [CChar](repeating: 0, count: 4096)
        let cwd = getcwd(&buf, buf.count).map { String(cString: $0) } ?? "/"
        return p == "." || p.isEmpty ? cwd : cwd + "/" + p
    }

    public func plan(spec: RuntimeSpec, bundle: String, id: String, mode: PlanBuilder.Mode,
                     consoleFD: Int32? = nil, preserveFDs: Int32 = 0, rootfsMustExist: Bool = true, filesMadeLater: Set<String> = [],
                     directoriesMadeLater: Set<String> = []) throws -> LaunchPlan {
        var builder = PlanBuilder(spec: spec, bundle: bundle, id: id, mode: mode, consoleSocketFD: consoleFD,
                                  hierarchies: cgroups.hierarchies, lastCap: Capabilities.lastCap(), preserveFDs: preserveFDs)
        builder.rootfsMustExist = rootfsMustExist
        builder.filesMadeLater = filesMadeLater
        builder.directoriesMadeLater = directoriesMadeLater
        builder.capabilityLimit = Capabilities.ownBoundingSet()
        builder.strictCapabilities = strictCapabilities
        var plan = try builder.build()
        builder.warnings().forEach(log.warning)
        // Resolved now, so a limit on a controller this host lacks fails before anything exists.
        if let path = plan.cgroupPath {
            // linux.resources.devices as given, plus what the runtime itself creates.
            let devices = try DeviceRules.forContainer(spec.linux?.resources?.devices, devices: spec.linux?.devices ?? [])
            plan.resources = try cgroups.resourcePlan(spec.linux?.resources, devices: devices)
            if !plan.resources.containerMountPoints.isEmpty { try cgroups.refuseOwnCgroup(plan.resources, path: path) }
        }
        return plan
    }

    // MARK: create / run

    public struct CreateOptions {
        public var bundle: String
        public var pidFile: String?
        public var consoleSocket: String?
        /// An already connected socket to send the pty master on (instead of a path).
        public var consoleSocketFD: Int32?
        public var preserveFDs: Int32 = 0
        /// The bundle's config.json as its caller just wrote it: used instead of reading
        /// and decoding the file again (the engine's monitor; ~0.4 ms per start).
        public var spec: RuntimeSpec?
        /// Work of the caller's that may run while the new child sets itself up (mounts,
        /// pivot_root, …, in another process): called between clone and waiting for its
        /// execve. If it throws, the child is killed and the run fails.
        public var whileChildStarts: (() throws -> Void)?
        public init(bundle: String, pidFile: String? = nil, consoleSocket: String? = nil, preserveFDs: Int32 = 0) {
            self.preserveFDs = preserveFDs
            self.bundle = bundle
            self.pidFile = pidFile
            self.consoleSocket = consoleSocket
        }
    }

    /// `create`: everything up to the user's process, which waits for `start`.
    public func create(id: String, options: CreateOptions) throws {
        let (spec, bundle) = try OCIRuntime.bundleSpec(options)
        try sealIfJoiningPidNamespace(spec)
        try store.reserve(id)
        var cleanup = Cleanup(store: store, id: id)
        defer { cleanup.run() }

        let fifo = store.execFifo(id)
        guard sb_mkfifo(fifo, 0o600) == 0 else { throw KernelError("mkfifo", [fifo]) }
        // In a user namespace the container's root is another host user: it must still
        // open the fifo (runc chowns it the same way).
        if spec.linux?.namespaces?.contains(where: { $0.type == "user" && ($0.path ?? "").isEmpty }) == true,
           let uid = IDMap.hostID(0, in: spec.linux?.uidMappings ?? []), let gid = IDMap.hostID(0, in: spec.linux?.gidMappings ?? []) {
            guard chown(fifo, uid, gid) == 0 else { throw KernelError("chown", [fifo, "\(uid):\(gid)"]) }
        }
        let consoleFD = try connectConsole(spec: spec, path: options.consoleSocket)
        defer { if let consoleFD { close(consoleFD) } }
        let plan = try self.plan(spec: spec, bundle: bundle, id: id, mode: .create(execFifo: fifo), consoleFD: consoleFD,
                                  preserveFDs: options.preserveFDs)
        var record = ContainerRecord(id: id, bundle: bundle, rootfs: PlanBuilder(spec: spec, bundle: bundle, id: id, mode: .run,
                                     hierarchies: [], lastCap: 0).rootfs, pid: 0, pidStartTime: nil, created: Clock.rfc3339Nano(),
                                     annotations: spec.annotations, cgroupPath: plan.cgroupPath, cgroupDirectories: [],
                                     started: false, exitStatus: nil)
        record.poststart = spec.hooks?.poststart
        record.poststop = spec.hooks?.poststop
        cleanup.poststop = poststopRunner(record)
        try store.save(record)

        let child = try start(plan: plan, record: &record, cleanup: &cleanup, hooks: spec.hooks)
        guard try child.awaitOutcome() == .created else {
            throw LaunchError(op: "launch plan ended before waiting for start", errno: EINVAL, isExec: false)
        }
        try store.save(record)
        if let pidFile = options.pidFile { try FileSystem.writeAtomically(OCIRuntime.absolutePath(pidFile), Array("\(child.pid)".utf8), fsync: false) }
        cleanup.disarm()
        log.debug("created \(id) pid \(child.pid)")
    }

    /// Create the cgroups, clone the child into them, and record it.
    func start(plan: LaunchPlan, record: inout ContainerRecord, cleanup: inout Cleanup,
               hooks: RuntimeSpec.Hooks? = nil) throws -> LaunchedChild {
        record.hostMountRoot = plan.hostMountRoot
        cleanup.hostMountRoot = plan.hostMountRoot
        // Only when traced: describing every op of the plan costs ~0.1 ms.
        if log.level >= .trace { for line in plan.lines where line.hasPrefix("parent") { log.trace(line) } }
        // Traced (Narrator): the cgroup step, then clone → execve, timed from here.
        let narrator = Narrator.current
        let cgroupsStart = narrator == nil ? 0 : Narrator.monotonicNanoseconds()
        var prepared: CgroupManager.Prepared?
        if let path = plan.cgroupPath {
            prepared = try cgroups.prepare(path: path)
            record.cgroupDirectories = prepared?.created ?? []
            cleanup.cgroupDirectories = record.cgroupDirectories
        }
        defer { prepared?.closeAll() }
        if let path = plan.cgroupPath, !plan.resources.isEmpty {
            for warning in try cgroups.apply(plan.resources, path: path) { log.warning(warning) }
        }
        log.trace("cgroups ready; cloning")
        var launchedAt: Int64 = 0
        if let narrator {
            launchedAt = Narrator.monotonicNanoseconds()
            if let step = plan.cgroupNarration(hierarchies: cgroups.hierarchies) { narrator.record(step, start: cgroupsStart, end: launchedAt) }
        }
        let trace: Int32 = log.level >= .trace ? 2 : -1
        let stamps = narrator == nil ? nil : try ExecutorStamps(ops: plan.ops.count)
        var child: LaunchedChild
        do {
            child = try Launcher.launch(plan, traceFD: trace, cgroupTaskFDs: prepared?.v1TaskFDs ?? [],
                                        cgroupDirectoryFD: prepared?.v2DirectoryFD ?? -1, stamps: stamps)
        } catch let e as KernelError where e.errno == ENOSYS && prepared?.v2DirectoryFD != nil {
            // No clone3 (Linux < 5.7): clone, then move the child into cgroup v2 by pid.
            log.debug("clone3 unavailable; placing the container in cgroup v2 by pid")
            child = try Launcher.launch(plan, traceFD: trace, cgroupTaskFDs: prepared?.v1TaskFDs ?? [], stamps: stamps)
            if let path = plan.cgroupPath { try cgroups.place(pid: child.pid, at: path, only: .v2) }
        }
        child.launchedAt = launchedAt
        cleanup.pid = child.pid
        record.pid = child.pid
        record.pidStartTime = Processes.stat(child.pid)?.startTime
        try store.save(record)
        // The child waits before pivot_root while prestart and createRuntime hooks run
        // here, in the runtime's namespaces, with its pid (a network hook finds the
        // namespace at /proc/PID/ns/net). A failure ends the create. The status they read
        // is "created": runtime.md has "creating" end with step 2, where the environment
        // exists, and these hooks come after (runtime-tools' hooks_stdin checks it).
        let creating = ContainerState(id: record.id, status: .created, pid: child.pid, bundle: record.bundle,
                                      annotations: record.annotations)
        // Each SB_OP_WAIT_PARENT of the plan is released once, in order: first the user
        // namespace's maps, then (before pivot_root) the hooks.
        var waits = plan.ops.filter { $0 == .waitParent }.count
        if !plan.uidMappings.isEmpty || !plan.gidMappings.isEmpty {
            try IDMap.write(pid: child.pid, uid: plan.uidMappings, gid: plan.gidMappings)
            try child.release()
            waits -= 1
        }
        try HookRunner.run(hooks?.prestart ?? [], stage: "prestart", state: creating)
        try HookRunner.run(hooks?.createRuntime ?? [], stage: "createRuntime", state: creating)
        for _ in 0..<max(waits, 0) { try child.release() }
        return child
    }

    func connectConsole(spec: RuntimeSpec, path: String?, fd given: Int32? = nil) throws -> Int32? {
        guard spec.process?.terminal == true else { return nil }
        if let given { return dup(given) }
        guard let path else { throw RuntimeError.consoleSocketRequired }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KernelError("socket", ["AF_UNIX"]) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd); throw RuntimeError.consoleSocket(path, "path too long")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in bytes.enumerated() { buf[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { let e = errno; close(fd); throw RuntimeError.consoleSocket(path, Errno.message(e)) }
        return fd
    }

    /// `run`: create and start in one go, wait for the process and return its exit
    /// code (128+N for a signal, as shells report it), then delete the container.
    public func run(id: String, options: CreateOptions, detach: Bool) throws -> Int32 {
        log.trace("run \(id): loading the bundle")
        let (spec, bundle) = try OCIRuntime.bundleSpec(options)
        try sealIfJoiningPidNamespace(spec)
        try store.reserve(id)
        var cleanup = Cleanup(store: store, id: id)
        defer { cleanup.run() }
        let consoleFD = try connectConsole(spec: spec, path: options.consoleSocket, fd: options.consoleSocketFD)
        defer { if let consoleFD { close(consoleFD) } }
        log.trace("run \(id): building the launch plan")
        let plan = try Narrator.step({
            try self.plan(spec: spec, bundle: bundle, id: id, mode: .run, consoleFD: consoleFD, preserveFDs: options.preserveFDs)
        }, describe: { $0.buildNarration })
        var record = ContainerRecord(id: id, bundle: bundle, rootfs: spec.root?.path ?? "rootfs", pid: 0, pidStartTime: nil,
                                     created: Clock.rfc3339Nano(), annotations: spec.annotations, cgroupPath: plan.cgroupPath,
                                     cgroupDirectories: [], started: true, exitStatus: nil)
        record.poststop = spec.hooks?.poststop
        cleanup.poststop = poststopRunner(record)
        // Forward signals from before the clone, not only once execve is confirmed:
        // the program may already run (and its caller signal us) while we still save
        // its state, and a SIGTERM then would kill us and orphan the container. Until
        // the child exists, signals are held (CShim helpers.c); before its execve one
        // ends the child, and the run fails.
        if !detach { sb_forward_signals(0) }
        let child = try start(plan: plan, record: &record, cleanup: &cleanup, hooks: spec.hooks)
        if !detach { sb_forward_signals(child.pid) }
        try options.whileChildStarts?()
        do {
            _ = try child.awaitOutcome()
        } catch {
            recordLaunch(child, plan.launchNarration.failed(error), start: child.launchedAt)
            throw error
        }
        recordLaunch(child, plan.launchNarration, start: child.launchedAt)
        record.poststart = spec.hooks?.poststart
        runPoststart(record)
        log.trace("run \(id): execve succeeded in pid \(child.pid)")
        if let pidFile = options.pidFile { try FileSystem.writeAtomically(OCIRuntime.absolutePath(pidFile), Array("\(child.pid)".utf8), fsync: false) }
        if detach { cleanup.disarm(); return 0 }
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 {
            if errno != EINTR { throw KernelError("waitpid", ["\(child.pid)"]) }
        }
        cleanup.pid = nil   // reaped
        log.trace("run \(id): exited with status \(OCIRuntime.exitCode(status)); deleting")
        return OCIRuntime.exitCode(status)
    }

    /// `exec`: run another process in a created or running container. Each part is a
    /// narrated step when traced (LaunchPlan+ExecNarration), the same ones
    /// `exec --dry-run` prints (dryRunExec).
    public func exec(id: String, process: RuntimeSpec.Process, options: CreateOptions, detach: Bool) throws -> Int32 {
        let record = try execTarget(id)
        let (spec, _) = try OCIRuntime.loadSpec(bundle: record.bundle)
        var execSpec = spec
        execSpec.process = process
        let consoleFD = try connectConsole(spec: execSpec, path: options.consoleSocket)
        defer { if let consoleFD { close(consoleFD) } }
        let plan = try Narrator.step({
            try execPlan(record, process: process, consoleFD: consoleFD, preserveFDs: options.preserveFDs)
        }, describe: { $0.execBuildNarration })
        if log.level >= .trace { for line in plan.lines where line.hasPrefix("parent") { log.trace(line) } }
        // The container's cgroups exist: prepare only opens them (the v1 tasks files, the
        // v2 directory for CLONE_INTO_CGROUP).
        let prepared = try plan.cgroupPath.map { path in
            try Narrator.step(plan.execCgroupNarration(hierarchies: cgroups.hierarchies)) { try cgroups.prepare(path: path) }
        }
        defer { prepared?.closeAll() }
        if !detach { sb_forward_signals(0) }   // held until the child exists, as in run
        let launchedAt = Narrator.current == nil ? 0 : Narrator.monotonicNanoseconds()
        let stamps = Narrator.current == nil ? nil : try ExecutorStamps(ops: plan.ops.count)
        let child = try Launcher.launch(plan, traceFD: log.level >= .trace ? 2 : -1,
                                        cgroupTaskFDs: prepared?.v1TaskFDs ?? [],
                                        cgroupDirectoryFD: prepared?.v2DirectoryFD ?? -1, stamps: stamps)
        if !detach { sb_forward_signals(child.pid) }   // from the start, as in run
        do {
            _ = try child.awaitOutcome()
        } catch {
            recordLaunch(child, plan.launchNarration.failed(error), start: launchedAt)
            var st: Int32 = 0
            _ = waitpid(child.pid, &st, 0)
            throw error
        }
        recordLaunch(child, plan.launchNarration, start: launchedAt)
        if let pidFile = options.pidFile {
            try FileSystem.writeAtomically(OCIRuntime.absolutePath(pidFile), Array("\(child.pid)".utf8), fsync: false)
        }
        if detach { return 0 }
        let waitStart = Narrator.current == nil ? 0 : Narrator.monotonicNanoseconds()
        var st: Int32 = 0
        while waitpid(child.pid, &st, 0) < 0 {
            if errno != EINTR { throw KernelError("waitpid", ["\(child.pid)"]) }
        }
        Narrator.current?.record(plan.execWaitNarration, start: waitStart)
        return OCIRuntime.exitCode(st)
    }

    /// The container an exec enters: created or running.
    func execTarget(_ id: String) throws -> ContainerRecord {
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == .running || status == .created else { throw RuntimeError.notRunning(id, status) }
        return record
    }

    /// The plan of an exec: the container's spec with this process (PlanBuilder.buildExec).
    /// One function for the exec and its dry run.
    func execPlan(_ record: ContainerRecord, process: RuntimeSpec.Process, consoleFD: Int32?, preserveFDs: Int32) throws -> LaunchPlan {
        let (spec, bundle) = try OCIRuntime.loadSpec(bundle: record.bundle)
        var builder = PlanBuilder(spec: spec, bundle: bundle, id: record.id, mode: .run, consoleSocketFD: consoleFD,
                                  hierarchies: cgroups.hierarchies, lastCap: Capabilities.lastCap(),
                                  preserveFDs: preserveFDs)
        builder.capabilityLimit = Capabilities.ownBoundingSet()
        builder.strictCapabilities = strictCapabilities
        let plan = try builder.buildExec(process: process, initPid: record.pid, cgroupPath: record.cgroupPath)
        builder.warnings(for: process).forEach(log.warning)
        return plan
    }

    /// `exec --dry-run`: the runtime's steps of an exec (the plan, the cgroup join,
    /// clone → execve, the wait), from the functions `exec` narrates with; nothing done.
    /// The process must not ask for a terminal (the engine's exec never does).
    public func dryRunExec(id: String, process: RuntimeSpec.Process, detach: Bool) throws -> [NarratedStep] {
        let plan = try execPlan(try execTarget(id), process: process, consoleFD: nil, preserveFDs: 0)
        var steps = [plan.execBuildNarration]
        if plan.cgroupPath != nil { steps.append(plan.execCgroupNarration(hierarchies: cgroups.hierarchies)) }
        steps.append(plan.launchNarration)
        if !detach { steps.append(plan.execWaitNarration) }
        return steps
    }

    public static func exitCode(_ status: Int32) -> Int32 {
        if sb_wifexited(status) != 0 { return sb_wexitstatus(status) }
        if sb_wifsignaled(status) != 0 { return 128 + sb_wtermsig(status) }
        return 255
    }

    // MARK: start / state / kill / delete

    public func start(id: String) throws {
        var record = try store.load(id)
        let status = store.status(of: record)
        guard status == .created else { throw RuntimeError.notCreated(id, status) }
        let fifo = store.execFifo(id)
        // O_NONBLOCK: fails with ENXIO at once if the container's reader is gone.
        let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw KernelError("open", [fifo, "O_WRONLY"]) }
        var byte: UInt8 = 0
        let n = write(fd, &byte, 1)
        close(fd)
        guard n == 1 else { throw KernelError("write", [fifo]) }
        record.started = true
        try store.save(record)
        unlink(fifo)
        runPoststart(record)
    }

    /// poststart hooks: after the user's process started; a failure is a warning only.
    func runPoststart(_ record: ContainerRecord) {
        guard let hooks = record.poststart, !hooks.isEmpty else { return }
        let state = ContainerState(id: record.id, status: .running, pid: record.pid, bundle: record.bundle, annotations: record.annotations)
        for failure in HookRunner.runAll(hooks, stage: "poststart", state: state) { log.warning("\(failure)") }
    }

    /// poststop hooks: after the container is deleted; a failure is a warning only.
    func poststopRunner(_ record: ContainerRecord) -> (() -> Void)? {
        guard let hooks = record.poststop, !hooks.isEmpty else { return nil }
        let state = ContainerState(id: record.id, status: .stopped, pid: 0, bundle: record.bundle, annotations: record.annotations)
        let log = self.log
        return { for failure in HookRunner.runAll(hooks, stage: "poststop", state: state) { log.warning("\(failure)") } }
    }

    public func state(id: String) throws -> ContainerState {
        let record = try store.load(id)
        let status = store.status(of: record)
        return ContainerState(id: id, status: status, pid: status == .stopped ? 0 : record.pid,
                              bundle: record.bundle, annotations: record.annotations)
    }

    public func kill(id: String, signal: String, all: Bool = false) throws {
        guard let sig = Processes.signalNumber(signal) else { throw RuntimeError.unknownSignal(signal) }
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == .created || status == .running || status == .paused else { throw RuntimeError.notRunning(id, status) }
        if all, let path = record.cgroupPath {
            for pid in cgroups.processes(at: path) { _ = Glibc.kill(pid, sig) }
        }
        guard Glibc.kill(record.pid, sig) == 0 else { throw KernelError("kill", ["\(record.pid)", "\(signal)"]) }
        if sig == SIGKILL { thawAfterKill(record) }
    }

    public func delete(id: String, force: Bool) throws {
        let record = try store.load(id)
        let status = store.status(of: record)
        if (status == .running || status == .paused) && !force { throw RuntimeError.notStopped(id, status) }
        if status != .stopped { _ = Glibc.kill(record.pid, SIGKILL) }
        // Anything else still in the container's cgroup (no pid namespace, or escaped
        // children) goes too.
        if let path = record.cgroupPath, force || status == .created {
            for pid in cgroups.processes(at: path) { _ = Glibc.kill(pid, SIGKILL) }
        }
        thawAfterKill(record)
        _ = Processes.waitUntil(timeoutMs: 10_000) { !Processes.isAlive(record.pid, startTime: record.pidStartTime) }
        if let path = record.cgroupPath {
            _ = Processes.waitUntil(timeoutMs: 10_000) { cgroups.processes(at: path).isEmpty }
        }
        if let root = record.hostMountRoot { MountTable.unmountAll(root) }
        try CgroupManager.remove(created: record.cgroupDirectories)
        try store.remove(id)
        poststopRunner(record)?()
    }

    public func list() -> [(ContainerRecord, ContainerStatus)] {
        store.ids().compactMap { id in (try? store.load(id)).map { ($0, store.status(of: $0)) } }
    }
}

/// Undo what a failed create/run made: the child, its cgroups, the state directory.
struct Cleanup {
    let store: ContainerStore
    let id: String
    var pid: Int32?
    var cgroupDirectories: [String] = []
    var armed = true
    /// poststop hooks, run after the rest is removed (a failed create continues the
    /// lifecycle at delete, and so at poststop, config.md says).
    var poststop: (() -> Void)?
    var hostMountRoot: String?

    init(store: ContainerStore, id: String) { self.store = store; self.id = id }

    mutating func disarm() { armed = false }

    mutating func run() {
        guard armed else { return }
        if let pid {
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        if let hostMountRoot { MountTable.unmountAll(hostMountRoot) }
        try? CgroupManager.remove(created: cgroupDirectories)
        try? store.remove(id)
        armed = false
        poststop?()
    }
}

