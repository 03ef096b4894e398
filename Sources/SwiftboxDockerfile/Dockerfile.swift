// The parsed form of a Dockerfile, as BuildKit's dockerfile frontend reads it: parser
// directives, the ARGs before the first FROM, and one Stage per FROM with the
// instructions that follow it. Values are kept raw (unexpanded, quotes kept) wherever
// BuildKit expands them only when it runs the step: expansion needs the build args and
// the stage's environment, which are the builder's, not the parser's.

/// A whole Dockerfile.
public struct Dockerfile: Equatable, Sendable {
    /// The name used in errors and warnings, e.g. "Dockerfile".
    public var file: String
    /// From the `# escape=` directive: `\` (the default) or `` ` ``.
    public var escape: Character
    /// From the `# syntax=` directive. Accepted and ignored: we are the frontend.
    public var syntax: String?
    /// ARG instructions before the first FROM: the only variables FROM may use.
    public var metaArgs: [ArgDeclaration]
    public var stages: [Stage]
    public var warnings: [DockerfileWarning]
    /// From the `# check=` directive (BuildKit's lint configuration), raw. An addition to
    /// the agreed API: kept so the builder can honour `skip=` or `error=true` if it wants.
    public var check: String?

    public init(file: String = "Dockerfile", escape: Character = "\\", syntax: String? = nil,
                metaArgs: [ArgDeclaration] = [], stages: [Stage] = [], warnings: [DockerfileWarning] = [],
                check: String? = nil) {
        self.file = file
        self.escape = escape
        self.syntax = syntax
        self.metaArgs = metaArgs
        self.stages = stages
        self.warnings = warnings
        self.check = check
    }

    /// Parses `text`; throws `DockerfileError` naming `file` and the line at fault.
    public static func parse(_ text: String, file: String = "Dockerfile") throws -> Dockerfile {
        try DockerfileParser(text: text, file: file).parse()
    }
}

/// One build stage: a FROM and the instructions up to the next FROM.
public struct Stage: Equatable, Sendable {
    /// Position among the file's stages, from 0 (what `--from=0` names).
    public var index: Int
    /// `AS name`, lowercased as BuildKit does (stage names are case-insensitive).
    public var name: String?
    /// The image word as written; may contain `$VARS` from the meta ARGs.
    public var base: String
    /// `--platform=…` as written.
    public var platform: String?
    /// The FROM's first line.
    public var line: Int
    public var instructions: [Instruction]

    public init(index: Int, name: String? = nil, base: String, platform: String? = nil, line: Int,
                instructions: [Instruction] = []) {
        self.index = index
        self.name = name
        self.base = base
        self.platform = platform
        self.line = line
        self.instructions = instructions
    }
}

/// One instruction after a FROM.
public struct Instruction: Equatable, Sendable {
    /// First line in the file, 1-based.
    public var line: Int
    /// Last line, heredoc bodies included.
    public var endLine: Int
    /// Uppercased keyword: "RUN", "COPY", …
    public var keyword: String
    /// The instruction as BuildKit keeps it for progress lines and history: the logical
    /// line with its flags, continuation escapes removed and lines joined as BuildKit
    /// joins them (nothing inserted: `a \` + `b` gives `a b` because the space before the
    /// escape stays), comment lines inside the continuation left out. Heredoc bodies are
    /// not part of it.
    public var original: String
    public var kind: InstructionKind

    public init(line: Int, endLine: Int, keyword: String, original: String, kind: InstructionKind) {
        self.line = line
        self.endLine = endLine
        self.keyword = keyword
        self.original = original
        self.kind = kind
    }
}

/// What an instruction asks for, with its arguments parsed but not expanded.
public enum InstructionKind: Equatable, Sendable {
    case run(RunSpec)
    case cmd(Command)
    case entrypoint(Command)
    /// JSON form only: the shell form is an error.
    case shell([String])
    /// `ENV K V` (legacy: the rest of the line is the value) or `ENV K=V K2="v 2"`. Raw.
    case env([KeyValue])
    case label([KeyValue])
    case arg([ArgDeclaration])
    /// Raw words, in the order written.
    case expose([String])
    /// JSON array or whitespace-separated words, raw.
    case volume([String])
    case user(String)
    case workdir(String)
    case copy(CopySpec)
    case add(CopySpec)
    /// nil is `HEALTHCHECK NONE`: turn off the base image's check.
    case healthcheck(HealthcheckSpec?)
    case stopsignal(String)
    /// The trigger's text, e.g. "RUN echo hi" (heredoc bodies appended as BuildKit does);
    /// already validated as an instruction that may be a trigger.
    case onbuild(String)
    case maintainer(String)
}

/// A command in exec form (JSON array) or shell form (text the shell expands).
public enum Command: Equatable, Sendable {
    case exec([String])
    case shell(String)
}

/// `NAME=value` from ENV or LABEL; both raw (quotes kept, unexpanded).
public struct KeyValue: Equatable, Sendable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// `ARG NAME` or `ARG NAME=default`; the default raw.
public struct ArgDeclaration: Equatable, Sendable {
    public var name: String
    public var defaultValue: String?
    public init(name: String, defaultValue: String? = nil) {
        self.name = name
        self.defaultValue = defaultValue
    }
}
