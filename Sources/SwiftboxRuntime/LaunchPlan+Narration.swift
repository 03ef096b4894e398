// The runtime's part of a narrated start (Narrator, SwiftboxKernel): the cgroup step —
// every directory made and every file written, as the shell commands that would do it
// by hand — and the clone → execve step, the launch plan as `oci run --dry-run` prints
// it. Both are computed from the LaunchPlan itself, so the dry run and the traced run
// describe the same data the executor runs.
import SwiftboxCgroup
import SwiftboxKernel

extension LaunchPlan {
    /// mkdir of the container's cgroup in each hierarchy, then each write of the
    /// ResourcePlan as `echo VALUE > FILE`. Nil when the container has no cgroup.
    public func cgroupNarration(hierarchies: [CgroupHierarchy]) -> NarratedStep? {
        guard let path = cgroupPath else { return nil }
        var out: [String] = []
        if let v2 = resources.v2MountPoint, !resources.enableV2.isEmpty {
            // The controllers must be enabled in every parent first (cgroups(7): "no
            // internal processes" rule and subtree_control delegation).
            let value = resources.enableV2.map { "+" + $0 }.joined(separator: " ")
            for p in ResourcePlan.parents(of: path) { out.append("echo \"\(value)\" > \(v2)\(p)/cgroup.subtree_control") }
        }
        for h in hierarchies {
            out.append("mkdir -p \(h.mountPoint)\(path)")
            if h.version == .v1 && h.controllers.contains("cpuset") {
                // A new v1 cpuset group starts empty and refuses tasks until these are copied.
                let parent = h.mountPoint + ResourcePlan.parents(of: path).last!
                for f in ["cpuset.cpus", "cpuset.mems"] { out.append("cat \(parent)/\(f) > \(h.mountPoint)\(path)/\(f)   # if made now") }
            }
        }
        for s in resources.steps {
            out.append("echo \(s.write.value) > \(s.mountPoint)\(path)/\(s.write.file)\(s.write.optional ? "   # if the file exists" : "")")
        }
        if let d = resources.devices {
            if let m = d.v1MountPoint {
                for w in d.rules.flatMap(\.v1Writes) { out.append("echo '\(w.value)' > \(m)\(path)/\(w.file)") }
            }
            if let m = d.v2MountPoint {
                let count = DeviceFilterProgram.instructions(d.rules).count
                out.append("# bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE): \(count) instructions allowing \(d.rules.map(\.description).joined(separator: ", "))")
                out.append("# bpf(BPF_PROG_ATTACH, \(m)\(path), BPF_CGROUP_DEVICE)   (bpftool cgroup attach … device)")
            }
        }
        if resources.steps.isEmpty { out.append("# no limits asked: the cgroup only groups the container's processes") }
        if let v2 = cgroupV2Mount {
            out.append("# the first process is born inside it: clone3(CLONE_INTO_CGROUP, fd of \(v2)\(path))")
        }
        if hierarchies.contains(where: { $0.version == .v1 }) {
            out.append("# v1: the child writes 0 to each hierarchy's \(path)/tasks (echo 0 > …/tasks) before its first mount")
        }
        return NarratedStep(.cgroups, "cgroup \(path)", out)
    }

    /// Turning the spec into this plan (PlanBuilder; the seccomp filter compiled).
    public var buildNarration: NarratedStep {
        var out = ["# PlanBuilder: the OCI spec → \(ops.count) kernel operations, run in this order by the C executor (CShim executor.c) in the cloned child"]
        for case .seccomp(let p) in ops {
            out.append("# seccomp: the profile compiled by libseccomp into \(p.instructionCount) BPF instructions (cached by the profile's hash in /run/swiftbox/seccomp)")
        }
        return NarratedStep(.launch, "build the launch plan", out)
    }

    /// Everything from clone to execve: the lines of `oci run --dry-run` except the
    /// cgroup writes (their own step, above).
    public var launchNarration: NarratedStep {
        var cgroupLines = Set<String>()
        if let c = cgroupPath {
            cgroupLines.insert("parent: mkdir \(c) in each cgroup hierarchy")
            cgroupLines.formUnion(resources.lines(path: c))
        }
        let exec: String
        if case .exec(let path, let args, _)? = ops.last { exec = ([path] + args.dropFirst()).joined(separator: " ") } else { exec = "the process" }
        return NarratedStep(.launch, "clone → execve \(exec)", lines.filter { !cgroupLines.contains($0) })
    }
}
