// Was the container OOM-killed? Asked by the monitor once the container's first
// process has exited and before its cgroup is removed: the kernel counts kills in the
// cgroup (v2 memory.events oom_kill, v1 memory.oom_control oom_kill; under_oom on
// kernels before 4.13), whichever process of the container it chose. Docker reports
// such a container as State.OOMKilled and emits an "oom" event; so do we.
import SwiftboxCgroup
import SwiftboxRuntime

public enum OOMObserver {
    /// True when the kernel OOM-killed a process of container `id` since its cgroup was
    /// created (that is, during this run). Records the "oom" event.
    public static func check(engine: Engine, id: String) -> Bool {
        let rt = engine.runtime()
        guard let path = (try? rt.store.load(id))?.cgroupPath,
              let kills = rt.cgroups.oomKills(at: path), kills > 0 else { return false }
        let c = try? engine.store.config(id)
        EventJournal(root: engine.root).append(action: "oom", id: id, attributes: ["name": c?.name ?? "", "image": c?.image ?? ""])
        return true
    }
}
