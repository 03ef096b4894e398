// `swiftbox events`: the journal every swiftbox process appends to (see EventJournal),
// printed and then followed like `tail -f` — until --until, or Ctrl-C. Without
// --since only new events are shown, as `docker events` does.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine
import SwiftboxTemplate

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Show container events as they happen.",
        discussion: "Times: RFC 3339 (2026-11-25T16:00:00Z), Unix seconds (1764086400.5) or a duration back from now (10m, 1h30m).")
    @OptionGroup var globals: EngineGlobals
    @Option(help: "Show events since this time.") var since: String?
    @Option(help: "Stop at this time (without it, follow until interrupted).") var until: String?
    @Option(name: [.short, .long], help: "container=NAME|ID, event=ACTION, type=container|network|volume, image=, label=KEY[=VALUE]; repeatable.")
    var filter: [String] = []
    @Option(help: "text (default), json (one object per line), or a Go template run on each event, e.g. '{{.Action}} {{.Actor.Attributes.name}}'.")
    var format: String = "text"

    func run() throws {
        engineCommand {
            let now = WallTime.now()
            let from = try since.map { try Events.time($0, now: now, flag: "--since") }
            let to = try until.map { try Events.time($0, now: now, flag: "--until") }
            // Docker's events take a template as it is (no "table"); "text" is swiftbox's default line.
            let listing = try ListingFormat.option(format, accepting: ["text"])
            let template: Template?
            switch listing.kind {
            case .defaultTable: template = nil
            case .json: template = try ListingFormat.parse("{{json .}}")
            case .template(let t): template = try ListingFormat.parse(t)
            case .table: throw FormatError(message: "--format \(format): events are not a table; use text, json or a template", code: 1)
            }
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
                    var line = e.text + "\n"
                    if let template {
                        do {
                            line = try template.execute(try ListingRows.event(e)) + "\n"
                        } catch let error as TemplateError {
                            throw FormatError(message: "template parsing error: \(error.message)", code: 1)
                        }
                    }
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
