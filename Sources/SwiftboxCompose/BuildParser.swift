// `build:` → BuildSpec: the short form (a context path) and the long form, key by key,
// with the defaults and resolutions docker compose v2.40 applies (checked against its
// `config` output: Tests/SwiftboxComposeTests/BuildConfigTests.swift).

extension ServiceParser {
    /// Keys of the spec's build section that the builder applies.
    static let buildKeys: Set<String> = [
        "context", "dockerfile", "dockerfile_inline", "args", "target", "labels", "network", "no_cache", "pull", "tags", "secrets",
    ]
    /// Keys of the spec's build section with no equivalent in swiftbox's builder: accepted
    /// (a file written for docker compose loads), kept, and warned about when building.
    static let unsupportedBuildKeys: Set<String> = [
        "additional_contexts", "cache_from", "cache_to", "entitlements", "extra_hosts", "isolation", "platforms", "privileged",
        "provenance", "sbom", "shm_size", "ssh", "ulimits",
    ]

    func build(_ node: YNode, _ path: String) throws -> BuildSpec {
        // Short form: the context alone.
        if node.scalar != nil {
            var b = BuildSpec(context: context(try reader.string(node, path)))
            b.dockerfile = "Dockerfile"
            return b
        }
        guard node.mapping != nil else { throw reader.fail(node, path, "must be a string or a mapping, not \(node.kindName)") }
        var b = BuildSpec(context: workingDir)
        for (key, v) in try reader.mapping(node, path, allowed: ServiceParser.buildKeys.union(ServiceParser.unsupportedBuildKeys)) {
            let p = path + "." + key
            if ServiceParser.unsupportedBuildKeys.contains(key) { b.unsupported.append(key); continue }
            switch key {
            case "context": b.context = context(try reader.string(v, p))
            case "dockerfile": b.dockerfile = try reader.string(v, p)
            case "dockerfile_inline": b.dockerfileInline = try reader.string(v, p)
            case "args":
                // A name without a value takes the environment's (.env included); unset: dropped.
                for (k, value) in try reader.keyValues(v, p) {
                    if let value { b.args[k] = value } else if let env = lookupEnv(k) { b.args[k] = env }
                }
            case "target": b.target = try reader.string(v, p)
            case "labels": b.labels = try reader.stringMap(v, p)
            case "network": b.network = try reader.string(v, p)
            case "no_cache": b.noCache = try reader.bool(v, p)
            case "pull": b.pull = try reader.bool(v, p)
            case "tags": b.tags = try reader.list(v, p)
            case "secrets": b.secrets = try fileReferences(v, p, defaultDir: nil)
            default: break
            }
        }
        if b.dockerfile != nil && b.dockerfileInline != nil {
            throw reader.fail(node["dockerfile_inline"]!, path, "dockerfile and dockerfile_inline are mutually exclusive: give one of them")
        }
        if b.dockerfileInline == nil && b.dockerfile == nil { b.dockerfile = "Dockerfile" }
        return b
    }

    /// A context as Compose resolves it: a remote one as written, `~` expanded, a relative
    /// path against the project directory.
    func context(_ raw: String) -> String {
        if BuildSpec.isRemote(raw) { return raw }
        return Paths.absolute(Paths.expandHome(raw, lookup: lookupEnv), relativeTo: workingDir)
    }
}
