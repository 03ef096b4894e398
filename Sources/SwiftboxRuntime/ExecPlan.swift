// `exec`: a new process inside a running container — the same cgroups, the
// namespaces of the container's first process (setns(2) by /proc/PID/ns/*), and the
// process settings (user, capabilities, seccomp, …) of the exec'd process.
import SwiftboxCgroup
import SwiftboxOCI

extension PlanBuilder {
    public func buildExec(process: RuntimeSpec.Process, initPid: Int32, cgroupPath: String?) throws -> LaunchPlan {
        guard let args = process.args, let program = args.first, !program.isEmpty else { throw PlanError.noArgs }
        guard process.cwd.hasPrefix("/") else { throw PlanError.invalidCwd(process.cwd) }
        var ops: [LaunchOp] = []
        // Cgroups first, through fds opened on the host side.
        let v1 = hierarchies.filter { $0.version == .v1 }.map(\.mountPoint)
        if cgroupPath != nil && !v1.isEmpty { ops.append(.joinCgroups(hierarchies: v1)) }

        // The user namespace late: the container's may own none of the others (a
        // remapped container's network namespace was made by the engine and belongs to
        // the host's), and once in it we hold no capability over those; the runtime,
        // in the user namespace that owns the container's, may enter them all first.
        // The mount namespace last, because after it the host's /proc — and so the
        // other ns paths — is gone.
        let order: [NamespaceKind] = [.ipc, .uts, .network, .cgroup, .time, .user, .mount]
        var joinPid: String?
        let kinds = try (spec.linux?.namespaces ?? []).map { ns -> NamespaceKind in
            guard let kind = NamespaceKind(rawValue: ns.type) else { throw PlanError.unknownNamespace(ns.type) }
            return kind
        }
        for kind in order where kinds.contains(kind) {
            ops.append(.setns(path: "/proc/\(initPid)/ns/\(kind.procName)", type: kind))
        }
        if kinds.contains(.pid) { joinPid = "/proc/\(initPid)/ns/pid" }
        ops += try processOps(process, program: program, args: args, waitForStart: false)
        var plan = LaunchPlan(cloneNamespaces: [], joinPidNamespace: joinPid, cgroupPath: cgroupPath,
                              cgroupV2Mount: hierarchies.first { $0.version == .v2 }?.mountPoint,
                              preserveFDs: preserveFDs, ops: ops)
        plan.joinsRunningContainer = true
        return plan
    }
}
