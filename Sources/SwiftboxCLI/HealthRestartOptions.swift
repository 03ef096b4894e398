// The `run`/`create` flags for restart policies and healthchecks, Docker's names and
// values (durations in Go's syntax: 30s, 1m30s, 500ms), plus Podman's
// --health-on-failure. Validated here so a bad value exits 125 before anything exists.
import ArgumentParser
import SwiftboxEngine

struct HealthRestartOptions: ParsableArguments {
    @Option(name: .customLong("restart"), help: "Restart policy: no, always, on-failure[:max-retries] or unless-stopped.")
    var restart: String?
    @Option(name: .customLong("health-cmd"), help: "Command to run to check health (run with /bin/sh -c).")
    var healthCmd: String?
    @Option(name: .customLong("health-interval"), help: "Time between running the check (e.g. 30s, 1m30s; default 30s).")
    var healthInterval: String?
    @Option(name: .customLong("health-timeout"), help: "Maximum time to allow one check to run (default 30s).")
    var healthTimeout: String?
    @Option(name: .customLong("health-retries"), help: "Consecutive failures needed to report unhealthy (default 3).")
    var healthRetries: Int?
    @Option(name: .customLong("health-start-period"), help: "Start period during which failures do not count until a first success (default 0s).")
    var healthStartPeriod: String?
    @Option(name: .customLong("health-start-interval"), help: "Time between checks during the start period (default 5s).")
    var healthStartInterval: String?
    @Flag(name: .customLong("no-healthcheck"), help: "Disable any healthcheck the image defines.")
    var noHealthcheck = false
    @Option(name: .customLong("health-on-failure"), help: "When unhealthy: none (default), kill, restart or stop.")
    var healthOnFailure: String?

    func apply(to o: inout RunOptions) throws {
        if let restart {
            do { o.restartPolicy = try RestartPolicy.parse(restart) } catch { throw ValidationError("\(error)") }
            if o.autoRemove && o.restartPolicy != RestartPolicy.no {
                throw ValidationError("conflicting options: cannot specify both --restart \(restart) and --rm")
            }
        }
        if let a = healthOnFailure {
            guard let action = HealthFailureAction(rawValue: a) else {
                throw ValidationError("invalid --health-on-failure \"\(a)\": use none, kill, restart or stop")
            }
            o.healthOnFailure = action
        }
        func duration(_ flag: String, _ text: String?) throws -> Int64? {
            guard let text else { return nil }
            do { return try GoDuration.parse(text) } catch { throw ValidationError("\(flag): \(error)") }
        }
        var h = HealthConfig()
        if let cmd = healthCmd, !cmd.isEmpty { h.test = ["CMD-SHELL", cmd] }
        h.interval = try duration("--health-interval", healthInterval)
        h.timeout = try duration("--health-timeout", healthTimeout)
        h.startPeriod = try duration("--health-start-period", healthStartPeriod)
        h.startInterval = try duration("--health-start-interval", healthStartInterval)
        h.retries = healthRetries
        let any = h != HealthConfig()
        if noHealthcheck {
            guard !any else { throw ValidationError("--no-healthcheck conflicts with --health-* options") }
            o.health = HealthConfig(test: ["NONE"])
        } else if any {
            do { try h.validate() } catch { throw ValidationError("\(error)") }
            o.health = h
        }
    }
}
