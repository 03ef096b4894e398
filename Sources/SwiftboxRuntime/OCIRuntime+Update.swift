// `update` (runc's verb, which `podman update` calls): new limits for a created or
// running container, written straight to its cgroup files through the same drivers
// that `create` uses. Only what is given is written.
import SwiftboxCgroup
import SwiftboxOCI

extension OCIRuntime {
    public func update(id: String, resources: RuntimeSpec.Linux.Resources) throws {
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == .created || status == .running else { throw RuntimeError.notRunning(id, status) }
        guard let path = record.cgroupPath else { return }
        let plan = try cgroups.resourcePlan(resources)
        for line in plan.lines(path: path) { log.trace(line) }
        for warning in try cgroups.apply(plan, path: path) { log.warning(warning) }
    }
}
