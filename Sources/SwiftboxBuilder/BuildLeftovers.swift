// What a build killed with SIGKILL (no chance to clean up) leaves, removed by the next
// build of the same root: its steps' containers (labelled with the building process's
// pid and start time) and its overlay sessions under builder/tmp (named after the pid).
// Only leftovers of processes that are gone are touched: two builds may run at once.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine
import SwiftboxKernel

enum BuildLeftovers {
    static let pidLabel = "org.swiftbox.build.pid"
    static let startLabel = "org.swiftbox.build.start"

    /// The labels a step's container carries.
    static var ownLabels: [String: String] {
        ["org.swiftbox.build.step": "true", pidLabel: "\(getpid())", startLabel: Processes.stat(getpid()).map { "\($0.startTime)" } ?? ""]
    }

    static func isGone(pid: String?, start: String?) -> Bool {
        guard let pid = pid.flatMap({ Int32($0) }) else { return true }
        return !Processes.isAlive(pid, startTime: start.flatMap { UInt64($0) })
    }

    static func reap(_ builder: Builder) {
        for (c, _) in builder.engine.list() where c.labels["org.swiftbox.build.step"] == "true" {
            if isGone(pid: c.labels[pidLabel], start: c.labels[startLabel]) {
                try? builder.engine.remove(c.id, force: true, removeVolumes: true)
            }
        }
        let tmp = builder.builderDir + "/tmp"
        for name in FileSystem.listDirectory(tmp) {
            // step-PID-RANDOM, from-PID-RANDOM, heredoc-PID-RANDOM
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[1]), !Processes.isAlive(pid, startTime: nil) else { continue }
            MountTable.unmountAll(tmp + "/" + name)
            try? FileSystem.removeTree(tmp + "/" + name)
        }
    }
}
