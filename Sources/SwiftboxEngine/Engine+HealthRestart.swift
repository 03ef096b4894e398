// The engine's side of healthchecks and restart policies outside the monitor: what
// `create` stores, and the state `ps` and `inspect` show.
import SwiftboxImage
import SwiftboxKernel

extension Engine {
    /// The image's Healthcheck merged with the flags as Docker merges them; nil when
    /// there is nothing to run (no test, or NONE).
    static func healthcheck(_ o: RunOptions, image: ImageConfig.ContainerConfig) throws -> HealthConfig? {
        try o.health?.validate()
        let merged = HealthConfig.merged(container: o.health, image: image.Healthcheck.map(HealthConfig.init(image:)))
        return merged?.isEnabled == true ? merged : nil
    }

    /// A container waiting out its restart backoff: record that the user stopped it,
    /// so its monitor gives up, and wait for that. False if it was not restarting.
    func cancelRestart(_ id: String) -> Bool {
        guard store.state(id).status == .restarting else { return false }
        _ = try? store.update(id) { $0.stoppedByUser = true }
        _ = Processes.waitUntil(timeoutMs: 5_000, intervalMs: 10) { observedState(id).status != .restarting }
        return true
    }
}
