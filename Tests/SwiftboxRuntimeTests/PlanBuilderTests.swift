import XCTest
@testable import SwiftboxCgroup
@testable import SwiftboxKernel
@testable import SwiftboxOCI
@testable import SwiftboxRuntime
@testable import SwiftboxSecurity

final class PlanBuilderTests: XCTestCase {
    var bundle = ""

    override func setUpWithError() throws {
        bundle = NSTemporaryDirectory() + "swiftbox-plan-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs/etc", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: bundle) }

    static let v2 = [CgroupHierarchy(version: .v2, mountPoint: "/sys/fs/cgroup", controllers: [])]

    func builder(_ spec: RuntimeSpec, mode: PlanBuilder.Mode = .run, hierarchies: [CgroupHierarchy] = v2) -> PlanBuilder {
        PlanBuilder(spec: spec, bundle: bundle, id: "golden", mode: mode, consoleSocketFD: nil,
                    hierarchies: hierarchies, lastCap: 40)
    }

    /// The plan for `swiftbox oci spec`'s default config, as --dry-run prints it.
    func testDefaultPlanMatchesGolden() throws {
        var spec = DefaultSpec.make()
        spec.linux?.sysctl = ["net.ipv4.ip_unprivileged_port_start": "0"]
        spec.process?.oomScoreAdj = 5
        spec.linux?.seccomp = .init(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
                                    syscalls: [.init(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO")])
        let plan = try builder(spec, mode: .create(execFifo: "/run/swiftbox-oci/golden/exec.fifo")).build()
        let text = plan.lines.joined(separator: "\n").replacingOccurrences(of: bundle, with: "<bundle>")
            .replacingOccurrences(of: #"<\d+ BPF instructions>"#, with: "<BPF>", options: .regularExpression) + "\n"
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/plan-default.txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(text, try String(contentsOf: golden, encoding: .utf8),
                       "plan changed; if intended, re-run with UPDATE_GOLDEN=1 and review the diff")
    }

    /// Which launches are visible to a running container before their execve, and so
    /// must come from a sealed executable (SealedExecutable; CVE-2019-5736).
    func testLaunchesIntoRunningContainersAreMarked() throws {
        var spec = DefaultSpec.make()
        XCTAssertFalse(try builder(spec).build().entersRunningContainer, "a new container has a pid namespace of its own")
        let exec = try builder(spec).buildExec(process: spec.process!, initPid: 42, cgroupPath: nil)
        XCTAssertTrue(exec.entersRunningContainer)
        let namespaces = spec.linux?.namespaces?.map { $0.type == "pid" ? .init(type: "pid", path: "/proc/42/ns/pid") : $0 }
        spec.linux?.namespaces = namespaces
        let joined = try builder(spec).build()
        XCTAssertEqual(joined.joinPidNamespace, "/proc/42/ns/pid")
        XCTAssertTrue(joined.entersRunningContainer)
    }

    /// A new user namespace with a network namespace joined by path (the engine's,
    /// owned by the host's user namespace): the parent enters it for the clone, since
    /// the child in its new user namespace could not; and exec enters the user
    /// namespace after the ones it may not own, the mount namespace last.
    func testNamespacesTheNewUserNamespaceDoesNotOwnAreJoinedFirst() throws {
        var spec = DefaultSpec.make()
        let namespaces = (spec.linux?.namespaces ?? []).map { $0.type == "network" ? .init(type: "network", path: "/run/netns/x") : $0 }
        spec.linux?.namespaces = namespaces + [.init(type: "user")]
        spec.linux?.uidMappings = [.init(containerID: 0, hostID: 100000, size: 65536)]
        spec.linux?.gidMappings = [.init(containerID: 0, hostID: 100000, size: 65536)]
        let plan = try builder(spec).build()
        XCTAssertEqual(plan.joinBeforeClone, [JoinedNamespace(path: "/run/netns/x", type: .network)])
        XCTAssertFalse(plan.ops.contains { if case .setns = $0 { return true }; return false }, "\(plan.ops)")
        XCTAssertTrue(plan.cloneNamespaces.contains(.user))
        XCTAssertTrue(plan.lines.contains("parent: setns(/run/netns/x, CLONE_NEWNET) for the clone, then back"))

        let exec = try builder(spec).buildExec(process: spec.process!, initPid: 42, cgroupPath: nil)
        let joins = exec.ops.compactMap { op -> NamespaceKind? in if case .setns(_, let type) = op { return type }; return nil }
        XCTAssertEqual(joins.suffix(2), [.user, .mount], "\(joins)")
        XCTAssertLessThan(joins.firstIndex(of: .network)!, joins.firstIndex(of: .user)!)

        // Without a new user namespace nothing changes: the child joins it itself.
        let withoutUser = spec.linux?.namespaces?.filter { $0.type != "user" }
        spec.linux?.namespaces = withoutUser
        spec.linux?.uidMappings = nil
        spec.linux?.gidMappings = nil
        let plain = try builder(spec).build()
        XCTAssertEqual(plain.joinBeforeClone, [])
        XCTAssertTrue(plain.ops.contains(.setns(path: "/run/netns/x", type: .network)))
    }

    func testOrderingConstraints() throws {
        var spec = DefaultSpec.make()
        spec.linux?.seccomp = .init(defaultAction: "SCMP_ACT_ALLOW")
        let hybrid = [CgroupHierarchy(version: .v1, mountPoint: "/sys/fs/cgroup/memory", controllers: ["memory"]),
                      CgroupHierarchy(version: .v2, mountPoint: "/sys/fs/cgroup/unified", controllers: [])]
        let ops = try builder(spec, mode: .create(execFifo: "/f"), hierarchies: hybrid).build().ops
        func index(_ match: (LaunchOp) -> Bool) -> Int { ops.firstIndex(where: match)! }
        let pivot = index { $0 == .pivotRoot }
        let fifo = index { if case .openExecFifo = $0 { return true }; return false }
        let wait = index { if case .joinCgroups = $0 { return true }; return false }
        let cgroupNS = index { $0 == .unshare(.cgroup) }
        let mask = index { if case .maskPath = $0 { return true }; return false }
        let rootRO = index { $0 == .remountRootReadonly }
        let gid = index { if case .setresgid = $0 { return true }; return false }
        let uid = index { if case .setresuid = $0 { return true }; return false }
        let seccomp = index { if case .seccomp = $0 { return true }; return false }
        let start = index { $0 == .waitStart }
        XCTAssertLessThan(wait, cgroupNS, "the cgroup namespace is created after joining the cgroups")
        XCTAssertLessThan(fifo, pivot, "the exec fifo is a host path: open it before pivot_root")
        XCTAssertLessThan(mask, rootRO, "mask before the read-only remount of /")
        XCTAssertLessThan(gid, uid, "set the gid while we still may")
        XCTAssertLessThan(start, seccomp, "with no_new_privs, seccomp goes last")
        XCTAssertEqual(ops.last.map { if case .exec = $0 { return true }; return false }, true)
    }

    /// Without no_new_privs the filter needs CAP_SYS_ADMIN, but nothing the runtime does
    /// itself may come after it except the final capset, ambient, --init's fork and
    /// execve: a profile without close_range, setgroups or chdir must not break the start.
    func testSeccompComesAfterTheRuntimesOwnStepsWithoutNoNewPrivileges() throws {
        var spec = DefaultSpec.make()
        spec.process?.noNewPrivileges = false
        spec.linux?.seccomp = .init(defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64"],
                                    syscalls: [.init(names: ["read", "write", "execve"], action: "SCMP_ACT_ALLOW")])
        let ops = try builder(spec, mode: .create(execFifo: "/f")).build().ops
        let seccomp = ops.firstIndex { if case .seccomp = $0 { return true }; return false }!
        for (i, op) in ops.enumerated() where i > seccomp {
            switch op {
            case .capset, .ambient, .initProcess, .exec: continue
            default: XCTFail("\(op) runs after the filter is loaded")
            }
        }
        for must in [LaunchOp.waitStart, .closeFDs(from: 3), .chdir("/"), .setresuid(0), .setgroups([])] {
            XCTAssertLessThan(ops.firstIndex(of: must)!, seccomp, "\(must) must come before the filter")
        }
        // CAP_SYS_ADMIN is held for the load, and gone in the final sets.
        let sysAdmin: UInt64 = 1 << 21
        guard case .capset(let heldEffective, _, _) = ops[..<seccomp].last(where: { if case .capset = $0 { return true }; return false })!,
              case .capset(let finalEffective, let finalPermitted, _) = ops[seccomp...].first(where: { if case .capset = $0 { return true }; return false })!
        else { return XCTFail("no capset around the filter") }
        XCTAssertNotEqual(heldEffective & sysAdmin, 0)
        XCTAssertEqual(finalEffective & sysAdmin, 0)
        XCTAssertEqual(finalPermitted & sysAdmin, 0)
    }

    /// With no_new_privs (or CAP_SYS_ADMIN kept anyway) there is one capset, before the filter.
    func testOneCapsetWhenTheFilterNeedsNoPrivilege() throws {
        var spec = DefaultSpec.make()
        spec.process?.noNewPrivileges = true
        spec.linux?.seccomp = .init(defaultAction: "SCMP_ACT_ALLOW")
        let ops = try builder(spec).build().ops
        XCTAssertEqual(ops.filter { if case .capset = $0 { return true }; return false }.count, 1)
    }

    /// runc's own `runc spec` lists ambient capabilities that are not inheritable: they are
    /// left out with a warning instead of failing PR_CAP_AMBIENT_RAISE with EPERM.
    func testAmbientCapabilitiesMustBeInheritable() throws {
        var spec = DefaultSpec.make()
        spec.process?.capabilities?.ambient = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
        spec.process?.capabilities?.inheritable = ["CAP_KILL"]
        let b = builder(spec)
        let ops = try b.build().ops
        XCTAssertTrue(ops.contains(.ambient(1 << 5)), "only CAP_KILL is raised")
        XCTAssertTrue(b.warnings().contains { $0.contains("CAP_NET_BIND_SERVICE") }, "\(b.warnings())")
    }

    /// A capability the runtime itself lacks: an error naming the set for `oci`, a warning
    /// and a drop for the engine.
    func testCapabilityBeyondTheRuntimesBoundingSet() throws {
        var spec = DefaultSpec.make()
        spec.process?.capabilities?.bounding = ["CAP_KILL", "CAP_SYS_RESOURCE"]
        var strict = builder(spec)
        strict.capabilityLimit = ~(1 << 24)
        XCTAssertThrowsError(try strict.build()) { error in
            XCTAssertEqual("\(error)", "process.capabilities.bounding: CAP_SYS_RESOURCE is not in this runtime's own bounding set, so no process it starts can have it")
        }
        var lenient = builder(spec)
        lenient.capabilityLimit = ~(1 << 24)
        lenient.strictCapabilities = false
        XCTAssertTrue(try lenient.build().ops.contains(.dropBounding(keep: 1 << 5, lastCap: 40)))
        XCTAssertEqual(lenient.warnings(), ["process.capabilities.bounding: dropping CAP_SYS_RESOURCE: not in this runtime's own bounding set"])
    }

    /// rootfsPropagation "shared": the parent mount of the rootfs is made private before
    /// the bind (pivot_root refuses a shared parent), and "/" gets the propagation after
    /// the masks; "unbindable" starts private (the rootfs could not be bound otherwise).
    func testRootfsPropagation() throws {
        var spec = DefaultSpec.make()
        spec.linux?.rootfsPropagation = "rshared"
        var ops = try builder(spec).build().ops
        let parent = ops.firstIndex { if case .makeParentMountPrivate = $0 { return true }; return false }!
        let bind = ops.firstIndex { if case .bindRootfs = $0 { return true }; return false }!
        let shared = MountFlags.SHARED | MountFlags.REC
        XCTAssertEqual(ops[parent - 1], .setPropagation(flags: shared, name: "MS_SHARED|MS_REC"))
        XCTAssertEqual(parent + 1, bind)
        let after = ops.lastIndex(of: .setPropagation(flags: shared, name: "MS_SHARED|MS_REC"))!
        XCTAssertGreaterThan(after, ops.lastIndex { if case .maskPath = $0 { return true }; return false }!)

        spec.linux?.rootfsPropagation = "unbindable"
        ops = try builder(spec).build().ops
        XCTAssertEqual(ops.first { if case .setPropagation = $0 { return true }; return false },
                       .setPropagation(flags: MountFlags.PRIVATE | MountFlags.REC, name: "MS_PRIVATE|MS_REC"))
        XCTAssertTrue(ops.contains(.setPropagation(flags: MountFlags.UNBINDABLE, name: "MS_UNBINDABLE")))
        XCTAssertFalse(ops.contains { if case .makeParentMountPrivate = $0 { return true }; return false })

        spec.linux?.rootfsPropagation = nil
        ops = try builder(spec).build().ops
        XCTAssertEqual(ops.filter { if case .setPropagation = $0 { return true }; return false }.count, 1,
                       "the default (rslave) is applied once, to the tree before the bind")
    }

    /// A new network namespace gets `lo` up (as runc and crun do); one joined by path is
    /// left as it is.
    func testLoopbackUpOnlyInANewNetworkNamespace() throws {
        var spec = DefaultSpec.make()
        let ops = try builder(spec).build().ops
        XCTAssertEqual(ops.filter { $0 == .loopbackUp }.count, 1)
        XCTAssertLessThan(ops.firstIndex(of: .loopbackUp)!, ops.firstIndex(of: .pivotRoot)!)
        let namespaces = spec.linux?.namespaces ?? []
        spec.linux?.namespaces = namespaces.map { $0.type == "network" ? .init(type: "network", path: "/proc/1/ns/net") : $0 }
        XCTAssertFalse(try builder(spec).build().ops.contains(.loopbackUp))
        spec.linux?.namespaces = namespaces.filter { $0.type != "network" }
        XCTAssertFalse(try builder(spec).build().ops.contains(.loopbackUp), "the host's network namespace: nothing to do")
    }

    /// A hostname needs a uts namespace of the container's: a new one or one joined by path.
    func testHostnameInAJoinedUTSNamespace() throws {
        var spec = DefaultSpec.make()
        spec.hostname = "joined"
        spec.linux?.namespaces = [.init(type: "mount"), .init(type: "uts", path: "/proc/1/ns/uts")]
        let ops = try builder(spec).build().ops
        XCTAssertLessThan(ops.firstIndex(of: .setns(path: "/proc/1/ns/uts", type: .uts))!, ops.firstIndex(of: .sethostname("joined"))!)
        spec.linux?.namespaces = [.init(type: "mount")]
        XCTAssertThrowsError(try builder(spec).build()) { XCTAssertEqual($0 as? PlanError, .hostnameWithoutUTS) }
    }

    /// No mount namespace means the host's: nothing changes the host's propagation, the
    /// container is chroot'ed, and the plan names the root whose mounts delete detaches.
    func testNoMountNamespaceChrootsAndNeverTouchesTheHostsPropagation() throws {
        var spec = DefaultSpec.make()
        spec.linux?.namespaces = nil
        spec.hostname = nil
        let plan = try builder(spec).build()
        XCTAssertFalse(plan.ops.contains { if case .setPropagation = $0 { return true }; return false })
        XCTAssertFalse(plan.ops.contains(.pivotRoot))
        XCTAssertTrue(plan.ops.contains(.chrootRootfs))
        XCTAssertEqual(plan.hostMountRoot, bundle + "/rootfs")
        XCTAssertEqual(plan.cloneNamespaces, [])
        spec.linux?.namespaces = [.init(type: "mount")]
        XCTAssertNil(try builder(spec).build().hostMountRoot)
    }

    func testOCIVersionIsChecked() throws {
        var spec = DefaultSpec.make()
        for good in ["1.0.0", "1.0.2", "1.0.2-dev", "1.1.0-rc.1", "1.2.0", "1.2.1+build.5"] {
            spec.ociVersion = good
            XCTAssertNoThrow(try builder(spec).build(), good)
        }
        for bad in ["invalid", "", "1.0", "2.0.0", "0.5.0", "1.3.0", "1.0.0-", "01.0.0", "1.0.x"] {
            spec.ociVersion = bad
            XCTAssertThrowsError(try builder(spec).build(), bad) { error in
                XCTAssertEqual(error as? PlanError, .unsupportedVersion(bad))
                XCTAssertTrue("\(error)".hasPrefix("ociVersion \"\(bad)\": this runtime implements runtime-spec 1.0.0 to 1.2.x"))
            }
        }
    }

    func testCgroupMountOnHybridHost() throws {
        let hybrid = [CgroupHierarchy(version: .v1, mountPoint: "/sys/fs/cgroup/memory", controllers: ["memory"]),
                      CgroupHierarchy(version: .v2, mountPoint: "/sys/fs/cgroup/unified", controllers: [])]
        let ops = try builder(DefaultSpec.make(), hierarchies: hybrid).build().ops
        let mounts = ops.compactMap { op -> MountOp? in if case .mount(let m) = op { return m }; return nil }
            .filter { $0.destination.hasPrefix("/sys/fs/cgroup") }
        XCTAssertEqual(mounts.map(\.destination), ["/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified"])
        XCTAssertEqual(mounts.map(\.fsType), ["tmpfs", "cgroup", "cgroup2"])
        XCTAssertEqual(mounts[1].data, "memory")
    }

    /// Without a cgroup namespace (dockerd's default on cgroup v1) a new cgroup mount
    /// would show the host's whole tree: the container's own directories are bound.
    func testCgroupMountWithoutCgroupNamespaceBindsTheContainersCgroup() throws {
        let hybrid = [CgroupHierarchy(version: .v1, mountPoint: "/sys/fs/cgroup/memory", controllers: ["memory"]),
                      CgroupHierarchy(version: .v2, mountPoint: "/sys/fs/cgroup/unified", controllers: [])]
        var spec = DefaultSpec.make()
        spec.linux?.namespaces?.removeAll { $0.type == "cgroup" }
        spec.linux?.cgroupsPath = "/engine/abc"
        func cgroupMounts(_ hierarchies: [CgroupHierarchy]) throws -> [MountOp] {
            try builder(spec, hierarchies: hierarchies).build().ops
                .compactMap { op -> MountOp? in if case .mount(let m) = op { return m }; return nil }
                .filter { $0.destination.hasPrefix("/sys/fs/cgroup") }
        }
        let mounts = try cgroupMounts(hybrid)
        XCTAssertEqual(mounts.map(\.destination), ["/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified"])
        XCTAssertEqual(mounts.map(\.source), ["tmpfs", "/sys/fs/cgroup/memory/engine/abc", "/sys/fs/cgroup/unified/engine/abc"])
        XCTAssertEqual(mounts.dropFirst().map { $0.flags & MountFlags.BIND }, [MountFlags.BIND, MountFlags.BIND])
        XCTAssertEqual(mounts.dropFirst().map { $0.flags & MountFlags.RDONLY }, [MountFlags.RDONLY, MountFlags.RDONLY])
        let v2 = try cgroupMounts(Self.v2)
        XCTAssertEqual(v2.map(\.source), ["/sys/fs/cgroup/engine/abc"])
        XCTAssertEqual(v2.map(\.destination), ["/sys/fs/cgroup"])
    }

    func testBadInputErrors() throws {
        func expect(_ mutate: (inout RuntimeSpec) -> Void, _ message: String, line: UInt = #line) {
            var spec = DefaultSpec.make()
            mutate(&spec)
            XCTAssertThrowsError(try builder(spec).build(), line: line) { XCTAssertEqual("\($0)", message, line: line) }
        }
        expect({ $0.linux?.namespaces?.append(.init(type: "bogus")) },
               "linux.namespaces: unknown namespace type \"bogus\" (expected pid, network, mount, ipc, uts, user, cgroup or time)")
        expect({ $0.linux?.namespaces?.append(.init(type: "pid")) }, "linux.namespaces: namespace \"pid\" is listed twice")
        expect({ $0.linux?.namespaces?.removeAll { $0.type == "uts" } },
               "hostname is set but linux.namespaces has no uts namespace (new or joined by path): it would rename the host")
        expect({ $0.root = .init(path: "nope") }, "root.path \(bundle)/nope: no such directory")
        expect({ $0.process = nil }, "config.json has no process to run")
        expect({ $0.process?.args = [] }, "process.args must name a program")
        expect({ $0.process?.rlimits = [.init(type: "RLIMIT_BOGUS", soft: 1, hard: 1)] }, "process.rlimits: unknown type \"RLIMIT_BOGUS\"")
        expect({ $0.process?.capabilities?.effective = ["CAP_FLY"] }, "process.capabilities.effective: unknown capability \"CAP_FLY\"")
        expect({ $0.mounts?.append(.init(destination: "/x", type: "bind", source: "/does/not/exist", options: ["bind"])) },
               "mounts: /x: bind source /does/not/exist does not exist")
        expect({ $0.mounts?.append(.init(destination: "relative", type: "tmpfs", source: "tmpfs")) },
               "mounts: destination \"relative\" must be an absolute path")
        expect({ $0.linux?.rootfsPropagation = "sideways" }, "linux.rootfsPropagation: unknown value \"sideways\"")
        expect({ $0.linux?.seccomp = .init(defaultAction: "SCMP_ACT_EXPLODE") }, "linux.seccomp: unsupported action \"SCMP_ACT_EXPLODE\"")
        expect({ $0.linux?.cgroupsPath = "/a/../../b" }, "cgroupsPath /a/../../b: must not contain '..' or empty components")
    }

    func testMountThroughEscapingSymlinkIsRefused() throws {
        try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/escape", withDestinationPath: "../../../../tmp")
        var spec = DefaultSpec.make()
        spec.mounts?.append(.init(destination: "/escape/data", type: "tmpfs", source: "tmpfs"))
        XCTAssertThrowsError(try builder(spec).build()) {
            XCTAssertEqual("\($0)", "mounts: destination /escape/data goes through symlink /escape -> ../../../../tmp, which points outside the rootfs")
        }
    }

    func testAbsoluteSymlinkIsContained() throws {
        try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/data", withDestinationPath: "/etc")
        let r = RootfsPath.resolve("/data/x", in: bundle + "/rootfs")
        XCTAssertEqual(r.resolved, "/etc/x")
        XCTAssertNil(r.escapingLink)
        XCTAssertEqual(RootfsPath.resolve("/../../etc/./passwd", in: bundle + "/rootfs").resolved, "/etc/passwd")
    }
}
