import XCTest
@testable import SwiftboxCompose

/// `build:` in the loader: both forms, every key, the errors (with file, line and key),
/// merging, the image name, and what the config hash leaves out.
final class BuildParsingTests: XCTestCase {
    func testShortFormIsTheContextWithDefaultDockerfile() throws {
        let (p, _) = try load(["compose.yaml": "services:\n  web:\n    build: ./web\n  here:\n    build: .\n"])
        XCTAssertEqual(p.services["web"]!.build?.context, "/p/demo/web")
        XCTAssertEqual(p.services["web"]!.build?.dockerfile, "Dockerfile")
        XCTAssertEqual(p.services["web"]!.build?.dockerfilePath, "/p/demo/web/Dockerfile")
        XCTAssertEqual(p.services["here"]!.build?.context, "/p/demo")
        XCTAssertNil(p.services["web"]!.image)
    }

    func testLongFormEveryKey() throws {
        let yaml = """
        services:
          api:
            image: app:1
            build:
              context: ../api
              dockerfile: docker/Dockerfile.prod
              args:
                A: "1"
                N: 3
                B: true
                FROM_ENV:
                UNSET: ~
              target: prod
              labels: [com.example.team=web, com.example.flag]
              network: none
              no_cache: true
              pull: "true"
              tags: [app:extra, "registry.local/app:2"]
              secrets:
                - token
                - source: key
                  target: api_key
        secrets:
          token: {file: ./token.txt}
          key: {environment: API_KEY}
        """
        let (p, _) = try load(["compose.yaml": yaml], env: ["FROM_ENV": "shell"])
        let b = try XCTUnwrap(p.services["api"]!.build)
        XCTAssertEqual(b.context, "/p/api")
        XCTAssertEqual(b.dockerfile, "docker/Dockerfile.prod")
        XCTAssertEqual(b.dockerfilePath, "/p/api/docker/Dockerfile.prod", "the dockerfile is relative to the context")
        XCTAssertEqual(b.args, ["A": "1", "N": "3", "B": "true", "FROM_ENV": "shell"], "a null value takes the environment's; unset: dropped")
        XCTAssertEqual(b.target, "prod")
        XCTAssertEqual(b.labels, ["com.example.team": "web", "com.example.flag": ""])
        XCTAssertEqual(b.network, "none")
        XCTAssertTrue(b.noCache)
        XCTAssertTrue(b.pull)
        XCTAssertEqual(b.tags, ["app:extra", "registry.local/app:2"])
        XCTAssertEqual(b.secrets.map(\.source), ["token", "key"])
        XCTAssertEqual(b.secrets.map(\.target), [nil, "api_key"], "build secrets get no /run/secrets target")
        XCTAssertEqual(b.unsupported, [])
        XCTAssertEqual(p.imageName(of: p.services["api"]!), "app:1")
    }

    func testArgsListFormTakesNamesFromEnvironmentAndDotEnv() throws {
        let yaml = """
        services:
          web:
            build:
              context: .
              args: [PLAIN=1, EMPTY=, FROM_SHELL, FROM_DOTENV, UNSET, "WITH=EQ=UALS"]
        """
        let (p, _) = try load(["compose.yaml": yaml, ".env": "FROM_DOTENV=dot\nFROM_SHELL=loses\n"], env: ["FROM_SHELL": "shell"])
        XCTAssertEqual(p.services["web"]!.build?.args, ["PLAIN": "1", "EMPTY": "", "FROM_SHELL": "shell", "FROM_DOTENV": "dot", "WITH": "EQ=UALS"])
    }

