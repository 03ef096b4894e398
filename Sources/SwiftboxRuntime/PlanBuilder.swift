// config.json → LaunchPlan. Pure apart from reading the rootfs (to check mount
// destinations) and compiling seccomp; no root needed, so golden tests cover it.
//
// The order of the child's operations matters, and each constraint is noted where the
// op is appended. In short: join namespaces → join cgroups → cgroup namespace →
// mounts inside the rootfs → pivot_root → sysctls → mask and read-only
// paths → read-only root → hostname → rlimits → console → no_new_privs →
// capabilities and user → cwd → close fds → wait for `start` → seccomp → final
// capabilities → execve. The filter comes as late as it can, so that it judges as
// little of the runtime's own work as possible: a profile need not allow close_range,
// setgroups or chdir for the runtime to get the container going.
import SwiftboxCgroup
import SwiftboxKernel
import SwiftboxOCI
import SwiftboxSecurity

public enum PlanError: Error, Equatable, CustomStringConvertible {
    case rootfsMissing(String)
    case noProcess
    case noArgs
    case unknownNamespace(String)
    case duplicateNamespace(String)
    case hostnameWithoutUTS
    case unsupportedVersion(String)
    case capabilityUnavailable(String, set: String)
    case unsupportedHook(String)
    case userNamespaceWithoutMappings
    case mappingsWithoutUserNamespace
    case mountSourceMissing(destination: String, source: String)
    case mountDestinationNotAbsolute(String)
    case mountEscapes(destination: String, link: String, target: String)
    case unknownRlimit(String)
    case unknownPropagation(String)
    case invalidDevice(String)
    case invalidCwd(String)

    public var description: String {
        switch self {
        case .rootfsMissing(let p): return "root.path \(p): no such directory"
        case .noProcess: return "config.json has no process to run"
        case .noArgs: return "process.args must name a program"
        case .unknownNamespace(let t): return "linux.namespaces: unknown namespace type \"\(t)\" (expected pid, network, mount, ipc, uts, user, cgroup or time)"
        case .duplicateNamespace(let t): return "linux.namespaces: namespace \"\(t)\" is listed twice"
        case .hostnameWithoutUTS: return "hostname is set but linux.namespaces has no uts namespace (new or joined by path): it would rename the host"
        case .unsupportedVersion(let v):
            return "ociVersion \"\(v)\": this runtime implements runtime-spec \(OCIVersion.minimum) to \(OCIVersion.maximum)"
        case .userNamespaceWithoutMappings:
            return "linux.namespaces: a new user namespace needs linux.uidMappings and linux.gidMappings"
        case .mappingsWithoutUserNamespace:
            return "linux.uidMappings/gidMappings are set but linux.namespaces creates no user namespace"
        case .unsupportedHook(let stage):
            return "hooks.\(stage): not supported by this runtime (prestart, createRuntime, poststart and poststop are)"
        case .capabilityUnavailable(let name, let set):
            return "process.capabilities.\(set): \(name) is not in this runtime's own bounding set, so no process it starts can have it"
        case .mountSourceMissing(let d, let s): return "mounts: \(d): bind source \(s) does not exist"
        case .mountDestinationNotAbsolute(let d): return "mounts: destination \"\(d)\" must be an absolute path"
        case .mountEscapes(let d, let l, let t):
            return "mounts: destination \(d) goes through symlink \(l) -> \(t), which points outside the rootfs"
        case .unknownRlimit(let r): return "process.rlimits: unknown type \"\(r)\""
        case .unknownPropagation(let p): return "linux.rootfsPropagation: unknown value \"\(p)\""
        case .invalidDevice(let d): return "linux.devices: \(d)"
        case .invalidCwd(let c): return "process.cwd \"\(c)\" must be an absolute path"
        }
    }
}

public struct PlanBuilder {
    /// What kind of start the plan is for.
    public enum Mode: Equatable, Sendable {
        /// `create`: the child blocks on the exec fifo until `start`.
        case create(execFifo: String)
        /// `run`: straight through to execve.
        case run
    }

