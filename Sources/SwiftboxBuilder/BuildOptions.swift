#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage

// What a build is asked for: `swiftbox build`'s flags and compose's `build:` keys,
// parsed once at each edge into this, never passed on as flag strings.
public struct BuildOptions: Sendable {
    /// The context directory; nil for a Dockerfile alone (`swiftbox build - < Dockerfile`).
    public var context: String?
    /// The Dockerfile's text (already read: from -f, the context, stdin or dockerfile_inline).
    public var dockerfile: String
    /// Its name in errors and progress ("Dockerfile", "app/Containerfile").
    public var dockerfileName = "Dockerfile"
    /// -t NAME[:TAG], repeatable.
    public var tags: [String] = []
    /// --build-arg K=V (K alone: the value from the environment, else unset).
    public var buildArgs: [String: String] = [:]
    /// --target STAGE: the last stage when nil.
    public var target: String?
    public var noCache = false
    /// --pull: pull every base image again (not only a missing one).
    public var pull = false
    /// --label K=V, added to the image's labels.
    public var labels: [String: String] = [:]
    /// RUN's network: bridge (the default network, as Docker's classic builder), none, host.
    public var network = "bridge"
    /// --secret id=ID,src=PATH: mounted by RUN --mount=type=secret,id=ID.
    public var secrets: [String: String] = [:]
    /// How the layers a build makes are stored: as tars by default, as Docker's and
    /// Podman's local stores keep them (docs/build.md has the measurement);
    /// SWIFTBOX_LAYER_COMPRESSION=gzip compresses them as they are written.
    public var layerCompression: LayerWriter.Compression =
        getenv("SWIFTBOX_LAYER_COMPRESSION").flatMap { LayerWriter.Compression(rawValue: String(cString: $0)) } ?? .none

    public init(context: String?, dockerfile: String) {
        self.context = context
        self.dockerfile = dockerfile
    }
}

/// What a build reports while it works (the CLI prints BuildKit's plain progress from
/// these; the Docker API will stream them).
public enum BuildEvent: Sendable {
    /// A numbered vertex: "[2/5] RUN pip install …", "[internal] load build definition".
    case started(vertex: Int, name: String)
    case cached(vertex: Int)
    /// A line the step's process printed (stdout and stderr alike, as BuildKit shows them).
    case output(vertex: Int, line: String, seconds: Double)
    case done(vertex: Int, seconds: Double)
    case failed(vertex: Int, message: String)
    /// A note that is not a step (a `# syntax=` directive ignored, a warning from the parser).
    case note(String)
}

public struct BuildResult: Sendable {
    public var imageID: String
    public var tags: [String]
}

/// A build that failed: the message is what the user sees; `exitCode` is the failing
/// RUN's status when there is one.
public struct BuildError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var exitCode: Int32?
    public var description: String { message }
    public init(_ message: String, exitCode: Int32? = nil) {
        self.message = message
        self.exitCode = exitCode
    }
}
