// From an instruction line (and the heredocs it opened) to a typed instruction, with
// BuildKit's per-instruction rules: argument counts, accepted flags, forms.

/// What one line of the file says: a new stage, or an instruction.
enum Statement {
    case from(base: String, name: String?, platform: String?)
    case instruction(keyword: String, kind: InstructionKind)
}

struct InstructionBuilder {
    let escape: Unicode.Scalar
    /// Warnings for the instruction being built (BuildKit's lint rules).
    private(set) var warnings: [String] = []

    init(escape: Unicode.Scalar) { self.escape = escape }

    static let keywords: Set<String> = [
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
        "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    ]

    /// Whether the line may open heredocs: RUN, COPY, ADD (directly or as an ONBUILD
    /// trigger) in shell form.
    func mayOpenHeredocs(_ line: InstructionLine) -> Bool {
        var line = line
        if line.keyword.lowercased() == "onbuild" {
            line = InstructionLine(line.arguments, escape: escape)
        }
        guard ["run", "copy", "add"].contains(line.keyword.lowercased()) else { return false }
        if case .strings = JSONArguments(line.arguments) { return false }
        return true
    }

    mutating func build(_ line: InstructionLine, original: String, heredocs: [Heredoc]) throws -> Statement {
        let keyword = line.keyword.lowercased()
        let text = line.arguments
        switch keyword {
        case "from":
            return try from(line)
        case "run":
            return .instruction(keyword: "RUN", kind: .run(try run(line, heredocs: heredocs)))
        case "cmd":
            try InstructionFlags.acceptNone(line.flags)
            return .instruction(keyword: "CMD", kind: .cmd(try command(text)))
        case "entrypoint":
            try InstructionFlags.acceptNone(line.flags)
            return .instruction(keyword: "ENTRYPOINT", kind: .entrypoint(try command(text)))
        case "shell":
            try InstructionFlags.acceptNone(line.flags)
            let (arguments, isJSON) = try ArgumentForms.jsonOrShell(text)
            if arguments.isEmpty { throw ParseFailure("SHELL requires at least one argument") }
            guard isJSON else { throw ParseFailure("SHELL requires the arguments to be in JSON form") }
            return .instruction(keyword: "SHELL", kind: .shell(arguments))
        case "env", "label":
            let upper = keyword.uppercased()
            let (pairs, legacy) = try ArgumentForms.keyValues(text, keyword: upper, escape: escape)
            try InstructionFlags.acceptNone(line.flags)
            if legacy {
                warnings.append("\"\(upper) key=value\" should be used instead of legacy \"\(upper) key value\" format")
            }
            return .instruction(keyword: upper, kind: keyword == "env" ? .env(pairs) : .label(pairs))
        case "arg":
            let declarations = try ArgumentForms.argDeclarations(text, escape: escape)
            try InstructionFlags.acceptNone(line.flags)
            return .instruction(keyword: "ARG", kind: .arg(declarations))
        case "expose":
            let ports = text.splitOnBlanks()
            if ports.isEmpty { throw ParseFailure("EXPOSE requires at least one argument") }
            try InstructionFlags.acceptNone(line.flags)
            return .instruction(keyword: "EXPOSE", kind: .expose(ports))
        case "volume":
            let (paths, _) = try ArgumentForms.jsonOrWords(text)
            if paths.isEmpty { throw ParseFailure("VOLUME requires at least one argument") }
            try InstructionFlags.acceptNone(line.flags)
            let trimmed = paths.map(\.trimmingBlanks)
            if trimmed.contains("") { throw ParseFailure("VOLUME specified can not be an empty string") }
            return .instruction(keyword: "VOLUME", kind: .volume(trimmed))
        case "user", "workdir", "stopsignal", "maintainer":
            let upper = keyword.uppercased()
            if text.isEmpty { throw ParseFailure("\(upper) requires exactly one argument") }
            try InstructionFlags.acceptNone(line.flags)
            switch keyword {
            case "user": return .instruction(keyword: upper, kind: .user(text))
            case "workdir": return .instruction(keyword: upper, kind: .workdir(text))
            case "stopsignal": return .instruction(keyword: upper, kind: .stopsignal(text))
            default:
                warnings.append("Maintainer instruction is deprecated in favor of using label")
                return .instruction(keyword: upper, kind: .maintainer(text))
            }
        case "copy", "add":
            return .instruction(keyword: keyword.uppercased(), kind: try copyOrAdd(line, heredocs: heredocs))
        case "healthcheck":
            return .instruction(keyword: "HEALTHCHECK", kind: .healthcheck(try HealthcheckParser.parse(line)))
        case "onbuild":
            return .instruction(keyword: "ONBUILD", kind: .onbuild(try onbuild(line, original: original, heredocs: heredocs)))
        default:
            throw ParseFailure("unknown instruction: \(line.keyword)")
        }
    }

    /// CMD and ENTRYPOINT: exec form, or the text for the shell.
    private func command(_ text: String) throws -> Command {
        let (arguments, isJSON) = try ArgumentForms.jsonOrShell(text)
        return isJSON ? .exec(arguments) : .shell(arguments.first ?? "")
    }

    /// FROM image [AS name], with --platform.
    private mutating func from(_ line: InstructionLine) throws -> Statement {
        let words = line.arguments.splitOnBlanks()
        var name: String?
        if words.count == 3 && words[1].lowercased() == "as" {
            let lowered = words[2].lowercased()
            guard StageName.isValid(lowered) else {
                throw ParseFailure("invalid name for build stage: \(goQuoted(words[2])), name can't start with a number or contain symbols")
            }
            name = lowered
        } else if words.count != 1 {
            throw ParseFailure("FROM requires either one or three arguments")
        }
        var flags = InstructionFlags(["platform": .string])
        try flags.read(line.flags)
        if words.count == 3 {
            if words[2] != words[2].lowercased() {
                warnings.append("Stage name '\(words[2])' should be lowercase")
            }
            // Only when FROM itself is all upper or all lower case is `as` expected to match.
            let from = line.keyword
            if (from == from.uppercased() && words[1] != words[1].uppercased())
                || (from == from.lowercased() && words[1] != words[1].lowercased()) {
                warnings.append("'\(words[1])' and '\(from)' keywords' casing do not match")
            }
        }
        return .from(base: words[0], name: name, platform: flags.string("platform"))
    }

    private func run(_ line: InstructionLine, heredocs: [Heredoc]) throws -> RunSpec {
        var flags = InstructionFlags(["mount": .list, "network": .string, "security": .string, "device": .list])
        try flags.read(line.flags)
        if let network = flags.string("network"), !["default", "none", "host"].contains(network) {
            throw ParseFailure("invalid network mode \(goQuoted(network))")
        }
        if let security = flags.string("security"), !["insecure", "sandbox"].contains(security) {
            throw ParseFailure("security \(goQuoted(security)) is not valid")
        }
        let mounts = try flags.list("mount").map(RunMountParser.parse)
        let (arguments, isJSON) = try ArgumentForms.jsonOrShell(line.arguments)
        if arguments.isEmpty && !isJSON { throw ParseFailure("RUN requires at least one argument") }
        let command: Command
        if isJSON {
            command = .exec(arguments)
        } else if heredocs.isEmpty {
            command = .shell(arguments[0])
        } else if (try? HeredocOperators.parse(arguments[0])) != nil {
            // `RUN <<EOF` alone: the body is the script.
            command = .shell(heredocs[0].chompedContent)
        } else {
            // A command reading heredocs: the shell gets the line and the bodies after it.
            var script = arguments[0]
            for heredoc in heredocs { script += "\n" + heredoc.content + heredoc.name }
            command = .shell(script)
        }
        return RunSpec(command: command, heredocs: heredocs, mounts: mounts, network: flags.string("network"),
                       security: flags.string("security"), devices: flags.list("device"))
    }

    private func copyOrAdd(_ line: InstructionLine, heredocs: [Heredoc]) throws -> InstructionKind {
        let isAdd = line.keyword.lowercased() == "add"
        let upper = isAdd ? "ADD" : "COPY"
        let (arguments, isJSON) = try ArgumentForms.jsonOrWords(line.arguments)
        if arguments.count < 2 {
            throw ParseFailure("\(upper) requires at least two arguments, but only one was provided. Destination could not be determined")
        }
        var declared: [String: InstructionFlags.Kind] = ["chown": .string, "chmod": .string, "link": .boolean, "exclude": .list]
        if isAdd {
            declared["keep-git-dir"] = .boolean
            declared["checksum"] = .string
            declared["unpack"] = .boolean
        } else {
            declared["from"] = .string
            declared["parents"] = .boolean
        }
        var flags = InstructionFlags(declared)
        try flags.read(line.flags)

        let destination = arguments[arguments.count - 1]
        var sources = Array(arguments.dropLast())
        if !isJSON {
            if try HeredocOperators.parse(destination) != nil {
                throw ParseFailure("\(upper) cannot accept a heredoc as a destination")
            }
            sources = try sources.map { try HeredocOperators.parse($0)?.name ?? $0 }
        }
        let spec = CopySpec(sources: sources, destination: destination, from: flags.string("from"),
                            chown: flags.string("chown"), chmod: flags.string("chmod"), link: flags.boolean("link"),
                            checksum: flags.string("checksum"), keepGitDir: flags.boolean("keep-git-dir"),
                            excludes: flags.list("exclude"), parents: flags.boolean("parents"), heredocs: heredocs,
                            unpack: flags.givenBoolean("unpack"))
        return isAdd ? .add(spec) : .copy(spec)
    }

    /// The trigger text (ONBUILD removed, heredoc bodies appended as BuildKit does),
    /// after checking it parses as an instruction that may be a trigger.
    private func onbuild(_ line: InstructionLine, original: String, heredocs: [Heredoc]) throws -> String {
        if line.arguments.isEmpty { throw ParseFailure("ONBUILD requires at least one argument") }
        try InstructionFlags.acceptNone(line.flags)
        let trigger = InstructionLine(line.arguments, escape: escape)
        let upper = trigger.keyword.uppercased()
        switch upper {
        case "ONBUILD": throw ParseFailure("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        case "MAINTAINER", "FROM": throw ParseFailure("\(upper) isn't allowed as an ONBUILD trigger")
        default: break
        }
        // BuildKit checks the trigger only when a child image runs it; we check it now.
        var triggerBuilder = InstructionBuilder(escape: escape)
        _ = try triggerBuilder.build(trigger, original: line.arguments, heredocs: heredocs)

        var expression = String(original.trimmingLeadingBlanks.dropFirst("onbuild".count)).trimmingLeadingBlanks
        for heredoc in heredocs { expression += "\n" + heredoc.content + heredoc.name }
        return expression
    }
}

/// Stage names: BuildKit's `^[a-z][a-z0-9-_.]*$`, checked after lowercasing.
enum StageName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }
}
