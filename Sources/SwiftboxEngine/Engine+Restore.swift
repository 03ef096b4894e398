// `swiftbox system restore`: what a daemon does when it starts, done once — at boot
// by a systemd unit (contrib/systemd/swiftbox-restore.service), or by hand after a
// monitor was killed. For every container whose monitor is gone:
//   1. a container left without its monitor (still running: nobody logs it, probes it
//      or restarts it) is killed, its runtime state deleted, its rootfs unmounted, and
//      it is recorded as exited (255, as Docker records an exit it could not see);
//   2. it is started again if its policy says so, as Docker's daemon does on start:
//      `always` containers (even ones stopped by hand), `unless-stopped` ones not
//      stopped by hand, `on-failure` ones that died unseen or failed with retries left.
// Containers whose monitor is alive are left alone: they are supervised.
import SwiftboxKernel

public struct RestoreReport: Sendable {
    public var repaired: [String] = []
    public var started: [String] = []
    public var failed: [(id: String, error: String)] = []
}

extension Engine {
    /// observedState's error for a container running without its monitor.
    public static let monitorLost = "its monitor is gone: no logs, healthchecks or restarts until `swiftbox system restore`"

    public func restore() -> RestoreReport {
        var report = RestoreReport()
        for id in store.ids() {
            guard let c = try? store.config(id) else { continue }
            let s = store.state(id)
            guard s.status == .running || s.status == .restarting || s.status == .exited || s.status == .dead else { continue }
            var lost = false
            if s.status == .running || s.status == .restarting || s.status == .dead {
                if Processes.isAlive(s.monitorPid, startTime: s.monitorStartTime) { continue }
                lost = true
                repairLost(id)
                report.repaired.append(id)
            }
            let latest = store.state(id)
            guard Engine.shouldRestore(policy: c.restartPolicy ?? .no, state: latest, lost: lost) else { continue }
            do {
                try start(id)
                report.started.append(id)
            } catch {
                report.failed.append((id, "\(error)"))
            }
        }
        return report
    }

    /// Docker's rule on daemon start (see the file's header).
    public static func shouldRestore(policy: RestartPolicy, state s: EngineState, lost: Bool) -> Bool {
        switch policy {
        case .no: return false
        case .always: return true
        case .unlessStopped: return !s.stoppedByUser
        case .onFailure(let max):
            guard !s.stoppedByUser else { return false }
            return lost || (s.exitCode != 0 && (max == 0 || (s.restartCount ?? 0) < max))
        }
    }

    /// Kill what is left of a container whose monitor is gone, and record it as exited.
    func repairLost(_ id: String) {
        let rt = runtime()
        if (try? rt.state(id: id))?.status == .running {
            try? rt.kill(id: id, signal: "SIGKILL", all: true)
            _ = Processes.waitUntil(timeoutMs: 10_000, intervalMs: 10) { (try? rt.state(id: id))?.status != .running }
        }
        try? rt.delete(id: id, force: true)
        unmountRootfs(id)
        _ = try? store.update(id) { s in
            s.status = .exited
            s.exitCode = 255
            s.finishedAt = Clock.rfc3339Nano()
            s.error = "the monitor was lost; recorded by system restore"
        }
        event("die", id: id, ["exitCode": "255"])
    }
}