    func testContextsAreResolvedAsComposeDoes() throws {
        let yaml = """
        services:
          abs: {build: {context: /srv/ctx, dockerfile: /srv/files/Dockerfile}}
          home: {build: ~/ctx}
          git: {build: "https://github.com/example/app.git#main"}
          ssh: {build: "git@github.com:example/app.git"}
          inline: {build: {dockerfile_inline: "FROM busybox\\n"}}
          interpolated: {build: "${DIR:-./fallback}"}
        """
        let (p, _) = try load(["compose.yaml": yaml], env: ["HOME": "/home/dev"])
        XCTAssertEqual(p.services["abs"]!.build?.context, "/srv/ctx")
        XCTAssertEqual(p.services["abs"]!.build?.dockerfilePath, "/srv/files/Dockerfile", "an absolute dockerfile stays")
        XCTAssertEqual(p.services["home"]!.build?.context, "/home/dev/ctx")
        XCTAssertEqual(p.services["git"]!.build?.context, "https://github.com/example/app.git#main", "remote contexts are kept")
        XCTAssertTrue(p.services["git"]!.build!.isRemote)
        XCTAssertTrue(p.services["ssh"]!.build!.isRemote)
        XCTAssertEqual(p.services["inline"]!.build?.context, "/p/demo", "the context defaults to the project directory")
        XCTAssertNil(p.services["inline"]!.build?.dockerfile, "no Dockerfile default with dockerfile_inline")
        XCTAssertNil(p.services["inline"]!.build?.dockerfilePath)
        XCTAssertEqual(p.services["interpolated"]!.build?.context, "/p/demo/fallback")
    }

    func testUnsupportedSpecKeysAreKeptNotRefused() throws {
        let yaml = """
        services:
          web:
            build:
              context: .
              cache_from: [x]
              platforms: [linux/amd64]
              ssh: [default]
        """
        let (p, _) = try load(["compose.yaml": yaml])
        XCTAssertEqual(p.services["web"]!.build?.unsupported, ["cache_from", "platforms", "ssh"])
        XCTAssertNil(try ProjectEncoder.serviceValue(p.services["web"]!)["build"]?["unsupported"], "config does not print the bookkeeping")
    }

    func testErrorsNameFileLineAndKey() {
        var e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      context: .\n      bogus: 1\n"])
        XCTAssertEqual(e?.key, "services.web.build.bogus")
        XCTAssertEqual(e?.location?.line, 5)
        XCTAssertEqual(e?.message, "additional property bogus is not allowed")

        e = loadError(["compose.yaml": "services:\n  web:\n    build: [a]\n"])
        XCTAssertEqual(e?.key, "services.web.build")
        XCTAssertEqual(e?.location?.line, 3)
        XCTAssertEqual(e?.message, "must be a string or a mapping, not a list")

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      args: 3\n"])
        XCTAssertEqual(e?.key, "services.web.build.args")
        XCTAssertEqual(e?.location?.line, 4)
        XCTAssertTrue(e?.message.hasPrefix("must be a mapping or a list") ?? false, e?.message ?? "")

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      no_cache: maybe\n"])
        XCTAssertEqual(e?.key, "services.web.build.no_cache")
        XCTAssertEqual(e?.message, "must be a boolean, not \"maybe\"")

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      tags: app\n"])
        XCTAssertEqual(e?.key, "services.web.build.tags")

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      args: {A: [1]}\n"])
        XCTAssertEqual(e?.key, "services.web.build.args.A")

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      dockerfile: Dockerfile\n      dockerfile_inline: FROM a\n"])
        XCTAssertEqual(e?.key, "services.web.build")
        XCTAssertEqual(e?.location?.line, 5)
        XCTAssertTrue(e?.message.contains("mutually exclusive") ?? false)

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      context: .\n      secrets: [nope]\n"])
        XCTAssertEqual(e?.key, "services.web.build.secrets")
        XCTAssertEqual(e?.location?.line, 5)
        XCTAssertEqual(e?.message, "service \"web\" refers to undefined build secret nope: invalid compose project")

        e = loadError(["compose.yaml": "services:\n  web:\n    build:\n      secrets: [{target: x}]\n"])
        XCTAssertEqual(e?.key, "services.web.build.secrets[0]")
        XCTAssertEqual(e?.message, "source is required")

        e = loadError(["compose.yaml": "services:\n  web:\n    environment: {A: b}\n"])
        XCTAssertEqual(e?.message, "service \"web\" has neither an image nor a build context specified")
    }

