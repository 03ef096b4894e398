import Foundation
import XCTest
@testable import SwiftboxCompose

/// An engine that only has images: some present, some a registry would give, and every
/// build recorded (its image gets an ID derived from the request's args).
final class ImageEngine: ComposeEngine, @unchecked Sendable {
    var images: [String: String] = [:]
    var registry: Set<String> = []
    var pulls: [String] = []
    var builds: [BuildRequest] = []
    var removed: [String] = []

    func list(labels: [String: String]) throws -> [ContainerSummary] { [] }
    func inspect(_ id: String) -> ContainerSummary? { nil }
    func imageID(_ reference: String) -> String? { images[reference] }
    func pull(_ reference: String) throws {
        pulls.append(reference)
        guard registry.contains(reference) else { throw ComposeError("pull access denied for \(reference)") }
        images[reference] = "sha256:pulled-" + reference
    }
    func build(_ request: BuildRequest) throws -> String {
        builds.append(request)
        let id = "sha256:built-" + request.args.keys.sorted().map { "\($0)=\(request.args[$0]!)" }.joined(separator: ",")
        for t in request.tags { images[t] = id }
        return id
    }
    func removeImage(_ reference: String) throws { removed.append(reference); images[reference] = nil }
    func create(_ spec: ContainerSpec) throws -> (id: String, warnings: [String]) { ("x", []) }
    func start(_ id: String) throws {}
    func stop(_ id: String, timeout: Int?) throws {}
    func kill(_ id: String, signal: String) throws {}
    func remove(_ id: String, force: Bool) throws {}
    func wait(_ id: String) -> Int32 { 0 }
}

final class ImageEnsurerTests: XCTestCase {
    static let yaml = """
    services:
      web:
        build: ./web
      worker:
        build:
          context: ./web
          args: [ROLE=worker]
        image: demo-web
      api:
        image: registry.local/api:1
        build: ./api
      db:
        image: busybox
      tool:
        build: ./tool
        pull_policy: build
    """

    func ensurer(_ engine: ImageEngine, yaml: String = ImageEnsurerTests.yaml, env: [String: String] = [:]) throws -> (ImageEnsurer, [String]) {
        let p = try load(["compose.yaml": yaml]).0
        var lines: [String] = []
        let lock = NSLock()
        let progress = Progress { line in lock.lock(); lines.append(line); lock.unlock() }
        let e = ImageEnsurer(engine: engine, project: p, progress: progress, environment: { env[$0] })
        return (e, lines)
    }

    func actions(_ tasks: [ImageTask]) -> [String: ImageTask.Action] {
        Dictionary(uniqueKeysWithValues: tasks.map { ($0.image, $0.action) })
    }

    func testMissingImagesAreBuiltOrPulledAsComposeDoes() throws {
        let engine = ImageEngine()
        engine.images = ["busybox": "sha256:bb"]
        let (e, _) = try ensurer(engine)
        let tasks = try e.decide(e.project.serviceNames, options: ImageOptions())
        XCTAssertEqual(actions(tasks), [
            "demo-web": .build,                          // no image: built
            "registry.local/api:1": .pull(orBuild: true), // image + build: pulled, built when the pull fails
            "busybox": .use,
            "demo-tool": .build,                         // pull_policy: build
        ])
        let shared = tasks.first { $0.image == "demo-web" }!
        XCTAssertEqual(shared.services, ["web", "worker"], "services sharing an image share one task")
        XCTAssertEqual(shared.builder, "web", "the first of them with a build section builds it")
    }

    func testPresentImagesAreUsedUnlessBuildIsForced() throws {
        let engine = ImageEngine()
        engine.images = ["busybox": "sha256:bb", "demo-web": "sha256:w", "registry.local/api:1": "sha256:a", "demo-tool": "sha256:t"]
        let (e, _) = try ensurer(engine)
        var o = ImageOptions()
        XCTAssertEqual(actions(try e.decide(e.project.serviceNames, options: o)),
                       ["demo-web": .use, "registry.local/api:1": .use, "busybox": .use, "demo-tool": .build])
        o.build = .always
        XCTAssertEqual(actions(try e.decide(e.project.serviceNames, options: o)),
                       ["demo-web": .build, "registry.local/api:1": .build, "busybox": .use, "demo-tool": .build])
        o.build = .never
        XCTAssertEqual(actions(try e.decide(e.project.serviceNames, options: o)),
                       ["demo-web": .use, "registry.local/api:1": .use, "busybox": .use, "demo-tool": .use], "--no-build wins over pull_policy: build")
        o.build = .missing
        o.pull = "always"
        XCTAssertEqual(actions(try e.decide(e.project.serviceNames, options: o)),
                       ["demo-web": .use, "registry.local/api:1": .pull(orBuild: true), "busybox": .pull(orBuild: false), "demo-tool": .use],
                       "--pull always pulls named images; a built one has no registry")
    }

