// Which hierarchy each requested limit goes to, decided from the host's mounts:
// a controller bound to a v1 hierarchy is written there (v1 and hybrid hosts); else,
// when the cgroup2 root lists it in cgroup.controllers, in the v2 directory (enabling
// it in the parents' cgroup.subtree_control first); else the request fails with
// "<controller>: controller not available on this host" before anything is created.
// A controller nobody asked a limit of is never required.
public struct ResourcePlan: Equatable, Sendable {
    public struct Step: Equatable, Sendable {
        /// The hierarchy's mount point (the container's directory is mountPoint + path).
        public var mountPoint: String
        public var version: CgroupHierarchy.Version
        public var write: CgroupWrite
    }

    /// v2 controllers to enable in cgroup.subtree_control of every parent of the
    /// container's directory, from the root down.
    public var enableV2: [String] = []
    public var v2MountPoint: String?
    public var steps: [Step] = []

    /// The device rules and where they go; nil when there are none.
    public struct Devices: Equatable, Sendable {
        public var rules: [DeviceRule]
        /// The v1 devices hierarchy: each rule written to devices.allow or devices.deny, in order.
        public var v1MountPoint: String?
        /// cgroup2: the rules as a BPF device program attached to the container's directory.
        public var v2MountPoint: String?
    }
    public var devices: Devices?

    public init() {}

    public var isEmpty: Bool { steps.isEmpty && enableV2.isEmpty && devices == nil }

    /// The hierarchies whose container directory this plan writes to or attaches to.
    public var containerMountPoints: Set<String> {
        Set(steps.map(\.mountPoint) + [devices?.v1MountPoint, devices?.v2MountPoint].compactMap { $0 })
    }

    /// Build the plan. `v2Controllers`: the cgroup2 root's cgroup.controllers, read only
    /// when a limit has no v1 hierarchy to go to (the start path stays free of it).
    /// `devices`: the device rules to apply (the runtime adds its defaults to
    /// linux.resources.devices, see DeviceRules.forContainer); nil: resources.devices as given.
    public static func make(_ resources: LinuxResources?, devices: [DeviceRule]? = nil, hierarchies: [CgroupHierarchy],
                            v2Controllers readV2Controllers: @autoclosure () -> Set<String>) throws -> ResourcePlan {
        var plan = ResourcePlan()
        let v2 = hierarchies.first { $0.version == .v2 }
        let rules = try devices ?? (resources?.devices ?? []).map(DeviceRule.init)
        if !rules.isEmpty {
            // One mechanism per host: the v1 devices controller where the host has one (v1
            // and hybrid hosts), else a cgroup v2 BPF program. On a hybrid host the kernel
            // would consult both (see DeviceFilterLoader), but the v1 list alone enforces
            // the same rules, and loading and attaching the program cost 0.46 ms of every
            // start (strace; `oci run` of /bin/true went from 1.04 to 1.15 times the
            // earlier build's time with both installed, measured interleaved).
            let v1 = hierarchies.first { $0.version == .v1 && $0.controllers.contains("devices") }
            guard v1 != nil || v2 != nil else { throw ResourceError.controllerMissing("devices") }
            plan.devices = Devices(rules: rules, v1MountPoint: v1?.mountPoint, v2MountPoint: v1 == nil ? v2?.mountPoint : nil)
        }
        guard let resources else { return plan }
        var cached: Set<String>?
        func v2Controllers() -> Set<String> {
            if cached == nil { cached = readV2Controllers() }
            return cached!
        }
        plan.v2MountPoint = v2?.mountPoint
        for controller in ResourceController.allCases {
            if let h = hierarchies.first(where: { $0.version == .v1 && $0.controllers.contains(controller.v1Name) }) {
                for w in try CgroupV1Driver.writes(controller, resources) {
                    plan.steps.append(Step(mountPoint: h.mountPoint, version: .v1, write: w))
                }
                continue
            }
            let writes = try CgroupV2Driver.writes(controller, resources)
            guard !writes.isEmpty else { continue }
            guard let v2, v2Controllers().contains(controller.v2Name) else {
                throw ResourceError.controllerMissing(controller.rawValue)
            }
            plan.enable(controller.v2Name)
            for w in writes { plan.steps.append(Step(mountPoint: v2.mountPoint, version: .v2, write: w)) }
        }
        for (controller, w) in try CgroupV2Driver.unified(resources.unified) {
            guard let v2 else { throw ResourceError.invalid("linux.resources.unified needs cgroup v2; this host has none") }
            if let controller {
                guard v2Controllers().contains(controller) else { throw ResourceError.controllerMissing(controller) }
                plan.enable(controller)
            }
            plan.steps.append(Step(mountPoint: v2.mountPoint, version: .v2, write: w))
        }
        return plan
    }

    mutating func enable(_ c: String) { if !enableV2.contains(c) { enableV2.append(c) } }

    /// The parents of `path` whose subtree_control must list enableV2: "/", "/swiftbox", …
    public static func parents(of path: String) -> [String] {
        let comps = path.split(separator: "/").map(String.init)
        var out = [""]
        for c in comps.dropLast() { out.append((out.last ?? "") + "/" + c) }
        return out
    }

    /// What --dry-run and --log-level trace print, in the order the writes happen.
    public func lines(path: String) -> [String] {
        var out: [String] = []
        if let v2 = v2MountPoint, !enableV2.isEmpty {
            let value = enableV2.map { "+" + $0 }.joined(separator: " ")
            for p in ResourcePlan.parents(of: path) { out.append("parent: write(\(v2)\(p)/cgroup.subtree_control, \"\(value)\")") }
        }
        for s in steps {
            out.append("parent: write(\(s.mountPoint)\(path)/\(s.write.file), \"\(s.write.value)\")\(s.write.optional ? " if the file exists" : "")")
        }
        if let d = devices {
            if let m = d.v1MountPoint {
                for w in d.rules.flatMap(\.v1Writes) { out.append("parent: write(\(m)\(path)/\(w.file), \"\(w.value)\")") }
            }
            if let m = d.v2MountPoint {
                let program = DeviceFilterProgram.instructions(d.rules)
                out.append("parent: bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, \(program.count) insns) for \(d.rules.map(\.description).joined(separator: ", "))")
                out += DeviceFilterProgram.listing(program).map { "parent:   " + $0 }
                out.append("parent: bpf(BPF_PROG_ATTACH, \(m)\(path), BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)")
            }
        }
        return out
    }
}