    func testBuildWithoutImageIsAccepted() throws {
        // The refusal this replaces: `build is not supported yet`.
        let (p, w) = try load(["compose.yaml": "services:\n  web:\n    build: .\n"])
        XCTAssertNotNil(p.services["web"]!.build)
        XCTAssertEqual(w.messages, [])
    }

    func testImageNameIsProjectDashService() throws {
        let (p, _) = try load(["compose.yaml": "name: shop\nservices:\n  web:\n    build: .\n  db:\n    image: busybox\n  api:\n    image: api:2\n    build: ./api\n"])
        XCTAssertEqual(p.imageName(of: p.services["web"]!), "shop-web")
        XCTAssertEqual(p.imageName(of: p.services["db"]!), "busybox")
        XCTAssertEqual(p.imageName(of: p.services["api"]!), "api:2")
        let ex = Executor(engine: FakeEngine(), project: p, progress: Progress { _ in })
        XCTAssertEqual(ex.spec(for: p.services["web"]!, number: 1, imageID: nil).image, "shop-web", "containers run the built image")
    }

    func testShortAndLongFormsMergeAcrossFiles() throws {
        let base = "services:\n  web:\n    build: ./web\n"
        let over = "services:\n  web:\n    build:\n      target: dev\n      args: [A=1]\n"
        let (p, _) = try load(["compose.yaml": base, "compose.override.yaml": over])
        let b = try XCTUnwrap(p.services["web"]!.build)
        XCTAssertEqual(b.context, "/p/demo/web")
        XCTAssertEqual(b.target, "dev")
        XCTAssertEqual(b.args, ["A": "1"])
        // The other way round: a short form over a long one changes only the context.
        let (q, _) = try load(["a.yaml": over, "b.yaml": "services:\n  web:\n    build: ./other\n"]) { $0.files = ["a.yaml", "b.yaml"] }
        XCTAssertEqual(q.services["web"]!.build?.context, "/p/demo/other")
        XCTAssertEqual(q.services["web"]!.build?.target, "dev")
        // args and labels merge by name whatever their form.
        let (r, _) = try load(["a.yaml": "services:\n  web:\n    build:\n      args: [A=1, B=1]\n      labels: {x: \"1\"}\n",
                               "b.yaml": "services:\n  web:\n    build:\n      args: {B: \"2\"}\n      labels: [y=2]\n"]) { $0.files = ["a.yaml", "b.yaml"] }
        XCTAssertEqual(r.services["web"]!.build?.args, ["A": "1", "B": "2"])
        XCTAssertEqual(r.services["web"]!.build?.labels, ["x": "1", "y": "2"])
    }

    func testConfigHashLeavesBuildOut() throws {
        // As Compose's ServiceHash: a build change recreates through the image ID, not the hash.
        let (a, _) = try load(["compose.yaml": "services:\n  web:\n    build: {context: ., args: [A=1]}\n"])
        let (b, _) = try load(["compose.yaml": "services:\n  web:\n    build: {context: ., args: [A=2]}\n"])
        XCTAssertEqual(ConfigHash.of(a.services["web"]!), ConfigHash.of(b.services["web"]!))
    }

    func testConfigOutputLoadsBackToTheSameBuild() throws {
        let yaml = """
        services:
          web:
            build:
              context: web
              dockerfile_inline: |
                FROM busybox
                RUN echo hi
              args: [A=1, N=]
              labels: [y]
              no_cache: true
              tags: [x:1]
              secrets: [{source: s, target: t}]
        secrets:
          s: {file: s.txt}
        """
        let (p, _) = try load(["compose.yaml": yaml])
        let text = try ProjectEncoder.yaml(p)
        XCTAssertTrue(text.contains("dockerfile_inline: |\n        FROM busybox\n        RUN echo hi\n"), text)
        let (q, _) = try load(["/elsewhere/compose.yaml": text]) { $0.files = ["/elsewhere/compose.yaml"] }
        XCTAssertEqual(q.services["web"]!.build, p.services["web"]!.build)
    }
}
