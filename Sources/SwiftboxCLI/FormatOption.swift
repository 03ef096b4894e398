// --format / -f, shared by every command that has it (see docs/formatting.md): listings
// (ps, images, network ls, volume ls, stats, compose ps) take Docker's formatter
// formats through ListingFormat; the inspect commands take Docker's TemplateInspector
// behaviour through InspectFormat. Errors exit as Docker's do: 1, and 64 for a template
// that inspect cannot parse.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxTemplate

enum FormatHelp {
    static let listing = "table, json, or a Go template: '{{.ID}} {{.Names}}', 'table {{.ID}}\\t{{.Status}}' (docs/formatting.md)."
    static let inspect = "json, or a Go template run on each object, e.g. '{{.State.Status}}'."
}

/// A --format the command cannot use, or a template that failed on an object.
struct FormatError: Error, CustomStringConvertible {
    let message: String
    let code: Int32
    var description: String { message }
}

extension ListingFormat {
    /// The --format value of a listing; a bad one is a FormatError (exit 1).
    static func option(_ text: String, accepting extra: Set<String> = []) throws -> ListingFormat {
        do { return try ListingFormat(text, accepting: extra) } catch let e as TemplateError { throw FormatError(message: e.message, code: 1) }
    }

    /// Print the rows (nothing when one fails: the error says which template and why).
    func print(_ rows: [TemplateValue], header: [String: String]) throws {
        do {
            writeOut(try render(rows, header: ListingFormat.header(header)))
        } catch let e as TemplateError {
            throw FormatError(message: e.message, code: 1)
        }
    }
}

/// Standard output, unbuffered by Swift's print (one write for a whole listing).
func writeOut(_ text: String) {
    fflush(stdout)
    var bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + done, $0.count - done) }
        if n <= 0 { if errno == EINTR { continue }; return }
        done += n
    }
    bytes.removeAll()
}

/// `inspect -f` as Docker's TemplateInspector: the template runs on each object; when it
/// fails there, it runs again on the object as plain JSON maps with missingkey=error (so
/// `{{.Nope}}` says `map has no entry for key "Nope"`). The objects that worked are
/// printed, one line each (an empty line when none did), then the errors, exit 1.
/// `json` prints the objects as one compact JSON array.
struct InspectFormat {
    enum Kind { case json, template(Template) }
    let kind: Kind

    /// nil for the default (indented JSON, printed by the command itself).
    init?(_ text: String?) throws {
        guard let text, !text.isEmpty else { return nil }
        if text == "json" { kind = .json; return }
        do {
            kind = .template(try Template(text))
        } catch let e as TemplateError {
            throw FormatError(message: "template parsing error: \(e.message)", code: 64)
        }
    }

    /// Print `objects` (and `missing`'s messages); the exit status.
    func print(_ objects: [TemplateValue], missing: [String] = []) -> Int32 {
        var errors = missing
        switch kind {
        case .json:
            writeOut(TemplateValue.list(objects).jsonText + "\n")
        case .template(let t):
            var out = ""
            for o in objects {
                do {
                    out += try t.execute(o) + "\n"
                } catch {
                    do {
                        out += try t.execute(o.asRawMaps, missingKey: .error) + "\n"
                    } catch let e as TemplateError {
                        errors.append("template parsing error: \(e.message)")
                    } catch {
                        errors.append("\(error)")
                    }
                }
            }
            writeOut(out.isEmpty ? "\n" : out)
        }
        for e in errors { SwiftboxMain.printError(e) }
        return errors.isEmpty ? 0 : 1
    }
}

/// Go's time.Time.String() of a time in UTC, as Docker's CreatedAt columns print it:
/// "2026-11-25 16:00:00 +0000 UTC" (from an RFC 3339 text; the text itself when unreadable).
func goTimeString(_ rfc3339: String) -> String {
    guard let seconds = RelativeTime.parse(rfc3339) else { return rfc3339 }
    var t = time_t(seconds)
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000 UTC"
}

/// "a=1,b=2": Docker's Labels column.
func labelsColumn(_ labels: [String: String]) -> String {
    labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
}
