// What compose asks the engine to build for one service (or for the services sharing
// its image): the service's BuildSpec with every Compose decision already made — the
// image's names, the labels Compose adds, the args after --build-arg, the secrets
// resolved to their sources. The engine's side (ComposeEngineAdapter) turns it into the
// builder's BuildOptions, value for value.

public struct BuildRequest: Sendable, Equatable {
    /// The service whose build section this is (progress lines are prefixed with it).
    public var service: String
    public var spec: BuildSpec
    /// The service's image name first, then build.tags.
    public var tags: [String]
    /// build.args, with `compose build --build-arg` over them.
    public var args: [String: String]
    /// build.labels plus com.docker.compose.project, .service and .version, as Compose
    /// labels the images it builds (getImageBuildLabels).
    public var labels: [String: String]
    public var noCache: Bool
    public var pull: Bool
    /// The secret IDs a Dockerfile mounts (`RUN --mount=type=secret,id=ID`) → a file, or
    /// the content of an environment variable.
    public var secrets: [String: MountedFile.Source] = [:]

    public init(service: String, spec: BuildSpec, tags: [String], args: [String: String], labels: [String: String],
                noCache: Bool, pull: Bool) {
        self.service = service
        self.spec = spec
        self.tags = tags
        self.args = args
        self.labels = labels
        self.noCache = noCache
        self.pull = pull
    }

    /// The image the build makes (what the services run).
    public var image: String { tags[0] }
}

/// `compose build`'s flags, applied over every service's build section.
public struct BuildOverrides: Sendable, Equatable {
    /// --no-cache: true forces it; false keeps the service's no_cache.
    public var noCache = false
    /// --pull: true forces it; false keeps the service's pull.
    public var pull = false
    /// --build-arg K=V (already resolved: K alone took the environment's value).
    public var args: [String: String] = [:]
    public init() {}
}

extension BuildRequest {
    /// The request for `service` of `project`: refuses what the builder cannot do (a remote
    /// context, a secret that is neither a file nor an environment variable).
    public static func make(_ service: Service, in project: Project, overrides: BuildOverrides = BuildOverrides(),
                            environment: (String) -> String?) throws -> BuildRequest {
        guard let spec = service.build else { throw ComposeError("service \"\(service.name)\" has no build section") }
        let key = "services.\(service.name).build"
        if spec.isRemote {
            throw ComposeError("remote build contexts are not supported: \(spec.context) (clone it and give its directory)", key: key + ".context")
        }
        var labels = spec.labels
        labels[ComposeLabel.project] = project.name
        labels[ComposeLabel.service] = service.name
        labels[ComposeLabel.version] = ComposeLabel.composeVersion
        var r = BuildRequest(service: service.name, spec: spec, tags: [project.imageName(of: service)] + spec.tags.filter { $0 != project.imageName(of: service) },
                             args: spec.args.merging(overrides.args) { $1 }, labels: labels,
                             noCache: spec.noCache || overrides.noCache, pull: spec.pull || overrides.pull)
        for ref in spec.secrets {
            guard let def = project.secrets[ref.source] else {
                throw ComposeError("service \"\(service.name)\" refers to undefined build secret \(ref.source): invalid compose project", key: key + ".secrets")
            }
            // The ID is the target when one is given (compose's addSecretsConfig).
            let id = ref.target ?? ref.source
            if let file = def.file {
                r.secrets[id] = .path(file)
            } else if let variable = def.environment {
                r.secrets[id] = .content(environment(variable) ?? "")
            } else {
                throw ComposeError("build.secrets only supports environment or file-based secrets: \"\(ref.source)\"", key: key + ".secrets")
            }
        }
        return r
    }
}
