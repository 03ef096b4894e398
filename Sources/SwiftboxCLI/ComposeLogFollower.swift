// Several containers' logs on one stream, each line prefixed as Compose v2 does it:
// `web-1  | hello` (the container name without the project prefix, padded to the longest,
// in a rotating colour on a terminal). Follows until the containers exit; a container
// that restarts keeps being followed (its log file simply grows).
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine

final class LogFollower {
    nonisolated(unsafe) static var interrupted = false
    static let colors = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"]

    let engine: Engine
    var containers: [ContainerSummary]
    let color: Bool
    let prefix: Bool
    var timestamps = false
    /// Each container's log, followed through a descriptor (LogTail).
    var tails: [String: LogTail] = [:]
    var width: Int
    /// For `logs -f`: the service's containers now, so ones created meanwhile (a recreate,
    /// a scale up) are followed too.
    var refresh: (() -> [ContainerSummary])?

    init(engine: Engine, containers: [ContainerSummary], color: Bool, prefix: Bool) {
        self.engine = engine
        self.containers = containers
        self.color = color
        self.prefix = prefix
        width = containers.map { LogFollower.label($0).count }.max() ?? 0
    }

    /// "web-1" for demo-web-1; a container_name or one-off keeps its full name.
    static func label(_ c: ContainerSummary) -> String {
        if let project = c.labels[ComposeLabel.project], let service = c.service, !c.isOneOff, c.name == "\(project)-\(service)-\(c.number)" {
            return "\(service)-\(c.number)"
        }
        return c.name
    }

    func emit(_ c: ContainerSummary, index: Int, _ entry: LogEntry) {
        var text = entry.log
        if timestamps { text = entry.time + " " + text }
        if !text.hasSuffix("\n") { text += "\n" }
        var line = ""
        if prefix {
            let label = LogFollower.label(c).padding(toLength: width, withPad: " ", startingAt: 0) + "  | "
            line = color ? "\u{1b}[\(LogFollower.colors[index % LogFollower.colors.count])m\(label)\u{1b}[0m" : label
        }
        line += text
        _ = line.withCString { write(1, $0, strlen($0)) }
    }

    /// Print what is already logged (the last `tail` lines of each container).
    func printExisting(tail: Int?) {
        for (i, c) in containers.enumerated() {
            let current = engine.logTail(c.id)
            var entries = engine.logEntries(c.id) + current.next()
            if let tail { entries = Array(entries.suffix(tail)) }
            entries.forEach { emit(c, index: i, $0) }
            tails[c.id] = current
        }
    }

    /// Follow new output. Returns the first container seen exiting when asked to stop
    /// there, else when every container has exited (or on Ctrl-C).
    @discardableResult
    func follow(untilFirstExit: Bool, keepFollowing: Bool) -> ContainerSummary? {
        signal(SIGINT) { _ in LogFollower.interrupted = true }
        signal(SIGTERM) { _ in LogFollower.interrupted = true }
        defer { signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL) }
        for c in containers where tails[c.id] == nil { tails[c.id] = engine.logTail(c.id) }
        var exited = Set<String>()
        var first: ContainerSummary?
        var lastRefresh = time(nil)
        while !LogFollower.interrupted {
            if let refresh, time(nil) != lastRefresh {
                lastRefresh = time(nil)
                for c in refresh() where !containers.contains(where: { $0.id == c.id }) {
                    containers.append(c)
                    tails[c.id] = engine.logTail(c.id)
                    width = max(width, LogFollower.label(c).count)
                }
            }
            var progressed = false
            for (i, c) in containers.enumerated() where !exited.contains(c.id) {
                let s = engine.observedState(c.id)
                let more = tails[c.id]!.next()
                more.forEach { emit(c, index: i, $0) }
                if !more.isEmpty { progressed = true }
                let gone = (s.status == .exited || s.status == .dead) && more.isEmpty
                    || !engine.containerIDs().contains(c.id)
                if gone {
                    exited.insert(c.id)
                    var done = c
                    done.exitCode = s.status == .dead ? 255 : s.exitCode
                    done.status = .exited
                    let msg = "\(LogFollower.label(c)) exited with code \(done.exitCode)\n"
                    _ = msg.withCString { write(1, $0, strlen($0)) }
                    if first == nil { first = done }
                    if untilFirstExit { return first }
                }
            }
            if exited.count == containers.count {
                // Before giving up, look once more: a recreate removes the old container
                // before its successor starts.
                guard let refresh else { break }
                usleep(300_000)
                let fresh = refresh().filter { c in !containers.contains { $0.id == c.id } }
                if fresh.isEmpty { break }
                for c in fresh {
                    containers.append(c)
                    tails[c.id] = engine.logTail(c.id)
                    width = max(width, LogFollower.label(c).count)
                }
                continue
            }
            if !keepFollowing && !progressed { break }
            usleep(progressed ? 1_000 : 20_000)
        }
        return first
    }
}
