// Freezing a container's processes (pause/resume) through the cgroup freezer.
//
//  - cgroup v1: write FROZEN or THAWED to freezer.state in the freezer hierarchy. The
//    freeze is asynchronous: the file reads FREEZING until every task has stopped, so
//    we wait for FROZEN (Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst).
//  - cgroup v2: write 1 or 0 to cgroup.freeze; cgroup.events says "frozen 1" once the
//    whole subtree is frozen (Documentation/admin-guide/cgroup-v2.rst, "Core Interface
//    Files").
// The v1 freezer wins on a hybrid host that has one (its tasks cannot run while frozen
// there, whatever v2 says); a host with neither cannot pause.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SwiftboxKernel

public enum FreezerError: Error, Equatable, CustomStringConvertible {
    case unavailable(String)
    case timedOut(String)
    public var description: String {
        switch self {
        case .unavailable(let path): return "cgroup \(path): no freezer (no v1 freezer hierarchy and no cgroup.freeze in cgroup v2)"
        case .timedOut(let file): return "\(file): the processes did not all freeze within 5 s"
        }
    }
}

public struct CgroupFreezer: Sendable {
    public enum Control: Equatable, Sendable {
        case v1(stateFile: String)
        case v2(freezeFile: String, eventsFile: String)
    }

    public var control: Control

    /// The freezer of the container cgroup at `path` (absolute below each hierarchy's root).
    public init(path: String, hierarchies: [CgroupHierarchy]) throws {
        if let h = hierarchies.first(where: { $0.version == .v1 && $0.controllers.contains("freezer") }),
           FileSystem.exists(h.mountPoint + path + "/freezer.state") {
            control = .v1(stateFile: h.mountPoint + path + "/freezer.state")
        } else if let h = hierarchies.first(where: { $0.version == .v2 }),
                  FileSystem.exists(h.mountPoint + path + "/cgroup.freeze") {
            control = .v2(freezeFile: h.mountPoint + path + "/cgroup.freeze", eventsFile: h.mountPoint + path + "/cgroup.events")
        } else {
            throw FreezerError.unavailable(path)
        }
    }

    public var isFrozen: Bool {
        switch control {
        case .v1(let file): return (try? FileSystem.readString(file))?.trimmed() == "FROZEN"
        case .v2(_, let events):
            let text = (try? FileSystem.readString(events)) ?? ""
            return text.split(separator: "\n").contains("frozen 1")
        }
    }

    /// Freeze (true) or thaw (false), and wait until the kernel says it is done.
    public func set(frozen: Bool) throws {
        switch control {
        case .v1(let file): try CgroupManager.writeFile(file, frozen ? "FROZEN" : "THAWED")
        case .v2(let file, _): try CgroupManager.writeFile(file, frozen ? "1" : "0")
        }
        guard frozen else { return }
        let done = Processes.waitUntil(timeoutMs: 5_000) { isFrozen }
        if !done {
            // Leave it running rather than half frozen.
            try? set(frozen: false)
            switch control {
            case .v1(let file): throw FreezerError.timedOut(file)
            case .v2(_, let events): throw FreezerError.timedOut(events)
            }
        }
    }
}
