// `update` (runc's verb, which `podman update` calls): new limits for a created or
// running container, written straight to its cgroup files through the same drivers
// that `create` uses. Only what is given is written; a device list replaces the old one.
import SwiftboxCgroup
import SwiftboxOCI

extension OCIRuntime {
    public func update(id: String, resources: RuntimeSpec.Linux.Resources) throws {
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == .created || status == .running else { throw RuntimeError.notRunning(id, status) }
        guard let path = record.cgroupPath else { return }
        var devices: [DeviceRule]?
        if let requested = resources.devices, !requested.isEmpty {
            // The list replaces the container's whole list, in v1 (written in order) as in
            // v2 (a new program): so it must begin by resetting it.
            guard try DeviceRule(requested[0]).isEverything else {
                throw ResourceError.invalid("update: linux.resources.devices replaces the container's whole device list, so it must begin with an allow or deny of type a, any major:minor, access rwm")
            }
            let config = (try? OCIRuntime.loadSpec(bundle: record.bundle).0)?.linux?.devices ?? []
            let full = try DeviceRules.forContainer(requested, devices: config)
            devices = full.isEmpty ? try requested.map(DeviceRule.init) : full
        }
        let plan = try cgroups.resourcePlan(resources, devices: devices)
        for line in plan.lines(path: path) { log.trace(line) }
        for warning in try cgroups.apply(plan, path: path) { log.warning(warning) }
    }
}
