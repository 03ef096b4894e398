// Errors of the compose loader, validator, planner and executor. A loader error names
// where the user has to look: the file, the line and the key path, like
//   compose.yaml:12:7: services.web.ports[0]: invalid port "80:http"
// so it can be fixed without guessing which of several merged files said it.

public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    /// file:line:column, with the file relative to the working directory when it is below it.
    public var description: String { "\(file):\(line):\(column)" }
}

public struct ComposeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation?
    /// Dotted path of the key: services.web.ports[0]
    public var key: String?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil, key: String? = nil) {
        self.message = message
        self.location = location
        self.key = key
    }

    public var description: String {
        var parts: [String] = []
        if let location { parts.append(location.description) }
        if let key, !key.isEmpty { parts.append(key) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// Non-fatal findings (undefined variables, keys parsed but not applied yet, …), printed
/// on stderr by the CLI as Compose prints its WARN lines.
public struct ComposeWarnings: Sendable {
    public private(set) var messages: [String] = []
    public init() {}
    public mutating func add(_ message: String) {
        if !messages.contains(message) { messages.append(message) }
    }
}
