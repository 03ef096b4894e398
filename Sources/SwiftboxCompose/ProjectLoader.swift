// Loading a project, in the order Compose does it:
//   find the files → read .env / --env-file → parse each file (YAML with line marks) →
//   interpolate → resolve extends → merge the files → name the project → parse the
//   services and resources into the model → apply profiles → validate.

public struct LoadOptions {
    /// -f, in order; empty: discover (COMPOSE_FILE, then compose.yaml … in the directory or a parent).
    public var files: [String] = []
    public var projectDirectory: String?
    /// -p
    public var projectName: String?
    /// --env-file (repeatable); empty: <project dir>/.env when it exists.
    public var envFiles: [String] = []
    /// --profile (repeatable); COMPOSE_PROFILES adds to them.
    public var profiles: [String] = []
    /// Services named on the command line are enabled whatever their profiles.
    public var enabledServices: [String] = []
    /// The shell's environment: it wins over .env files.
    public var environment: [String: String]
    public var workingDirectory: String

    public init(environment: [String: String], workingDirectory: String) {
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

public struct ProjectLoader {
    public let files: FileSource
    public init(files: FileSource = DiskFiles()) { self.files = files }

    static let candidates = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]

    /// The compose files to load, absolute, in merge order.
    public func discover(_ o: LoadOptions) throws -> [String] {
        if !o.files.isEmpty { return o.files.map { Paths.absolute($0, relativeTo: o.workingDirectory) } }
        if let env = o.environment["COMPOSE_FILE"], !env.isEmpty {
            let sep = o.environment["COMPOSE_PATH_SEPARATOR"].flatMap(\.first) ?? ":"
            return env.split(separator: sep).map { Paths.absolute(String($0), relativeTo: o.workingDirectory) }
        }
        var dir = Paths.absolute(o.projectDirectory ?? o.workingDirectory, relativeTo: o.workingDirectory)
        while true {
            for name in ProjectLoader.candidates where files.exists(dir + "/" + name) {
                let main = (dir == "/" ? "" : dir) + "/" + name
                let stem = main.hasSuffix(".yaml") ? String(main.dropLast(5)) : String(main.dropLast(4))
                let override = [stem + ".override.yaml", stem + ".override.yml"].first { files.exists($0) }
                return [main] + (override.map { [$0] } ?? [])
            }
            if dir == "/" || o.projectDirectory != nil { break }
            dir = Paths.dirname(dir)
        }
        throw ComposeError("no configuration file provided: not found (looked for \(ProjectLoader.candidates.joined(separator: ", ")) in \(o.projectDirectory ?? o.workingDirectory) and its parents)")
    }

    public func load(_ o: LoadOptions) throws -> (Project, ComposeWarnings) {
        var warnings = ComposeWarnings()
        let paths = try discover(o)
        for p in paths where !files.exists(p) { throw ComposeError("open \(p): no such file or directory") }
        let projectDir = Paths.absolute(o.projectDirectory ?? Paths.dirname(paths[0]), relativeTo: o.workingDirectory)

        // .env: the shell's environment wins over it; later --env-file wins over earlier.
        var dotenv: [String: String] = [:]
        let envPaths = o.envFiles.isEmpty ? [projectDir + "/.env"] : o.envFiles.map { Paths.absolute($0, relativeTo: o.workingDirectory) }
        for p in envPaths {
            guard let text = files.read(p) else {
                if !o.envFiles.isEmpty { throw ComposeError("couldn't find env file: \(p)") }
                continue
            }
            for (k, v) in try EnvFile.parse(text, file: p, lookup: { o.environment[$0] ?? dotenv[$0] }) { dotenv[k] = v ?? o.environment[k] }
        }
        let env = o.environment
        let lookup: (String) -> String? = { env[$0] ?? dotenv[$0] }

        var interpolator = Interpolator(lookup: lookup)
        var merged: YNode?
        for p in paths {
            guard let text = files.read(p) else { throw ComposeError("cannot read \(p)") }
            let tree = try YAMLTree.parse(text, file: p)
            guard tree.mapping != nil else { throw ComposeError("the top level must be a mapping, not \(tree.kindName)", at: tree.loc) }
            var extends = Extends(files: files, interpolator: interpolator)
            let resolved = try extends.resolve(try interpolator.apply(tree), fileDir: Paths.dirname(p))
            merged = merged.map { ComposeMerge.mergeFiles($0, resolved) } ?? resolved
        }
        for w in interpolator.warnings.messages { warnings.add(w) }
        let root = merged!

        // The project's name: -p, COMPOSE_PROJECT_NAME, name:, the directory's name.
        let name: String
        if let p = o.projectName, !p.isEmpty {
            name = try ProjectName.validate(p, source: "-p")
        } else if let e = lookup("COMPOSE_PROJECT_NAME"), !e.isEmpty {
            name = try ProjectName.validate(e, source: "COMPOSE_PROJECT_NAME")
        } else if let n = root["name"], let s = n.scalar, !s.isEmpty {
            guard ProjectName.isValid(ProjectName.normalize(s)) else { throw ComposeError("invalid project name \"\(s)\"", at: n.loc, key: "name") }
            name = ProjectName.normalize(s)
        } else {
            name = ProjectName.normalize(Paths.basename(projectDir))
            guard !name.isEmpty else { throw ComposeError("cannot derive a project name from the directory \(projectDir): use -p") }
        }

        var parser = ProjectParser(reader: NodeReader(), projectName: name, workingDir: projectDir, lookup: lookup, files: files)
        var project = try parser.parse(root, files: paths)
        for w in parser.reader.warnings.messages { warnings.add(w) }

        // Profiles: a service with profiles runs only when one of them is active.
        var active = Set(o.profiles)
        for p in (lookup("COMPOSE_PROFILES") ?? "").split(separator: ",") { active.insert(String(p).trimmingSpaces) }
        for (n, s) in project.services where !s.profiles.isEmpty {
            if active.contains("*") || !active.isDisjoint(with: s.profiles) || o.enabledServices.contains(n) { continue }
            project.disabledServices[n] = s
            project.services[n] = nil
        }
        try ProjectValidator(root: root).validate(&project, warnings: &warnings)
        return (project, warnings)
    }
}
