// The runtime's part of a narrated exec (`exec --dry-run`, `exec --trace`): the plan
// that enters a running container, the cgroup it joins, and the wait. Computed from the
// LaunchPlan buildExec made, so the dry run and the traced exec describe the data the
// C executor runs. The clone → execve step is the run's own (launchNarration).
import SwiftboxCgroup
import SwiftboxKernel
import SwiftboxSecurity

extension LaunchPlan {
    /// The namespaces the child enters with setns(2), in the order of its ops.
    var joinedNamespaces: [NamespaceKind] {
        ops.compactMap { if case .setns(_, let kind) = $0 { return kind } else { return nil } }
    }

    /// PlanBuilder.buildExec: which namespaces are entered, in which order and why;
    /// what the process is then given (identity, capabilities, no_new_privs, seccomp).
    public var execBuildNarration: NarratedStep {
        var out = ["# PlanBuilder.buildExec: the container's spec with this process → \(ops.count) kernel operations, run in this order by the C executor (CShim executor.c) in the cloned child"]
        let joined = joinedNamespaces
        if !joined.isEmpty {
            out.append("# setns(2) into the first process's namespaces, in this order: \(joined.map(\.procName).joined(separator: " "))")
        }
        if joined.contains(.user) {
            // Mirrors the order's reason in buildExec (ExecPlan.swift).
            out.append("# user after ipc, uts, net, cgroup and time: inside the container's user namespace the child holds no capability over namespaces the host's owns (the engine's network namespace of a remapped container)")
        }
        if joined.contains(.mount) {
            out.append("# mnt last: after it the host's /proc, where the other /proc/PID/ns paths are, is gone")
        }
        if let p = joinPidNamespace {
            out.append("# pid: the parent enters \(p) before clone; only its children are born in a pid namespace (pid_namespaces(7))")
        }
        // The last capset is the one the process keeps (an earlier one may hold
        // CAP_SYS_ADMIN until the seccomp filter is in).
        if let e = ops.reversed().lazy.compactMap({ op -> UInt64? in if case .capset(let e, _, _) = op { return e } else { return nil } }).first {
            out.append("# capabilities (effective, after the user switch): \(e == 0 ? "none" : Capabilities.names(e).joined(separator: ","))")
        }
        out.append("# no_new_privs: \(ops.contains(.noNewPrivileges) ? "yes" : "no")")
        for case .seccomp(let p) in ops {
            out.append("# seccomp: the container's profile, \(p.instructionCount) BPF instructions, loaded last before execve")
        }
        return NarratedStep(.launch, "build the exec plan", out)
    }

    /// The exec'd process joins the container's cgroups, which exist: nothing is made
    /// or written by the parent, it only opens them.
    public func execCgroupNarration(hierarchies: [CgroupHierarchy]) -> NarratedStep {
        let path = cgroupPath ?? "/"
        var out: [String] = []
        let v1 = hierarchies.filter { $0.version == .v1 }
        if !v1.isEmpty {
            out.append("# v1: the parent opens <hierarchy>\(path)/tasks in \(v1.count) hierarchies; the child writes 0 to each, its first op:")
            for h in v1 { out.append("echo 0 > \(h.mountPoint)\(path)/tasks") }
        }
        if let v2 = cgroupV2Mount {
            out.append("# v2: born inside it: clone3(CLONE_INTO_CGROUP, fd of \(v2)\(path)) (the parent opens the directory)")
        }
        out.append("# the container's limits apply to this process too: it is counted with the others (cat \(hierarchies.first.map { $0.mountPoint + path } ?? path)/cgroup.procs)")
        return NarratedStep(.cgroups, "join cgroup \(path)", out)
    }

    /// The exec command itself waits: there is no monitor for an exec'd process.
    public var execWaitNarration: NarratedStep {
        NarratedStep(.launch, "wait for the process", [
            "# no monitor: this command copies the process's output from pipes to its own stdout and stderr (ExecStreams), never handing it its own descriptors",
            "# waitpid(2); the process's exit code is this command's",
        ])
    }
}
