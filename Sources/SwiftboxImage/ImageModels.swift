// OCI image-spec documents (descriptor, manifest, index, image config) as Codable
// models, with the Docker v2 equivalents' media types. Field names follow
// github.com/opencontainers/image-spec so they can be grepped there.

public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

    public static func isIndex(_ t: String?) -> Bool { t == ociIndex || t == dockerManifestList }
    public static func isManifest(_ t: String?) -> Bool { t == ociManifest || t == dockerManifest }
}

public struct Platform: Codable, Equatable, Sendable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }
}

public struct Descriptor: Codable, Equatable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?
    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }
}

public struct Manifest: Codable, Equatable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?
    public init(mediaType: String = MediaType.ociManifest, config: Descriptor, layers: [Descriptor]) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
    }
}

public struct ImageIndex: Codable, Equatable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public init(manifests: [Descriptor]) {
        self.schemaVersion = 2
        self.mediaType = MediaType.ociIndex
        self.manifests = manifests
    }
}

/// The image configuration ("config" blob).
public struct ImageConfig: Codable, Equatable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var variant: String?
    public var config: ContainerConfig?
    public var rootfs: RootFS
    public var history: [History]?

    public init(architecture: String = "amd64", os: String = "linux", config: ContainerConfig?, diffIDs: [Digest], created: String?) {
        self.architecture = architecture
        self.os = os
        self.config = config
        self.rootfs = RootFS(type: "layers", diff_ids: diffIDs)
        self.created = created
    }

    public struct RootFS: Codable, Equatable, Sendable {
        public var type: String
        public var diff_ids: [Digest]
    }

    public struct History: Codable, Equatable, Sendable {
        public var created: String?
        public var created_by: String?
        public var comment: String?
        public var empty_layer: Bool?
        public init(created: String? = nil, created_by: String? = nil, comment: String? = nil, empty_layer: Bool? = nil) {
            self.created = created
            self.created_by = created_by
            self.comment = comment
            self.empty_layer = empty_layer
        }
    }

    /// The runtime defaults a container inherits (Docker's names, capitalised).
    public struct ContainerConfig: Codable, Equatable, Sendable {
        public var User: String?
        public var ExposedPorts: [String: EmptyObject]?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var Volumes: [String: EmptyObject]?
        public var WorkingDir: String?
        public var Labels: [String: String]?
        public var StopSignal: String?
        public var Healthcheck: Healthcheck?
        /// SHELL: the shell form's command prefix (default ["/bin/sh", "-c"]).
        public var Shell: [String]?
        /// ONBUILD triggers, run by a build FROM this image.
        public var OnBuild: [String]?
        public init() {}
    }

    public struct Healthcheck: Codable, Equatable, Sendable {
        public init(Test: [String]? = nil, Interval: Int64? = nil, Timeout: Int64? = nil, StartPeriod: Int64? = nil,
                    StartInterval: Int64? = nil, Retries: Int? = nil) {
            self.Test = Test
            self.Interval = Interval
            self.Timeout = Timeout
            self.StartPeriod = StartPeriod
            self.StartInterval = StartInterval
            self.Retries = Retries
        }
        public var Test: [String]?
        public var Interval: Int64?
        public var Timeout: Int64?
        public var StartPeriod: Int64?
        public var StartInterval: Int64?
        public var Retries: Int?
    }
}

public struct EmptyObject: Codable, Equatable, Sendable { public init() {} }
