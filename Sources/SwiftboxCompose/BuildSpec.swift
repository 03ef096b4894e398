// A service's `build:` section, normalized as Compose v2 (compose-go) normalizes it, so
// `compose config` prints what `docker compose config` prints:
//   build: ./web                 →  build: {context: /abs/project/web, dockerfile: Dockerfile}
//   args: [A=1, B]               →  args: {A: "1", B: <B from the environment>} (B dropped when unset)
//   labels: [com.x]              →  labels: {com.x: ""}
// The context is resolved against the project directory (a URL is kept as written); the
// dockerfile stays as written, relative to the context, because that is how Compose
// prints it and how the builder reads it (BuildRequest.dockerfilePath).

public struct BuildSpec: Codable, Equatable, Sendable {
    /// An absolute directory, or a remote context (git URL) kept as written.
    public var context: String
    /// Relative to the context, or absolute; "Dockerfile" unless dockerfile_inline is given.
    public var dockerfile: String?
    /// The Dockerfile's text itself.
    public var dockerfileInline: String?
    /// Build arguments; a name without a value took the environment's value at load time.
    public var args: [String: String] = [:]
    public var target: String?
    public var labels: [String: String] = [:]
    /// RUN's network: default, bridge, host or none.
    public var network: String?
    public var noCache = false
    public var pull = false
    /// More names for the image, besides the service's image name.
    public var tags: [String] = []
    /// Top-level `secrets:` the Dockerfile can mount (RUN --mount=type=secret,id=…).
    public var secrets: [FileReference] = []
    /// Keys of the Compose spec the builder has no equivalent for (cache_from, ssh,
    /// platforms, …): kept so `up` and `build` can say they are ignored.
    public var unsupported: [String] = []

    public init(context: String) { self.context = context }

    /// Compose's test for a context that is not a local directory (compose-go's
    /// absContextPath: any `scheme://`, and git's short forms).
    public static func isRemote(_ context: String) -> Bool {
        context.contains("://") || context.hasPrefix("github.com/") || context.hasPrefix("git@")
    }

    public var isRemote: Bool { BuildSpec.isRemote(context) }

    /// The Dockerfile on disk: absolute as written, else inside the context; nil for
    /// dockerfile_inline.
    public var dockerfilePath: String? {
        guard dockerfileInline == nil else { return nil }
        let name = dockerfile ?? "Dockerfile"
        return Paths.absolute(name, relativeTo: context)
    }
}

extension Project {
    /// The image a service runs: `image:` when given, else the one `build:` makes,
    /// named `<project>-<service>` as Compose v2 names it (api.GetImageNameOrDefault).
    public func imageName(of service: Service) -> String {
        service.image ?? "\(name)-\(service.name)"
    }
}
