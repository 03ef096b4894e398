// What parsing reports: an error that stops it, or a warning (BuildKit's lint rules,
// the few that need nothing but the file) that does not.

/// A Dockerfile that BuildKit would refuse, with the line at fault.
public struct DockerfileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// "Dockerfile:3: unknown instruction: RUNN"
    public var description: String { "\(file):\(line): \(message)" }
}

/// Something BuildKit builds anyway but warns about.
public struct DockerfileWarning: Equatable, Sendable {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// An error found inside an instruction, before the parser knows the file name; the
/// parser turns it into a DockerfileError.
struct ParseFailure: Error {
    var message: String
    /// When the fault is on a line other than the instruction's first.
    var line: Int?
    init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }
}
