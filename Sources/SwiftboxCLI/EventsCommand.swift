// `swiftbox events`: the journal every swiftbox process appends to (see EventJournal),
// printed and then followed like `tail -f` — until --until, or Ctrl-C. Without
// --since only new events are shown, as `docker events` does.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Show container events as they happen.",
        discussion: "Times: RFC 3339 (2026-11-25T16:00:00Z), Unix seconds (1764086400.5) or a duration back from now (10m, 1h30m).")
    @OptionGroup var globals: EngineGlobals
    @Option(help: "Show events since this time.") var since: String?
    @Option(help: "Stop at this time (without it, follow until interrupted).") var until: String?
    @Option(name: [.short, .long], help: "container=NAME|ID, event=ACTION, type=container|network|volume, image=, label=KEY[=VALUE]; repeatable.")
    var filter: [String] = []
    @Option(help: "text (default) or json (one object per line).") var format: String = "text"

    func run() throws {
        engineCommand {
            let now = WallTime.now()
            let from = try since.map { try Events.time($0, now: now, flag: "--since") }
            let to = try until.map { try Events.time($0, now: now, flag: "--until") }
            guard format == "text" || format == "json" || format == "{{json .}}" else {
                throw ValidationError("--format \(format): use text or json")
            }
            let json = format != "text"
            let matcher = try EventFilter(filter)
            let journal = globals.engine.events
            // Without --since: start at the end (only what happens from now on).
            var offset = from == nil ? journal.read().next : 0
            var backlog = from == nil ? [] : journal.readPrevious()
            while true {
                let (more, next) = journal.read(from: offset)
                let events = backlog + more
                backlog = []
                offset = next
                for e in events where matcher.matches(e) && e.timeNano >= (from ?? now) && e.timeNano <= (to ?? Int64.max) {
                    let line = (json ? (try jsonText(e, pretty: false)) : e.text) + "\n"
                    _ = line.withCString { write(1, $0, strlen($0)) }
                }
                if let to, WallTime.now() > to { return 0 }
                usleep(50_000)
            }
        }
    }

    /// An RFC 3339 time, Unix seconds, or a Go duration before `now`; nanoseconds.
    static func time(_ text: String, now: Int64, flag: String) throws -> Int64 {
        if let t = WallTime.parse(text) { return t }
        if let seconds = Double(text) { return Int64(seconds * 1e9) }
        if let d = try? GoDuration.parse(text) { return now - d }
        throw ValidationError("\(flag) \(text): expected an RFC 3339 time, Unix seconds or a duration like 10m")
    }
}