    public var spec: RuntimeSpec
    public var bundle: String
    public var id: String
    public var mode: Mode
    public var consoleSocketFD: Int32?
    public var hierarchies: [CgroupHierarchy]
    public var lastCap: Int
    public var preserveFDs: Int32
    /// Capabilities this runtime itself holds (its bounding set): requests beyond it are
    /// dropped, as capabilities unknown to the kernel are.
    public var capabilityLimit: UInt64 = ~0
    /// What to do with a capability beyond capabilityLimit: `swiftbox oci` refuses the
    /// config (runc does too: the caller asked for something it will not get); the
    /// engine drops it and says so, as Docker does with --privileged on such a host.
    public var strictCapabilities = true
    /// False for the engine's dry run: the overlay that would be the rootfs is mounted
    /// only by a real start, and the plan does not depend on what is in it.
    public var rootfsMustExist = true
    /// Bind sources that do not exist yet but will be regular files when the plan runs
    /// (the engine's dry run: the hostname, hosts and resolv.conf it would write).
    public var filesMadeLater: Set<String> = []
    /// The same for directories (a volume the dry run's create would make).
    public var directoriesMadeLater: Set<String> = []

    public init(spec: RuntimeSpec, bundle: String, id: String, mode: Mode, consoleSocketFD: Int32? = nil,
                hierarchies: [CgroupHierarchy], lastCap: Int, preserveFDs: Int32 = 0) {
        self.preserveFDs = preserveFDs
        self.spec = spec
        self.bundle = bundle
        self.id = id
        self.mode = mode
        self.consoleSocketFD = consoleSocketFD
        self.hierarchies = hierarchies
        self.lastCap = lastCap
    }

    public var rootfs: String {
        let path = spec.root?.path ?? "rootfs"
        return path.hasPrefix("/") ? path : bundle + "/" + path
    }

