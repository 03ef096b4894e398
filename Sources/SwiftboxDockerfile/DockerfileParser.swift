// The whole file: directives, instruction lines, heredoc bodies, then stages. Also the
// warnings that need only the file (BuildKit's lint rules of the same names):
// NoEmptyContinuation, MaintainerDeprecated, LegacyKeyValueFormat, StageNameCasing,
// FromAsCasing, UndefinedArgInFrom, and JSONArgsRecommended (shell-form CMD or
// ENTRYPOINT in a stage without SHELL; BuildKit also stays quiet when the base image
// sets a shell, which only the builder knows).

struct DockerfileParser {
    let text: String
    let file: String

    /// Variables BuildKit defines for FROM without an ARG (the build and target platform).
    static let automaticPlatformArgs: Set<String> = [
        "BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
        "TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE",
    ]

    func parse() throws -> Dockerfile {
        var reader = LogicalLineReader(SourceLines.split(text))
        var result = Dockerfile(file: file)
        var stageHasShell = false
        var instructionCount = 0

        while let logical = try failing(at: reader.lastLineNumber + 1, { try reader.next() }) {
            instructionCount += 1
            let escape = reader.directives.escape
            for line in logical.emptyContinuationLines {
                result.warnings.append(DockerfileWarning(line: line, message: "Empty continuation line"))
            }
            let line = InstructionLine(logical.text, escape: escape)
            var builder = InstructionBuilder(escape: escape)
            var endLine = logical.endLine
            var heredocs: [Heredoc] = []
            if builder.mayOpenHeredocs(line) {
                heredocs = try failing(at: logical.startLine, { try HeredocOperators.find(in: logical.text) })
                for index in heredocs.indices {
                    heredocs[index].content = try readBody(of: heredocs[index], from: &reader, start: logical.startLine)
                    endLine = reader.lastLineNumber
                }
            }
            let original = logical.text.trimmingBlanks
            let statement = try failing(at: logical.startLine, {
                try builder.build(line, original: original, heredocs: heredocs)
            })
            for message in builder.warnings {
                result.warnings.append(DockerfileWarning(line: logical.startLine, message: message))
            }

            switch statement {
            case .from(let base, let name, let platform):
                // Docker builds such a file (BuildKit only lints it, DuplicateStageName); we
                // refuse it as BuildKit does under `# check=error=true`, with its words:
                // `--from=name` and `--target name` could not say which stage they mean.
                if let name, result.stages.contains(where: { $0.name == name }) {
                    throw DockerfileError(file: file, line: logical.startLine,
                                          message: "Duplicate stage name \(goQuoted(name)), stage names should be unique")
                }
                warnAboutUndeclaredArgs(in: [base] + (platform.map { [$0] } ?? []), escape: escape,
                                        line: logical.startLine, result: &result)
                result.stages.append(Stage(index: result.stages.count, name: name, base: base, platform: platform,
                                           line: logical.startLine))
                stageHasShell = false
            case .instruction(let keyword, let kind):
                if result.stages.isEmpty {
                    if case .arg(let declarations) = kind {
                        result.metaArgs += declarations
                        continue
                    }
                    throw DockerfileError(file: file, line: logical.startLine, message: "no build stage in current context")
                }
                switch kind {
                case .shell: stageHasShell = true
                case .cmd(.shell), .entrypoint(.shell):
                    if !stageHasShell {
                        result.warnings.append(DockerfileWarning(
                            line: logical.startLine,
                            message: "JSON arguments recommended for \(keyword) to prevent unintended behavior related to OS signals"))
                    }
                default: break
                }
                let instruction = Instruction(line: logical.startLine, endLine: endLine, keyword: keyword,
                                              original: original, kind: kind)
                result.stages[result.stages.count - 1].instructions.append(instruction)
            }
        }

        if instructionCount == 0 {
            throw DockerfileError(file: file, line: max(1, reader.lastLineNumber), message: "file with no instructions")
        }
        if result.stages.isEmpty {
            throw DockerfileError(file: file, line: max(1, reader.lastLineNumber),
                                  message: "dockerfile contains no stages to build")
        }
        result.escape = Character(reader.directives.escape)
        result.syntax = reader.directives.syntax
        result.check = reader.directives.check
        result.warnings.sort { $0.line < $1.line }
        return result
    }

    /// Runs `body`, turning a ParseFailure into this file's DockerfileError.
    private func failing<T>(at line: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as ParseFailure {
            throw DockerfileError(file: file, line: failure.line ?? line, message: failure.message)
        }
    }

    /// A heredoc's body: the lines up to one that equals its name (after removing
    /// leading tabs, for `<<-`). The body keeps its lines as written.
    private func readBody(of heredoc: Heredoc, from reader: inout LogicalLineReader, start: Int) throws -> String {
        var body = ""
        while let line = reader.nextRawLine() {
            var candidate = Substring(line.content)
            if heredoc.chomp { candidate = candidate.drop { $0 == "\t" } }
            if candidate == heredoc.name { return body }
            body += line.raw
        }
        throw DockerfileError(file: file, line: start, message: "unterminated heredoc")
    }

    /// FROM may use only the ARGs declared before the first FROM (and the platform ones).
    private func warnAboutUndeclaredArgs(in words: [String], escape: Unicode.Scalar, line: Int, result: inout Dockerfile) {
        let declared = Set(result.metaArgs.map(\.name))
        let lex = ShellLex(escape: Character(escape))
        var used: Set<String> = []
        for word in words { used.formUnion(lex.variables(in: word)) }
        for name in used.sorted() where !declared.contains(name) && !Self.automaticPlatformArgs.contains(name) {
            result.warnings.append(DockerfileWarning(line: line, message: "FROM argument '\(name)' is not declared"))
        }
    }
}
