// pause/unpause for compose through the cgroup freezer, found from the container's first
// process: cgroup v1 writes FROZEN/THAWED to freezer.state in the freezer hierarchy;
// cgroup v2 writes 1/0 to cgroup.freeze (cgroups(7), Documentation/admin-guide/cgroup-v2.rst
// "Core Interface Files"). The freeze is asynchronous in v1 (FREEZING first): we wait
// until the kernel reports FROZEN, as runc does.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine

enum Freezer {
    /// The freezer file for a process and the values that freeze and thaw it.
    static func control(pid: Int32) -> (file: String, freeze: String, thaw: String)? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        var unified: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            if parts[1].split(separator: ",").contains("freezer") {
                let file = "/sys/fs/cgroup/freezer" + parts[2] + "/freezer.state"
                if FileManager.default.fileExists(atPath: file) { return (file, "FROZEN", "THAWED") }
            }
            if parts[0] == "0" && parts[1].isEmpty { unified = parts[2] }
        }
        guard let path = unified, let mount = cgroup2Mount() else { return nil }
        let file = mount + path + "/cgroup.freeze"
        return FileManager.default.fileExists(atPath: file) ? (file, "1", "0") : nil
    }

    /// Where cgroup2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts).
    static func cgroup2Mount() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return String(fields[4]) }
        }
        return nil
    }

    static func isFrozen(pid: Int32) -> Bool {
        guard let c = control(pid: pid), let v = try? String(contentsOfFile: c.file, encoding: .utf8) else { return false }
        return v.trimmingCharacters(in: .whitespacesAndNewlines) == c.freeze
    }

    static func set(pid: Int32, frozen: Bool, name: String) throws {
        guard let c = control(pid: pid) else {
            throw ComposeError("cannot \(frozen ? "pause" : "unpause") \(name): no cgroup freezer is reachable for it")
        }
        let value = frozen ? c.freeze : c.thaw
        guard (try? value.write(toFile: c.file, atomically: false, encoding: .utf8)) != nil else {
            throw ComposeError("cannot \(frozen ? "pause" : "unpause") \(name): writing \(value) to \(c.file) failed")
        }
        // v1 reports FREEZING until every task is frozen.
        for _ in 0..<500 where frozen && c.freeze == "FROZEN" {
            if isFrozen(pid: pid) { return }
            usleep(2_000)
        }
    }
}

extension ComposeEngineAdapter {
    func pause(_ id: String) throws {
        guard engine.isRunning(id) else { throw ComposeError("container \(id.prefix(12)) is not running") }
        try Freezer.set(pid: engine.store.state(id).pid, frozen: true, name: String(id.prefix(12)))
    }

    func unpause(_ id: String) throws {
        guard engine.isRunning(id) else { throw ComposeError("container \(id.prefix(12)) is not running") }
        try Freezer.set(pid: engine.store.state(id).pid, frozen: false, name: String(id.prefix(12)))
    }
}