    public func build() throws -> LaunchPlan {
        guard OCIVersion.isSupported(spec.ociVersion) else { throw PlanError.unsupportedVersion(spec.ociVersion) }
        guard let process = spec.process else { throw PlanError.noProcess }
        guard let args = process.args, let program = args.first, !program.isEmpty else { throw PlanError.noArgs }
        guard process.cwd.hasPrefix("/") else { throw PlanError.invalidCwd(process.cwd) }
        guard !rootfsMustExist || FileSystem.isDirectory(rootfs) else { throw PlanError.rootfsMissing(rootfs) }

        var ops: [LaunchOp] = []
        let (created, joined, joinPid) = try namespaces()
        // No mount namespace in the config means the host's (config-linux.md): the
        // mounts are then made under the rootfs in the host's namespace, the container
        // is chroot'ed instead of pivot_root'ed, and delete unmounts what it made.
        let ownMountNS = created.contains(.mount) || joined.contains(where: { $0.type == .mount })
        // A hostname goes to a uts namespace of the container's own: a new one, or one
        // joined by path (setns comes first, so sethostname lands there).
        let hasUTS = created.contains(.uts) || joined.contains { $0.type == .uts }
        if (spec.hostname != nil || spec.domainname != nil) && !hasUTS { throw PlanError.hostnameWithoutUTS }

        // A new user namespace: the child waits, first thing, for the parent to write
        // its uid_map and gid_map; until then it has no identity there, and the
        // namespaces created with it (owned by it) would refuse its mounts.
        let newUser = created.contains(.user)
        let uidMaps = spec.linux?.uidMappings ?? [], gidMaps = spec.linux?.gidMappings ?? []
        if newUser && (uidMaps.isEmpty || gidMaps.isEmpty) { throw PlanError.userNamespaceWithoutMappings }
        if !newUser && (!uidMaps.isEmpty || !gidMaps.isEmpty) { throw PlanError.mappingsWithoutUserNamespace }
        if newUser {
            ops.append(.waitParent)
            // Become the namespace's root: until now our ids are the parent's (host root,
            // unmapped here), and files we create would fail with EOVERFLOW.
            ops.append(.setresgid(0))
            ops.append(.setresuid(0))
        }

        // Join namespaces given by path first (a user namespace before the others,
        // since it decides what the later setns calls are allowed to do).
        // With a new user namespace, those the thread can enter (not mount: a shared
        // fs_struct cannot) are entered by the parent around the clone instead.
        var joinBeforeClone: [JoinedNamespace] = []
        for ns in joined.sorted(by: { ($0.type == .user ? 0 : 1) < ($1.type == .user ? 0 : 1) }) {
            if newUser && [.network, .ipc, .uts, .cgroup].contains(ns.type) {
                joinBeforeClone.append(.init(path: ns.path, type: ns.type))
            } else {
                ops.append(.setns(path: ns.path, type: ns.type))
            }
        }
        let cloneNamespaces = created.filter { $0 != .cgroup }
        // Cgroups: clone3(CLONE_INTO_CGROUP) starts us in the cgroup v2 directory; each
        // cgroup v1 hierarchy we join ourselves, first thing. Only then may a cgroup
        // namespace be created, so that its root is the container's own cgroup.
        let v1 = hierarchies.filter { $0.version == .v1 }.map(\.mountPoint)
        if !v1.isEmpty { ops.append(.joinCgroups(hierarchies: v1)) }
        if created.contains(.cgroup) { ops.append(.unshare(.cgroup)) }
        // A network namespace of our own starts with `lo` down; bring it up as runc and
        // crun do. (One joined by path is someone else's to configure.)
        if created.contains(.network) { ops.append(.loopbackUp) }

        // The exec fifo lives in the runtime's state directory on the host: open it
        // before pivot_root hides the host's file system.
        if case .create(let fifo) = mode { ops.append(.openExecFifo(path: fifo)) }

        // Mount propagation of the whole tree first, so nothing we mount leaks to the host.
        let propName = spec.linux?.rootfsPropagation ?? "rslave"
        guard let prop = MountFlags.propagation(propName) else { throw PlanError.unknownPropagation(propName) }
        let propText = "MS_" + propName.uppercased().replacingREC()
        // The host's tree is never touched: without a namespace of our own, no propagation.
        if !ownMountNS {
        } else if prop & MountFlags.UNBINDABLE != 0 {
            // An unbindable tree cannot give us the bind of the rootfs below: start
            // private, and make the container's "/" unbindable once it is the root.
            ops.append(.setPropagation(flags: MountFlags.PRIVATE | MountFlags.REC, name: "MS_PRIVATE|MS_REC"))
        } else {
            ops.append(.setPropagation(flags: prop, name: propText))
        }
        // pivot_root(2) fails with EINVAL when the new root's parent mount is shared. It
        // is, after "shared"/"rshared" above: make just that one mount private (the bind
        // below then copies a private mount, so the new root is not shared either).
        if ownMountNS && prop & MountFlags.SHARED != 0 { ops.append(.makeParentMountPrivate(path: rootfs)) }
        // pivot_root needs the new root to be a mount point: bind it onto itself.
        ops.append(.bindRootfs(path: rootfs))

        let cgroupPath = try CgroupManager.resolvePath(spec.linux?.cgroupsPath, id: id)
        let hasCgroupNS = created.contains(.cgroup) || joined.contains { $0.type == .cgroup }
        var devIsTmpfs = false
        for m in spec.mounts ?? [] {
            guard m.destination.hasPrefix("/") else { throw PlanError.mountDestinationNotAbsolute(m.destination) }
            let resolution = RootfsPath.resolve(m.destination, in: rootfs)
            if let esc = resolution.escapingLink {
                throw PlanError.mountEscapes(destination: m.destination, link: esc.link, target: esc.target)
            }
            if m.destination == "/dev" && m.type == "tmpfs" { devIsTmpfs = true }
            // Mount on the path as the container will see it: symlinks in the image are
            // followed with the rootfs as "/" (the child checks again with RESOLVE_IN_ROOT).
            var inside = m
            inside.destination = resolution.resolved
            ops += try mountOps(inside, inUserNamespace: newUser, ownNetwork: created.contains(.network),
                                hostCgroupPath: hasCgroupNS ? nil : cgroupPath)
        }
        // mknod(2) is refused in a user namespace: device nodes are bound from the host.
        if devIsTmpfs { ops += defaultDevices(bindFromHost: newUser) }
        ops += try configDevices(bindFromHost: newUser)

        // prestart and createRuntime hooks run in the parent once the namespaces and
        // mounts exist but before pivot_root (config.md): the child waits here for them.
        if let hooks = spec.hooks {
            if hooks.createContainer?.isEmpty == false { throw PlanError.unsupportedHook("createContainer") }
            if hooks.startContainer?.isEmpty == false { throw PlanError.unsupportedHook("startContainer") }
            if hooks.prestart?.isEmpty == false || hooks.createRuntime?.isEmpty == false { ops.append(.waitParent) }
        }
        ops.append(ownMountNS ? .pivotRoot : .chrootRootfs)

        // sysctls through the container's own /proc, in its own namespaces, and before
        // readonlyPaths makes /proc/sys read-only.
        for (key, value) in (spec.linux?.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            ops.append(.writeFile(path: "/proc/sys/" + key.split(separator: ".").joined(separator: "/"), content: value))
        }
        if let adj = process.oomScoreAdj { ops.append(.writeFile(path: "/proc/self/oom_score_adj", content: "\(adj)")) }
        // Masking binds /dev/null, so it comes after the devices exist; the read-only
        // remount of / comes after masking, which needs to create nothing but mounts.
        for p in spec.linux?.maskedPaths ?? [] { ops.append(.maskPath(p)) }
        for p in spec.linux?.readonlyPaths ?? [] { ops.append(.readonlyPath(p)) }
        if spec.root?.readonly == true { ops.append(.remountRootReadonly) }
        // The propagation the config asked for, on the container's own "/" now that it is
        // the root (the first setPropagation applied to the host's tree, copied), and
        // after the masks: a bind of /dev/null from an unbindable tree would fail.
        if ownMountNS && spec.linux?.rootfsPropagation != nil { ops.append(.setPropagation(flags: prop, name: propText)) }

        if let h = spec.hostname { ops.append(.sethostname(h)) }
        if let d = spec.domainname { ops.append(.setdomainname(d)) }
        ops += try processOps(process, program: program, args: args, waitForStart: { if case .create = mode { return true }; return false }(),
                              initProcess: spec.annotations?[PlanBuilder.initAnnotation] == "true")

        var plan = LaunchPlan(cloneNamespaces: NamespaceKind.allCases.filter { cloneNamespaces.contains($0) },
                              joinPidNamespace: joinPid, cgroupPath: cgroupPath,
                              cgroupV2Mount: hierarchies.first { $0.version == .v2 }?.mountPoint, preserveFDs: preserveFDs, ops: ops)
        if !ownMountNS { plan.hostMountRoot = rootfs }
        plan.joinBeforeClone = joinBeforeClone
        if newUser {
            plan.uidMappings = uidMaps
            plan.gidMappings = gidMaps
        }
        return plan
    }

