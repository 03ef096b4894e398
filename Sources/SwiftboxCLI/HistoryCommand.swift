// `swiftbox history` / `swiftbox image history`: Docker's columns and flags over
// ImageStore.history.
import ArgumentParser
import SwiftboxImage
import SwiftboxTemplate

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the history of an image.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate output.") var noTrunc = false
    @Flag(name: [.short, .long], help: "Only show image IDs.") var quiet = false
    @Option(name: [.customShort("H"), .long], help: "Print sizes and dates in human readable format.") var human: Bool = true
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"
    @Argument var image: String

    func run() throws {
        engineCommand {
            let listing = try ListingFormat.option(format)
            let entries = try globals.images.history(image)
            let rows = entries.map(row)
            if quiet {
                for r in rows { print(r.id) }
                return 0
            }
            if !listing.isDefaultTable {
                try listing.print(rows.map(\.value), header: Self.header)
                return 0
            }
            var table = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
            for r in rows { table.append([r.id, r.created, r.createdBy, r.size, r.comment]) }
            printTable(table)
            return 0
        }
    }

    static let header = ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
                         "Size": "SIZE", "Comment": "COMMENT"]

    /// One entry as Docker's history formatter shows it.
    func row(_ e: ImageHistoryEntry) -> (id: String, created: String, createdBy: String, size: String, comment: String, value: TemplateValue) {
        let id = e.id.map { noTrunc ? $0.description : $0.short } ?? "<missing>"
        let createdAt = e.created.map(goTimeString) ?? ""
        let since = e.created.map { human ? RelativeTime.ago($0) : $0 } ?? "N/A"
        var createdBy = e.createdBy.replacingOccurrences(of: "\t", with: " ")
        if !noTrunc && createdBy.count > 45 { createdBy = String(createdBy.prefix(44)) + "…" }
        let size = human ? formatSize(e.size) : String(e.size)
        let value = ListingFormat.row("*formatter.historyContext", [
            ("Comment", .string(e.comment)), ("CreatedAt", .string(createdAt)), ("CreatedBy", .string(createdBy)),
            ("CreatedSince", .string(since)), ("ID", .string(id)), ("Size", .string(size)),
        ])
        return (id, since, createdBy, size, e.comment, value)
    }
}
