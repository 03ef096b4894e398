// The engine's words for a narrated exec (`exec --dry-run`, `exec --trace`): the
// process it starts in a running container. The real exec (Engine.exec) and its dry
// run (Engine.dryRunExec) both describe it with this function; the runtime's part
// (the plan, the cgroup join, clone → execve, the wait) is LaunchPlan+ExecNarration.
import SwiftboxKernel
import SwiftboxOCI

enum ExecSteps {
    static func process(_ c: EngineContainer, _ p: RuntimeSpec.Process, pid: Int32, detach: Bool) -> NarratedStep {
        var out = [
            "# \(c.name) is running: its first process is pid \(pid); the new process joins its namespaces and its cgroup",
            "# the container's spec (its bundle's config.json) with the process replaced:",
            "# args: [\((p.args ?? []).joined(separator: ", "))]",
        ]
        out += (p.env ?? []).map { "# env: " + $0 }
        let groups = (p.user.additionalGids ?? []).map(String.init).joined(separator: ",")
        out.append("# cwd: \(p.cwd); user: uid \(p.user.uid), gid \(p.user.gid)\(groups.isEmpty ? "" : ", groups \(groups)")")
        out.append(detach ? "# stdio: /dev/null (-d: nothing reads)" : "# stdio: pipes this command copies (a descriptor of its own would be a way out of the container)")
        // What a learner could type for the namespaces and the user (nsenter(1)); the
        // cgroup, capabilities and seccomp are the plan's alone.
        out.append("# by hand, namespaces and user only: nsenter --target \(pid) --all --setuid \(p.user.uid) --setgid \(p.user.gid) --wd=\(p.cwd) \((p.args ?? []).joined(separator: " "))")
        return NarratedStep(.container, "the process to run in \(c.name)", out)
    }
}