    func testNoBuildWithAMissingImageNamesTheService() throws {
        let engine = ImageEngine()
        let (e, _) = try ensurer(engine, yaml: "services:\n  web:\n    build: ./web\n")
        var o = ImageOptions()
        o.build = .never
        XCTAssertThrowsError(try e.ensure(["web"], options: o)) { error in
            XCTAssertEqual("\(error)", "image demo-web for service \"web\" is missing and --no-build was given: build it first (swiftbox compose build web)")
        }
        XCTAssertEqual(engine.builds.count, 0)
        XCTAssertEqual(engine.pulls, [], "a name made from the project is never pulled")
    }

    func testEnsureBuildsSharedImageOnceAndFallsBackFromAFailedPull() throws {
        let engine = ImageEngine()
        engine.images = ["busybox": "sha256:bb"]
        let (e, _) = try ensurer(engine)
        let ids = try e.ensure(e.project.serviceNames, options: ImageOptions())
        // By image name: demo-tool, demo-web, then registry.local/api:1 once its pull failed.
        XCTAssertEqual(engine.builds.map(\.service), ["tool", "web", "api"])
        XCTAssertEqual(engine.pulls, ["registry.local/api:1"])
        XCTAssertEqual(ids["web"], ids["worker"], "one build for both")
        XCTAssertEqual(ids["db"], "sha256:bb")
        XCTAssertEqual(Set(ids.keys), ["web", "worker", "api", "db", "tool"])
        XCTAssertTrue(e.progress.lines.contains(" ✔ Service web  Built"), "\(e.progress.lines)")
        XCTAssertTrue(e.progress.lines.contains { $0.hasPrefix("WARN[0000] pulling registry.local/api:1 for service \"api\" failed, building it") })
    }

    func testPulledImageIsNotBuilt() throws {
        let engine = ImageEngine()
        engine.registry = ["registry.local/api:1"]
        let (e, _) = try ensurer(engine)
        let ids = try e.ensure(["api"], options: ImageOptions())
        XCTAssertEqual(ids["api"], "sha256:pulled-registry.local/api:1")
        XCTAssertEqual(engine.builds.count, 0)
    }

    func testPullPolicyNeverOrBuildWithoutABuildIsAnError() throws {
        let engine = ImageEngine()
        let (e, _) = try ensurer(engine, yaml: "services:\n  a:\n    image: x\n    pull_policy: never\n  b:\n    image: y\n    pull_policy: build\n")
        XCTAssertThrowsError(try e.ensure(["a"], options: ImageOptions())) { XCTAssertEqual("\($0)", "image x of service \"a\" is not present and pull_policy is never") }
        XCTAssertThrowsError(try e.ensure(["b"], options: ImageOptions())) { XCTAssertEqual("\($0)", "image y of service \"b\" is not present and pull_policy is build") }
    }

    func testComposeBuildBuildsEverySectionOnceWithOverrides() throws {
        let engine = ImageEngine()
        engine.images = ["demo-web": "sha256:old"]
        let (e, _) = try ensurer(engine)
        var o = BuildOverrides()
        o.noCache = true
        o.args = ["ROLE": "cli", "EXTRA": "1"]
        let ids = try e.buildAll([], overrides: o)
        XCTAssertEqual(engine.builds.map(\.service), ["api", "tool", "web"], "every build section, by name; worker shares web's image")
        XCTAssertEqual(Set(ids.keys), ["registry.local/api:1", "demo-tool", "demo-web"])
        XCTAssertTrue(engine.builds.allSatisfy(\.noCache))
        XCTAssertEqual(engine.builds[2].args, ["ROLE": "cli", "EXTRA": "1"], "--build-arg wins")
        engine.builds = []
        _ = try e.buildAll(["worker", "db"], overrides: BuildOverrides())
        XCTAssertEqual(engine.builds.map(\.service), ["worker"], "a named service without build is skipped")
        XCTAssertEqual(engine.builds[0].args, ["ROLE": "worker"])
        XCTAssertThrowsError(try e.buildAll(["nope"], overrides: BuildOverrides())) { XCTAssertEqual("\($0)", "no such service: nope") }
    }