    /// The steps that turn the (still privileged) child into the process config.json
    /// describes: rlimits, console, no_new_privs, seccomp, capabilities, user, cwd —
    /// then execve. Shared by container starts and `exec`.
    /// The annotation that asks for a minimal init as PID 1 (`swiftbox run --init`).
    public static let initAnnotation = "org.swiftbox.init"

    func processOps(_ process: RuntimeSpec.Process, program: String, args: [String], waitForStart: Bool,
                    initProcess: Bool = false) throws -> [LaunchOp] {
        var ops: [LaunchOp] = []
        for r in process.rlimits ?? [] {
            guard let res = Rlimits.number(r.type) else { throw PlanError.unknownRlimit(r.type) }
            ops.append(.setrlimit(name: r.type, resource: res, soft: r.soft, hard: r.hard))
        }
        if process.terminal == true, let fd = consoleSocketFD {
            ops.append(.console(socketFD: fd, rows: process.consoleSize?.height ?? 0, columns: process.consoleSize?.width ?? 0))
        }

        let nnp = process.noNewPrivileges == true
        if nnp { ops.append(.noNewPrivileges) }
        var seccomp: SeccompProgram?
        if let sc = spec.linux?.seccomp { seccomp = try SeccompCompiler.compile(sc) }

        // Capabilities and identity. The bounding set is dropped while we still have
        // CAP_SETPCAP; KEEPCAPS keeps the permitted set across the uid change; the gid
        // changes before the uid (after setresuid we may no longer change it); capset
        // then sets the final effective/permitted/inheritable sets; ambient last.
        let caps = process.capabilities
        let bounding = try capabilities(caps?.bounding, set: "bounding")
        let effective = try capabilities(caps?.effective, set: "effective")
        let permitted = try capabilities(caps?.permitted, set: "permitted")
        let inheritable = try capabilities(caps?.inheritable, set: "inheritable")
        // An ambient capability must be permitted and inheritable (capabilities(7)), or
        // PR_CAP_AMBIENT_RAISE fails with EPERM. runc's own `runc spec` lists ambient
        // capabilities that are not inheritable; like runc, skip those (and say so)
        // rather than refuse the config.
        let askedAmbient = try capabilities(caps?.ambient, set: "ambient")
        let ambient = askedAmbient & permitted & inheritable
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN. We keep it (in the
        // permitted set KEEPCAPS saved) until the filter is in, then set the final sets.
        let sysAdmin: UInt64 = 1 << 21
        let holdSysAdmin = seccomp != nil && !nnp && effective & sysAdmin == 0
        ops.append(.chdirBeforeUser(process.cwd))
        ops.append(.dropBounding(keep: bounding, lastCap: lastCap))
        ops.append(.keepCaps(true))
        ops.append(.setgroups(process.user.additionalGids ?? []))
        ops.append(.setresgid(process.user.gid))
        ops.append(.setresuid(process.user.uid))
        ops.append(.keepCaps(false))
        if holdSysAdmin {
            ops.append(.capset(effective: effective | sysAdmin, permitted: permitted | sysAdmin, inheritable: inheritable))
        } else {
            ops.append(.capset(effective: effective, permitted: permitted, inheritable: inheritable))
        }
        ops.append(.umask(process.user.umask ?? 0o022))
        ops.append(.chdir(process.cwd))
        ops.append(.closeFDs(from: 3 + preserveFDs))
        if waitForStart { ops.append(.waitStart) }
        // The filter last: after it, only capset, prctl (ambient), fork (--init) and
        // execve remain, whatever the profile denies.
        if let seccomp { ops.append(.seccomp(seccomp)) }
        if holdSysAdmin { ops.append(.capset(effective: effective, permitted: permitted, inheritable: inheritable)) }
        if ambient != 0 { ops.append(.ambient(ambient)) }
        if initProcess { ops.append(.initProcess) }
        ops.append(.exec(path: program, args: args, env: process.env ?? []))

        return ops
    }

    /// A capability set as a mask, limited to what this runtime holds: beyond it, an
    /// error (strictCapabilities), else the capability is left out (see warnings).
    func capabilities(_ names: [String]?, set: String) throws -> UInt64 {
        let asked = try Capabilities.mask(names, set: set, lastCap: lastCap)
        let missing = asked & ~capabilityLimit
        if missing != 0 && strictCapabilities {
            throw PlanError.capabilityUnavailable(Capabilities.names(missing).joined(separator: ", "), set: set)
        }
        return asked & capabilityLimit
    }

    /// What the caller should tell the user about `process`: capabilities left out
    /// because this runtime lacks them (when not strict), and ambient capabilities that
    /// cannot be raised because they are not also permitted and inheritable.
    public func warnings(for process: RuntimeSpec.Process? = nil) -> [String] {
        guard let caps = (process ?? spec.process)?.capabilities else { return [] }
        var out: [String] = []
        let sets: [(String, [String]?)] = [("bounding", caps.bounding), ("effective", caps.effective), ("permitted", caps.permitted),
                                           ("inheritable", caps.inheritable), ("ambient", caps.ambient)]
        var masks: [String: UInt64] = [:]
        for (name, list) in sets {
            let unknown = Capabilities.unknownToKernel(list, lastCap: lastCap)
            if !unknown.isEmpty {
                out.append("process.capabilities.\(name): leaving out \(unknown.joined(separator: ", ")): unknown to this kernel (its last capability is \(Capabilities.name(lastCap)))")
            }
            let asked = (try? Capabilities.mask(list, set: name, lastCap: lastCap)) ?? 0
            masks[name] = asked & capabilityLimit
            let missing = asked & ~capabilityLimit
            if missing != 0 && !strictCapabilities {
                out.append("process.capabilities.\(name): dropping \(Capabilities.names(missing).joined(separator: ", ")): not in this runtime's own bounding set")
            }
        }
        let ambient = masks["ambient"]!
        let raisable = ambient & masks["permitted"]! & masks["inheritable"]!
        if raisable != ambient {
            out.append("process.capabilities.ambient: not raising \(Capabilities.names(ambient & ~raisable).joined(separator: ", ")): an ambient capability must also be permitted and inheritable")
        }
        return out
    }

    /// Namespaces to create, to join by path (all but pid), and the pid namespace to join.
    func namespaces() throws -> ([NamespaceKind], [(type: NamespaceKind, path: String)], String?) {
        var created: [NamespaceKind] = []
        var joined: [(type: NamespaceKind, path: String)] = []
        var joinPid: String?
        var seen = Set<String>()
        for ns in spec.linux?.namespaces ?? [] {
            guard let kind = NamespaceKind(rawValue: ns.type) else { throw PlanError.unknownNamespace(ns.type) }
            guard seen.insert(ns.type).inserted else { throw PlanError.duplicateNamespace(ns.type) }
            if let path = ns.path, !path.isEmpty {
                if kind == .pid { joinPid = path } else { joined.append((kind, path)) }
            } else {
                created.append(kind)
            }
        }
        return (created, joined, joinPid)
    }

    func mountOps(_ m: RuntimeSpec.Mount, inUserNamespace: Bool = false, ownNetwork: Bool = true,
                  hostCgroupPath: String? = nil) throws -> [LaunchOp] {
        var parsed = MountFlags.parse(m.options ?? [])
        var m = m
        // sysfs may be mounted in a user namespace only by the owner of the network
        // namespace (sysfs(5)): without a network namespace of its own, the container
        // gets the host's /sys bound instead, as runc does.
        if inUserNamespace && !ownNetwork && m.type == "sysfs" {
            m.type = "bind"
            m.source = "/sys"
            parsed.flags |= MountFlags.BIND | MountFlags.REC
        }
        let type = m.type ?? ""
        let isBind = type == "bind" || parsed.flags & MountFlags.BIND != 0
        if type == "cgroup" || type == "cgroup2" { return cgroupMountOps(m, flags: parsed.flags, hostCgroupPath: hostCgroupPath) }
        var source = m.source ?? type
        var isFile = false
        if isBind {
            if !source.hasPrefix("/") { source = bundle + "/" + source }
            guard let kind = FileSystem.fileType(source, followSymlinks: true) ?? (filesMadeLater.contains(source) ? 0o100000 : directoriesMadeLater.contains(source) ? 0o040000 : nil) else {
                throw PlanError.mountSourceMissing(destination: m.destination, source: source)
            }
            isFile = kind != 0o040000
        }
        return [.mount(MountOp(source: source, destination: m.destination, fsType: isBind ? "" : type,
                               flags: parsed.flags | (isBind ? MountFlags.BIND : 0),
                               data: parsed.data.joined(separator: ","), propagation: parsed.propagation,
                               targetIsFile: isFile))]
    }

    /// A "cgroup" mount: on a pure v2 host, the cgroup2 file system; on v1 and hybrid
    /// hosts, a tmpfs with one cgroup v1 mount per hierarchy (plus cgroup2 at
    /// "unified"). Inside a cgroup namespace each shows the container's own cgroup as
    /// its root. Without one (`hostCgroupPath`: Docker's default on cgroup v1 hosts), a
    /// new cgroup mount would show the host's whole tree: the container's own directory
    /// of each hierarchy is bound there instead, as runc does, so that
    /// /sys/fs/cgroup/memory/memory.limit_in_bytes is the container's limit.
    func cgroupMountOps(_ m: RuntimeSpec.Mount, flags: UInt, hostCgroupPath: String? = nil) -> [LaunchOp] {
        let base = flags & (MountFlags.NOSUID | MountFlags.NODEV | MountFlags.NOEXEC | MountFlags.RELATIME | MountFlags.RDONLY)
        let layout = Mountinfo.layout(hierarchies)
        func own(_ h: CgroupHierarchy, at dest: String) -> LaunchOp? {
            guard let path = hostCgroupPath else { return nil }
            return .mount(MountOp(source: h.mountPoint + path, destination: dest, fsType: "", flags: base | MountFlags.BIND,
                                  data: "", propagation: 0, targetIsFile: false))
        }
        if layout == .v2 || layout == .none {
            if let h = hierarchies.first, let bind = own(h, at: m.destination) { return [bind] }
            return [.mount(MountOp(source: "cgroup2", destination: m.destination, fsType: "cgroup2", flags: base,
                                   data: "", propagation: 0, targetIsFile: false))]
        }
        var ops: [LaunchOp] = [.mount(MountOp(source: "tmpfs", destination: m.destination, fsType: "tmpfs",
                                              flags: base & ~MountFlags.RDONLY, data: "mode=755", propagation: 0,
                                              targetIsFile: false))]
        for h in hierarchies {
            let name = h.mountPoint.split(separator: "/").last.map(String.init) ?? "unified"
            let dest = m.destination + "/" + name
            if let bind = own(h, at: dest) {
                ops.append(bind)
            } else if h.version == .v2 {
                ops.append(.mount(MountOp(source: "cgroup2", destination: dest, fsType: "cgroup2", flags: base,
                                          data: "", propagation: 0, targetIsFile: false)))
            } else {
                ops.append(.mount(MountOp(source: "cgroup", destination: dest, fsType: "cgroup", flags: base,
                                          data: h.controllers.joined(separator: ","), propagation: 0, targetIsFile: false)))
            }
        }
        return ops
    }

    /// The devices every container gets (OCI runtime spec, "Default Devices") and the
    /// conventional symlinks, when /dev is a fresh tmpfs.
    func defaultDevices(bindFromHost: Bool = false) -> [LaunchOp] {
        let devices: [(String, Int64, Int64)] = [("null", 1, 3), ("zero", 1, 5), ("full", 1, 7),
                                                 ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0)]
        var ops: [LaunchOp] = devices.map {
            bindFromHost ? bindDevice("/dev/" + $0.0)
                : .mknod(path: "/dev/" + $0.0, type: "c", major: $0.1, minor: $0.2, mode: 0o666, uid: 0, gid: 0)
        }
        ops.append(.symlink(target: "/proc/self/fd", path: "/dev/fd"))
        ops.append(.symlink(target: "/proc/self/fd/0", path: "/dev/stdin"))
        ops.append(.symlink(target: "/proc/self/fd/1", path: "/dev/stdout"))
        ops.append(.symlink(target: "/proc/self/fd/2", path: "/dev/stderr"))
        ops.append(.symlink(target: "pts/ptmx", path: "/dev/ptmx"))
        return ops
    }

