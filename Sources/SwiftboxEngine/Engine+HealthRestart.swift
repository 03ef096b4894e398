// The engine's side of healthchecks and restart policies outside the monitor: what
// `create` stores, and the state `ps` and `inspect` show.
import SwiftboxImage

extension Engine {
    /// The image's Healthcheck merged with the flags as Docker merges them; nil when
    /// there is nothing to run (no test, or NONE).
    static func healthcheck(_ o: RunOptions, image: ImageConfig.ContainerConfig) throws -> HealthConfig? {
        try o.health?.validate()
        let merged = HealthConfig.merged(container: o.health, image: image.Healthcheck.map(HealthConfig.init(image:)))
        return merged?.isEnabled == true ? merged : nil
    }
}
