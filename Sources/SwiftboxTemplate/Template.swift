// A parsed Go text/template, as Docker's --format and -f use it: parse once (errors
// name the line, as Go's do), execute on each object. The language, its functions and
// the differences from Go are described in docs/formatting.md.

/// A template failed to parse or to execute; the message is Go's.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable { case parse, execution }
    public let message: String
    public let kind: Kind
    public init(_ message: String, kind: Kind) {
        self.message = message
        self.kind = kind
    }
    public var description: String { message }
}

/// What a map gives for a key it lacks (Go's Option("missingkey=…")).
public enum MissingKey: Equatable {
    /// "<no value>" when printed (Go's default).
    case `default`
    /// The map's element zero value.
    case zero
    /// An error: `map has no entry for key "K"` (Docker's inspect fallback uses this).
    case error
}

public struct Template {
    public let name: String
    public let source: String
    let root: [TemplateNode]
    let functions: TemplateFunctions

    /// Parse `text`; `name` appears in messages as Go's template name does (Docker's is "").
    public init(_ text: String, name: String = "", functions: TemplateFunctions = .docker) throws {
        self.name = name
        self.source = text
        self.functions = functions
        root = try TemplateParser.parse(text, name: name, functions: functions)
    }

    /// The output of the template applied to `data`. Nothing of a failed execution is
    /// returned (Docker buffers its output, so neither does it print a part).
    public func execute(_ data: TemplateValue, missingKey: MissingKey = .default) throws -> String {
        var state = TemplateExecutor(template: self, missingKey: missingKey, data: data)
        try state.walk(data, root)
        return state.output
    }

    /// What the template writes until it fails, and no error: Docker prints table headers
    /// this way.
    public func executeKeepingPartialOutput(_ data: TemplateValue) -> String {
        var state = TemplateExecutor(template: self, missingKey: .default, data: data)
        try? state.walk(data, root)
        return state.output
    }

    /// The same tree with other functions (Docker's table headers run the row template
    /// with functions that leave the header text alone).
    public func with(functions: TemplateFunctions) -> Template {
        Template(name: name, source: source, root: root, functions: functions)
    }

    private init(name: String, source: String, root: [TemplateNode], functions: TemplateFunctions) {
        self.name = name
        self.source = source
        self.root = root
        self.functions = functions
    }
}
