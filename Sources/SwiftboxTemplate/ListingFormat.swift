// The --format of Docker's listings (ps, images, network ls, volume ls, stats, compose
// ps), as docker/cli's formatter.Context reads it:
//   table                  the command's own table
//   table TEMPLATE         a header row (the template run on the column names), then a
//                          row per object, aligned by a tabwriter (padding 3)
//   json                   one JSON object per line ({{json .}})
//   TEMPLATE               the template per object, one line each
// `\t` and `\n` written as two characters become a tab and a newline. A value that is
// none of these (no {{ }} in it, e.g. "yaml") is an error here, where Docker would print
// it literally for every row: a typo must not pass silently.

public struct ListingFormat: Equatable {
    public enum Kind: Equatable {
        /// The command's default table (swiftbox prints it with its own code).
        case defaultTable
        case table(String)
        case json
        case template(String)
    }

    public let kind: Kind

    /// `accepting`: other words the command takes (e.g. events' "text").
    public init(_ text: String, accepting extra: Set<String> = []) throws {
        if text == "table" || text.isEmpty || extra.contains(text) {
            kind = .defaultTable
        } else if text == "json" {
            kind = .json
        } else if text.hasPrefix("table"), text.contains("{{") {
            kind = .table(ListingFormat.prepare(String(text.dropFirst(5))))
        } else if text.contains("{{") {
            kind = .template(ListingFormat.prepare(text))
        } else {
            let words = (["table", "json"] + extra.sorted()).joined(separator: ", ")
            throw TemplateError("unknown --format \(GoText.quote(text)): use \(words), or a Go template such as '{{.ID}}'", kind: .parse)
        }
    }

    /// formatter.Context.preFormat: trim spaces, `\t` and `\n` as characters.
    static func prepare(_ text: String) -> String {
        var t = Substring(text)
        while t.first == " " { t.removeFirst() }
        while t.last == " " { t.removeLast() }
        return String(t).replacingOccurrences("\\t", with: "\t").replacingOccurrences("\\n", with: "\n")
    }

    public var isDefaultTable: Bool { kind == .defaultTable }

    /// The rows as Docker prints them; errors as Docker words them ("template parsing
    /// error: template: :1:2: executing …"). Nothing is returned when a row fails.
    public func render(_ rows: [TemplateValue], header: TemplateValue) throws -> String {
        let text: String
        switch kind {
        case .defaultTable: return ""
        case .json: text = "{{json .}}"
        case .table(let t), .template(let t): text = t
        }
        let template = try ListingFormat.parse(text)
        var body = ""
        for row in rows {
            do {
                body += try template.execute(row) + "\n"
            } catch let e as TemplateError {
                throw TemplateError("template parsing error: \(e.message)", kind: e.kind)
            }
        }
        guard case .table = kind else { return body }
        let head = template.with(functions: .dockerHeader).executeKeepingPartialOutput(header)
        return TabWriter().format(head + "\n" + body)
    }

    public static func parse(_ text: String) throws -> Template {
        do {
            return try Template(text)
        } catch let e as TemplateError {
            throw TemplateError("template parsing error: \(e.message)", kind: e.kind)
        }
    }

    /// A table's header object: the column names by field (a map[string]string, as
    /// Docker's SubHeaderContext), whose `.Label "com.example.key"` is "key".
    public static func header(_ columns: [String: String]) -> TemplateValue {
        var o = TemplateObject(strings: columns)
        o.methods["Label"] = TemplateMethod([.string]) { args in
            let last = args[0].text.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            return .string(last.replacingOccurrences("-", with: " ").replacingOccurrences("_", with: " "))
        }
        return .object(o)
    }

    /// One row of a listing: Docker's formatter contexts are structs whose fields are
    /// methods (so `{{.Nope}}` is "can't evaluate field Nope in type TYPE"), with a
    /// `.Label "key"` method when they have labels, and whose JSON is a sorted map.
    public static func row(_ typeName: String, _ fields: [(String, TemplateValue)], labels: [String: String]? = nil) -> TemplateValue {
        var o = TemplateObject(record: typeName, fields: fields)
        if let labels {
            o.methods["Label"] = TemplateMethod([.string]) { .string(labels[$0[0].text] ?? "") }
        }
        o.json = .object(TemplateObject(map: Dictionary(fields, uniquingKeysWith: { _, last in last })))
        return .object(o)
    }
}