    func testBuildRequestCarriesComposeDecisions() throws {
        let yaml = """
        name: shop
        services:
          web:
            image: shop/web:2
            build:
              context: ./web
              labels: {team: a}
              tags: [shop/web:latest, "shop/web:2"]
              pull: true
              secrets:
                - token
                - source: key
                  target: api_key
              cache_from: [x]
        secrets:
          token: {file: ./token.txt}
          key: {environment: API_KEY}
          ext: {external: true}
        """
        let engine = ImageEngine()
        let (e, _) = try ensurer(engine, yaml: yaml, env: ["API_KEY": "s3cret"])
        let r = try BuildRequest.make(e.project.services["web"]!, in: e.project, environment: e.environment)
        XCTAssertEqual(r.tags, ["shop/web:2", "shop/web:latest"], "the image name first, not twice")
        XCTAssertEqual(r.image, "shop/web:2")
        XCTAssertEqual(r.labels, ["team": "a", ComposeLabel.project: "shop", ComposeLabel.service: "web", ComposeLabel.version: ComposeLabel.composeVersion])
        XCTAssertTrue(r.pull)
        XCTAssertFalse(r.noCache)
        XCTAssertEqual(r.secrets, ["token": .path("/p/demo/token.txt"), "api_key": .content("s3cret")], "the ID is the target when given")
        _ = try e.build("web", overrides: BuildOverrides())
        XCTAssertTrue(e.progress.lines.contains("WARN[0000] service \"web\": build.cache_from is not supported by swiftbox yet: ignored"), "\(e.progress.lines)")

        var p = e.project
        p.services["web"]!.build!.secrets = [FileReference(source: "ext")]
        XCTAssertThrowsError(try BuildRequest.make(p.services["web"]!, in: p, environment: { _ in nil })) {
            XCTAssertEqual("\($0)", "services.web.build.secrets: build.secrets only supports environment or file-based secrets: \"ext\"")
        }
        p.services["web"]!.build!.context = "https://github.com/example/app.git"
        XCTAssertThrowsError(try BuildRequest.make(p.services["web"]!, in: p, environment: { _ in nil })) {
            XCTAssertTrue("\($0)".contains("remote build contexts are not supported"))
        }
    }

    func testFailedBuildNamesTheService() throws {
        final class Failing: ComposeEngine, @unchecked Sendable {
            func list(labels: [String: String]) throws -> [ContainerSummary] { [] }
            func inspect(_ id: String) -> ContainerSummary? { nil }
            func imageID(_ reference: String) -> String? { nil }
            func pull(_ reference: String) throws {}
            func build(_ request: BuildRequest) throws -> String { throw ComposeError("process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3") }
            func create(_ spec: ContainerSpec) throws -> (id: String, warnings: [String]) { ("x", []) }
            func start(_ id: String) throws {}
            func stop(_ id: String, timeout: Int?) throws {}
            func kill(_ id: String, signal: String) throws {}
            func remove(_ id: String, force: Bool) throws {}
            func wait(_ id: String) -> Int32 { 0 }
        }
        let p = try load(["compose.yaml": "services:\n  web:\n    build: .\n"]).0
        let e = ImageEnsurer(engine: Failing(), project: p, progress: Progress { _ in }, environment: { _ in nil })
        XCTAssertThrowsError(try e.ensure(["web"], options: ImageOptions())) {
            XCTAssertEqual("\($0)", "failed to build service \"web\": process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3")
        }
        XCTAssertTrue(e.progress.lines.contains(" ✘ Service web  Error"))
    }

    func testDownRemovesLocalOrAllImages() throws {
        let engine = ImageEngine()
        engine.images = ["demo-web": "a", "registry.local/api:1": "b", "busybox": "c", "demo-tool": "d"]
        let p = try load(["compose.yaml": Self.yaml]).0
        let ex = Executor(engine: engine, project: p, progress: Progress { _ in })
        try ex.removeImages(all: false)
        XCTAssertEqual(engine.removed.sorted(), ["demo-tool", "demo-web"], "local: the images named after the project")
        try ex.removeImages(all: true)
        XCTAssertEqual(engine.removed.sorted(), ["busybox", "demo-tool", "demo-web", "registry.local/api:1"])
    }
}
