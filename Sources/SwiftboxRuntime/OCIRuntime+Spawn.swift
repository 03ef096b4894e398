// `exec` for a caller that supervises the process itself — the monitor's health
// probes: the same plan as `exec` (the container's cgroup and namespaces, the process
// settings), but it returns the pid as soon as execve succeeded instead of waiting,
// so the caller can poll the output, enforce a timeout and kill it.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel
import SwiftboxOCI
import SwiftboxSecurity

extension OCIRuntime {
    /// Start `process` in the running container `id` with the caller's fds 0–2. The
    /// process is our child: the caller reaps it (waitpid).
    public func spawnExec(id: String, process: RuntimeSpec.Process) throws -> Int32 {
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == .running else { throw RuntimeError.notRunning(id, status) }
        let (spec, bundle) = try OCIRuntime.loadSpec(bundle: record.bundle)
        var builder = PlanBuilder(spec: spec, bundle: bundle, id: id, mode: .run, consoleSocketFD: nil,
                                  hierarchies: cgroups.hierarchies, lastCap: Capabilities.lastCap())
        builder.capabilityLimit = Capabilities.ownBoundingSet()
        builder.strictCapabilities = strictCapabilities
        let plan = try builder.buildExec(process: process, initPid: record.pid, cgroupPath: record.cgroupPath)
        let prepared = try plan.cgroupPath.map { try cgroups.prepare(path: $0) }
        defer { prepared?.closeAll() }
        // The launcher joins the container's pid namespace for our *children*
        // (setns(CLONE_NEWPID) sets pid_for_children, see pid_namespaces(7)). A long-lived
        // caller must go back to its own, or its next child — a restarted container —
        // would be born in a namespace whose init is gone (clone fails with ENOMEM).
        let ownPidNS = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)
        defer {
            if ownPidNS >= 0 {
                _ = sb_setns_pid(ownPidNS)
                close(ownPidNS)
            }
        }
        let child = try Launcher.launch(plan, cgroupTaskFDs: prepared?.v1TaskFDs ?? [],
                                        cgroupDirectoryFD: prepared?.v2DirectoryFD ?? -1)
        do {
            _ = try child.awaitOutcome()
        } catch {
            var st: Int32 = 0
            while waitpid(child.pid, &st, 0) < 0 && errno == EINTR {}
            throw error
        }
        return child.pid
    }
}