    /// The host's node at the same path, bound onto an empty file in the container.
    func bindDevice(_ path: String) -> LaunchOp {
        .mount(MountOp(source: path, destination: path, fsType: "", flags: MountFlags.BIND, data: "", propagation: 0, targetIsFile: true))
    }

    func configDevices(bindFromHost: Bool = false) throws -> [LaunchOp] {
        try (spec.linux?.devices ?? []).map { d in
            guard d.path.hasPrefix("/dev/") || d.path.hasPrefix("/") else { throw PlanError.invalidDevice("\(d.path): path must be absolute") }
            let type: Character
            switch d.type {
            case "c", "u": type = "c"
            case "b": type = "b"
            case "p": type = "p"
            default: throw PlanError.invalidDevice("\(d.path): unknown type \"\(d.type)\"")
            }
            if type != "p" && (d.major == nil || d.minor == nil) { throw PlanError.invalidDevice("\(d.path): major and minor are required") }
            if bindFromHost { return bindDevice(d.path) }
            return .mknod(path: d.path, type: type, major: d.major ?? 0, minor: d.minor ?? 0,
                          mode: (d.fileMode ?? 0o666) & 0o7777, uid: d.uid ?? 0, gid: d.gid ?? 0)
        }
    }
}

extension String {
    /// "RSLAVE" → "SLAVE|MS_REC" for printing the propagation flags.
    func replacingREC() -> String { hasPrefix("R") ? String(dropFirst()) + "|MS_REC" : self }
}

/// RLIMIT_* by name (getrlimit(2)).
public enum Rlimits {
    static let table: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]
    public static func number(_ name: String) -> Int32? { table[name] }
}
