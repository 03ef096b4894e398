// Before `up` (and `run`) creates containers, each service's image must be there: pulled,
// built, or found. The choices follow Compose v2's ensureImagesExists:
//   1. pull what the pull policy asks for (`--pull`, else pull_policy, else "missing");
//      a service that can be built ignores a failed pull (pullRequiredImages);
//   2. build a service with `build:` when its image is still missing, always with
//      `up --build` or `pull_policy: build`, never with `up --no-build` (then a missing
//      image is an error naming the service);
//   3. services that share an image name share one build (the first of them, by name,
//      that has a build section): it runs once.
// `decide` is the pure part (tested with a fake engine); `ensure` carries it out.

/// How `up` treats build sections: build what is missing (default), always (--build),
/// or never (--no-build).
public enum BuildMode: Sendable, Equatable { case missing, always, never }

public struct ImageOptions: Sendable {
    /// `up --pull`: always, missing or never, over every service's pull_policy.
    public var pull: String?
    public var build: BuildMode = .missing
    public init() {}
}

/// What to do about one image, for the services that use it.
public struct ImageTask: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// It is there: use it.
        case use
        /// Pull it; `orBuild`: build it if the pull fails and it is still missing.
        case pull(orBuild: Bool)
        case build
    }
    public var image: String
    /// Services that run this image, by name.
    public var services: [String]
    /// The service whose build section makes the image (nil: none has one).
    public var builder: String?
    public var action: Action
}

public final class ImageEnsurer: @unchecked Sendable {
    public let engine: ComposeEngine
    public let project: Project
    public let progress: Progress
    /// Environment variables of secrets with an `environment:` source.
    public var environment: (String) -> String?

    public init(engine: ComposeEngine, project: Project, progress: Progress, environment: @escaping (String) -> String?) {
        self.engine = engine
        self.project = project
        self.progress = progress
        self.environment = environment
    }

    /// Group the services by image, and decide for each image. Throws for an image that
    /// must not be pulled nor built and is missing.
    public func decide(_ services: [String], options o: ImageOptions) throws -> [ImageTask] {
        var byImage: [String: [String]] = [:]
        for name in services where project.services[name] != nil {
            byImage[project.imageName(of: project.services[name]!), default: []].append(name)
        }
        var tasks: [ImageTask] = []
        for image in byImage.keys.sorted() {
            let names = byImage[image]!.sorted()
            // Another service (even one not selected) may build the same image (compose's isServiceImageToBuild).
            let builder = names.first { project.services[$0]!.build != nil }
                ?? project.serviceNames.first { project.services[$0]!.build != nil && project.imageName(of: project.services[$0]!) == image }
            let lead = project.services[builder ?? names[0]]!
            let policy = o.pull ?? lead.pullPolicy ?? "missing"
            let present = engine.imageID(image) != nil
            let named = lead.image != nil   // only an image named by `image:` can come from a registry
            let action: ImageTask.Action
            if builder != nil && o.build != .never {
                if o.build == .always || policy == "build" {
                    action = .build
                } else if named && policy == "always" {
                    action = .pull(orBuild: true)
                } else if present {
                    action = .use
                } else if named && policy != "never" {
                    action = .pull(orBuild: true)
                } else {
                    action = .build
                }
            } else {
                if policy == "always" && named {
                    action = .pull(orBuild: false)
                } else if present {
                    action = .use
                } else if builder != nil {
                    // up --no-build: what is missing cannot be made here.
                    guard named && policy != "never" && policy != "build" else {
                        throw ComposeError("image \(image) for service \"\(names[0])\" is missing and --no-build was given: build it first (swiftbox compose build \(builder!))")
                    }
                    action = .pull(orBuild: false)
                } else if policy == "never" || policy == "build" {
                    throw ComposeError("image \(image) of service \"\(names[0])\" is not present and pull_policy is \(policy)")
                } else {
                    action = .pull(orBuild: false)
                }
            }
            tasks.append(ImageTask(image: image, services: names, builder: builder, action: action))
        }
        return tasks
    }

    /// Pull, then build, what `decide` says; the image ID of each service.
    public func ensure(_ services: [String], options: ImageOptions) throws -> [String: String] {
        let tasks = try decide(services, options: options)
        var toBuild: [ImageTask] = []
        for t in tasks {
            guard case .pull(let orBuild) = t.action else {
                if t.action == .build { toBuild.append(t) }
                continue
            }
            progress.emit(" ⠿ \(t.services[0]) Pulling")
            do {
                try engine.pull(t.image)
                progress.done("Image", t.image, "Pulled")
            } catch {
                if orBuild {
                    // As Compose: an image that can be built is built when the pull fails.
                    progress.warn("pulling \(t.image) for service \"\(t.services[0])\" failed, building it: \(error)")
                    if engine.imageID(t.image) == nil { toBuild.append(t) }
                    continue
                }
                progress.failed("Image", t.image)
                throw ComposeError("pull access denied or image not found for \(t.image) (service \(t.services[0])): \(error)")
            }
        }
        for t in toBuild { _ = try build(t.builder!, overrides: BuildOverrides()) }
        var ids: [String: String] = [:]
        for t in tasks {
            guard let id = engine.imageID(t.image) else {
                throw ComposeError("image \(t.image) of service \"\(t.services[0])\" is missing")
            }
            for s in t.services { ids[s] = id }
        }
        return ids
    }

    /// `compose build [SERVICE…]`: build every named service that has a build section (all
    /// of them when none is named), each image once; the image IDs by image name.
    public func buildAll(_ services: [String], overrides: BuildOverrides) throws -> [String: String] {
        for s in services where project.services[s] == nil && project.disabledServices[s] == nil {
            throw ComposeError("no such service: \(s)")
        }
        let names = (services.isEmpty ? project.serviceNames : services.sorted()).filter { project.services[$0]?.build != nil }
        var ids: [String: String] = [:]
        for name in names {
            let image = project.imageName(of: project.services[name]!)
            if ids[image] != nil { continue }
            ids[image] = try build(name, overrides: overrides)
        }
        return ids
    }

    /// Build one service's image; its ID.
    public func build(_ name: String, overrides: BuildOverrides) throws -> String {
        let service = project.services[name]!
        let request = try BuildRequest.make(service, in: project, overrides: overrides, environment: environment)
        for key in request.spec.unsupported {
            progress.warn("service \"\(name)\": build.\(key) is not supported by swiftbox yet: ignored")
        }
        if request.spec.secrets.contains(where: { $0.uid != nil || $0.gid != nil || $0.mode != nil }) {
            progress.warn("secrets `uid`, `gid` and `mode` are not supported by BuildKit, they will be ignored")
        }
        let id: String
        do { id = try engine.build(request) } catch {
            progress.failed("Service", name)
            throw ComposeError("failed to build service \"\(name)\": \(error)")
        }
        progress.done("Service", name, "Built")
        return id
    }
}
