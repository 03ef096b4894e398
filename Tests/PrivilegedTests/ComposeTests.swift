// `swiftbox compose` end to end on the busybox image: up/ps/logs/down, recreate only
// what changed, scale, one-offs, --exit-code-from, depends_on conditions, healthcheck
// gating, restart on failure, named volumes, published ports. Each test has its own
// state root and project directory; teardown removes containers, networks (bridges,
// the nft table) and volumes even when a test fails.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class ComposeTests: EngineTestCase {
    static let image = "busybox-image:latest"
    var projectDir: String { work + "/proj" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(atPath: projectDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if !work.isEmpty {
            _ = compose(["down", "-v", "-t", "0", "--remove-orphans"])
            for id in sbx(["ps", "-aq", "--no-trunc"]).out.split(separator: "\n") { _ = sbx(["rm", "-f", String(id)]) }
            _ = Self.shell([Self.binary, "system", "prune", "--root", engineRoot, "-f"])
        }
        try super.tearDownWithError()
    }

    func write(_ yaml: String, file: String = "compose.yaml") throws {
        try yaml.write(toFile: projectDir + "/" + file, atomically: true, encoding: .utf8)
    }

    /// `swiftbox compose --project-directory DIR -p ct CMD --root ROOT ARGS…`, with extra environment.
    @discardableResult
    func compose(_ args: [String], env: [String] = []) -> (status: Int32, out: String, err: String) {
        let argv = [Self.binary, "compose", "--project-directory", projectDir, "-p", "ct", args[0], "--root", engineRoot] + args.dropFirst()
        return Self.shell(env.isEmpty ? argv : ["/usr/bin/env"] + env + argv)
    }

    func names(_ all: Bool = true) -> [String] {
        compose(["ps", "--format", "json"] + (all ? ["-a"] : [])).out.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["Name"] as? String
        }.sorted()
    }

    func count(_ text: String, _ word: String) -> Int { text.components(separatedBy: word).count - 1 }

    // MARK: tests

    /// `compose up -d` killed at random points, several times: each following `up -d`
    /// converges on the project (three services running, named as Compose names them),
    /// and `down` leaves no container, network or mount of it (issue #15's fault
    /// injection; it found a container that could never start and a race of monitors).
    func testUpKilledAtRandomPointsConvergesAndDownLeavesNothing() throws {
        try write("""
        services:
          a:
            image: \(Self.image)
            command: sleep 300
          b:
            image: \(Self.image)
            command: sleep 300
            depends_on: [a]
          c:
            image: \(Self.image)
            command: sleep 300
        """)
        let began = Date()
        XCTAssertEqual(compose(["up", "-d"]).status, 0)
        let micros = max(1000, Date().timeIntervalSince(began) * 1_000_000)
        XCTAssertEqual(compose(["down", "-t", "0"]).status, 0)
        for i in 0..<8 {
            Self.spawnAndKill([Self.binary, "compose", "--project-directory", projectDir, "-p", "ct", "up", "--root", engineRoot, "-d"],
                              afterMicros: UInt32(micros * Double.random(in: 0.2...1.0)))
            let up = compose(["up", "-d"])
            XCTAssertEqual(up.status, 0, "try \(i): \(up.err)")
            XCTAssertEqual(names(false), ["ct-a-1", "ct-b-1", "ct-c-1"], "try \(i)")
            if i % 2 == 1 {
                // And a down killed half-way, finished by the next down.
                Self.spawnAndKill([Self.binary, "compose", "--project-directory", projectDir, "-p", "ct", "down", "--root", engineRoot, "-t", "0"],
                                  afterMicros: UInt32(micros * Double.random(in: 0.1...0.6)))
                XCTAssertEqual(compose(["down", "-t", "0"]).status, 0, "try \(i)")
                XCTAssertEqual(names(), [], "try \(i): down removed every container")
            }
        }
        XCTAssertEqual(compose(["down", "-t", "0"]).status, 0)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertFalse(sbx(["network", "ls"]).out.contains("ct_default"), "the project's network is gone")
        eventually("no overlay of the project is mounted") { !PrivilegedTestCase.mountinfo().contains(self.engineRoot + "/") }
    }

    func testUpPsLogsRecreateScaleDown() throws {
        try write("""
        services:
          web:
            image: \(Self.image)
            init: true
            command: ["sh", "-c", "echo web ${MSG:-one}; exec sleep 1000"]
          worker:
            image: \(Self.image)
            init: true
            command: ["sh", "-c", "echo working; exec sleep 1000"]
            stop_grace_period: 1s
        """)
        var r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains(" ✔ Container ct-web-1  Started"), r.err)
        XCTAssertEqual(names(false), ["ct-web-1", "ct-worker-1"])
        let ps = compose(["ps"])
        XCTAssertTrue(ps.out.hasPrefix("NAME "), ps.out)
        XCTAssertTrue(ps.out.contains("SERVICE"), ps.out)
        eventually("logs with prefixes") { compose(["logs", "--no-color"]).out.contains("web-1     | web one") }
        XCTAssertEqual(compose(["logs", "--no-log-prefix", "web"]).out, "web one\n")

        // A second up with no change recreates nothing.
        r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(count(r.err, "Created") + count(r.err, "Recreated"), 0, r.err)
        XCTAssertEqual(count(r.err, "Running"), 2, r.err)

        // A changed command (through interpolation) recreates that service only.
        r = compose(["up", "-d"], env: ["MSG=two"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("Container ct-web-1  Recreated"), r.err)
        XCTAssertTrue(r.err.contains("Container ct-worker-1  Running"), r.err)
        eventually("new output") { compose(["logs", "web"]).out.contains("web two") }
        XCTAssertEqual(compose(["up", "-d", "--dry-run"], env: ["MSG=two"]).out,
                       "DRY-RUN MODE -  Container ct-web-1  Running\nDRY-RUN MODE -  Container ct-worker-1  Running\n")

        // Scale up, then down (highest numbers go first).
        r = compose(["up", "-d", "--scale", "worker=3"], env: ["MSG=two"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(names(false), ["ct-web-1", "ct-worker-1", "ct-worker-2", "ct-worker-3"])
        r = compose(["up", "-d", "--scale", "worker=1"], env: ["MSG=two"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("Container ct-worker-3  Removed"), r.err)
        XCTAssertEqual(names(), ["ct-web-1", "ct-worker-1"])

        // pause / unpause through the cgroup freezer.
        XCTAssertEqual(compose(["pause", "worker"]).status, 0)
        XCTAssertTrue(compose(["ps", "worker"]).out.contains("(Paused)"), compose(["ps"]).out)
        XCTAssertEqual(compose(["unpause", "worker"]).status, 0)
        XCTAssertFalse(compose(["ps", "worker"]).out.contains("(Paused)"))
        // top: each container's name, then the table `swiftbox top` prints.
        let top = compose(["top", "worker"])
        XCTAssertTrue(top.out.hasPrefix("ct-worker-1\nUID"), top.out)
        // (init: true) the init and the command it runs.
        XCTAssertEqual(top.out.split(separator: "\n").count, 4, top.out)
        XCTAssertTrue(top.out.contains("sleep 1000"), top.out)

        // stop / start / restart keep the containers.
        XCTAssertEqual(compose(["stop", "-t", "1"]).status, 0)
        XCTAssertEqual(names(false), [])
        XCTAssertEqual(compose(["start"]).status, 0)
        XCTAssertEqual(names(false), ["ct-web-1", "ct-worker-1"])

        // An orphan: the worker left the file.
        try write("services:\n  web:\n    image: \(Self.image)\n    init: true\n    command: [\"sh\", \"-c\", \"echo web ${MSG:-one}; exec sleep 1000\"]\n")
        r = compose(["up", "-d"], env: ["MSG=two"])
        XCTAssertTrue(r.err.contains("Found orphan containers (ct-worker-1)"), r.err)
        r = compose(["up", "-d", "--remove-orphans"], env: ["MSG=two"])
        XCTAssertTrue(r.err.contains("Container ct-worker-1  Removed"), r.err)

        r = compose(["down", "-t", "1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "down removes every container")
        XCTAssertFalse(sbx(["network", "ls"]).out.contains("ct_default"), "down removes the default network")
    }

    func testRunRmOneOffAndExitCodeFrom() throws {
        try write("""
        services:
          tool:
            image: \(Self.image)
            command: ["echo", "default"]
          judge:
            image: \(Self.image)
            command: ["sh", "-c", "echo judging; exit 3"]
          bystander:
            image: \(Self.image)
            init: true
            command: ["sleep", "1000"]
        """)
        var r = compose(["run", "--rm", "-e", "WHO=one-off", "tool", "sh", "-c", "echo hello $WHO; exit 4"])
        XCTAssertEqual(r.status, 4, r.err)
        XCTAssertEqual(r.out, "hello one-off\n")
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "--rm removed the one-off")
        r = compose(["run", "-d", "tool", "sleep", "30"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("ct-tool-run-"), r.out)
        XCTAssertEqual(compose(["ps", "-q"]).out.split(separator: "\n").count, 1, "ps lists one-offs")

        r = compose(["up", "--exit-code-from", "judge", "judge", "bystander"])
        XCTAssertEqual(r.status, 3, r.err + r.out)
        XCTAssertTrue(r.out.hasPrefix("Attaching to ct-bystander-1, ct-judge-1\n"), r.out)
        XCTAssertTrue(r.out.contains("judge-1      | judging"), r.out)
        XCTAssertTrue(r.out.contains("judge-1 exited with code 3"), r.out)
        XCTAssertEqual(names(false).filter { !$0.contains("-run-") }, [], "--abort-on-container-exit stopped the others")

        // Without a compose file, -p works from the labels (as `docker compose -p x down`).
        try FileManager.default.createDirectory(atPath: work + "/empty", withIntermediateDirectories: true)
        XCTAssertTrue(sbx(["compose", "ls", "-a"]).out.contains("ct "), sbx(["compose", "ls", "-a"]).out)
        r = Self.shell([Self.binary, "compose", "--project-directory", work + "/empty", "-p", "ct", "down", "--root", engineRoot, "-t", "0"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "down -p removed every container of the project, one-offs too")
        XCTAssertFalse(sbx(["network", "ls"]).out.contains("ct_default"))
    }

    func testDependsOnConditionsAndVolumes() throws {
        try write("""
        services:
          init:
            image: \(Self.image)
            command: ["sh", "-c", "echo seeded > /data/seed"]
            volumes: ["data:/data"]
          app:
            image: \(Self.image)
            init: true
            command: ["sh", "-c", "cat /data/seed; exec sleep 1000"]
            volumes: ["data:/data:ro"]
            depends_on:
              init: {condition: service_completed_successfully}
        volumes:
          data:
        """)
        var r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.err.split(separator: "\n").map(String.init)
        let exited = lines.firstIndex { $0.contains("ct-init-1  Exited") } ?? -1
        let created = lines.firstIndex { $0.contains("ct-app-1  Created") } ?? -1
        XCTAssertTrue(exited >= 0 && exited < created, "app is created after init completed: \(lines)")
        eventually("the app read the volume") { compose(["logs", "app"]).out.contains("seeded") }
        XCTAssertTrue(sbx(["volume", "ls", "-q"]).out.contains("ct_data"))
        // down keeps named volumes; down -v removes them.
        XCTAssertEqual(compose(["down", "-t", "1"]).status, 0)
        XCTAssertTrue(sbx(["volume", "ls", "-q"]).out.contains("ct_data"))
        XCTAssertEqual(compose(["down", "-v"]).status, 0)
        XCTAssertFalse(sbx(["volume", "ls", "-q"]).out.contains("ct_data"))

        // A dependency that fails stops up with Compose's message; the dependent is not created.
        try write("""
        services:
          init: {image: \(Self.image), command: ["sh", "-c", "exit 2"]}
          app:
            image: \(Self.image)
            command: ["true"]
            depends_on: {init: {condition: service_completed_successfully}}
        """)
        r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("service \"init\" didn't complete successfully: exit 2"), r.err)
        XCTAssertFalse(names().contains("ct-app-1"))
    }

    func testHealthGatingRestartAndPorts() throws {
        let port = 20000 + Int(getpid() % 20000)
        try write("""
        services:
          cache:
            image: \(Self.image)
            init: true
            command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 1000"]
            healthcheck:
              test: ["CMD", "test", "-f", "/tmp/ready"]
              interval: 300ms
              start_period: 10s
              start_interval: 100ms
          web:
            image: \(Self.image)
            init: true
            command: ["sh", "-c", "mkdir -p /www; echo hello-compose > /www/index.html; exec httpd -f -p 8080 -h /www"]
            ports: ["127.0.0.1:\(port):8080"]
            depends_on: {cache: {condition: service_healthy}}
          flaky:
            image: \(Self.image)
            restart: on-failure
            command: ["sh", "-c", "if [ -f /state/ran ]; then exec sleep 1000; fi; touch /state/ran; exit 1"]
            volumes: ["state:/state"]
          sick:
            image: \(Self.image)
            init: true
            profiles: [sick]
            command: ["sleep", "1000"]
            healthcheck: {test: ["CMD", "false"], interval: 200ms, retries: 1}
          needs-sick:
            image: \(Self.image)
            profiles: [sick]
            command: ["true"]
            depends_on: {sick: {condition: service_healthy}}
        volumes:
          state:
        """)
        var r = compose(["up", "-d"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.err.split(separator: "\n").map(String.init)
        let healthy = lines.firstIndex { $0.contains("ct-cache-1  Healthy") } ?? -1
        let web = lines.firstIndex { $0.contains("ct-web-1  Started") } ?? -1
        XCTAssertTrue(healthy >= 0 && healthy < web, "web starts once cache is healthy: \(lines)")
        XCTAssertTrue(compose(["ps"]).out.contains("(healthy)"))
        XCTAssertTrue(compose(["ps"]).out.contains("127.0.0.1:\(port)->8080/tcp"), compose(["ps"]).out)
        XCTAssertEqual(compose(["port", "web", "8080"]).out, "127.0.0.1:\(port)\n")
        let curl = Self.shell(["/usr/bin/curl", "-s", "--max-time", "5", "http://127.0.0.1:\(port)/"])
        XCTAssertEqual(curl.out, "hello-compose\n", "the published port answers on loopback")
        // restart: on-failure brings the crashed service back.
        eventually("flaky restarted and running", seconds: 15) {
            compose(["ps", "--format", "json", "flaky"]).out.contains("\"State\":\"running\"")
        }
        // An unhealthy dependency: exit 1 with Compose's message.
        r = compose(["up", "-d"], env: ["COMPOSE_PROFILES=sick"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("dependency failed to start: container ct-sick-1 is unhealthy"), r.err)
    }

    func testReplicasReachableByServiceName() throws {
        try write("""
        services:
          web:
            image: \(Self.image)
            init: true
            command: ["sh", "-c", "mkdir -p /www; hostname > /www/index.html; exec httpd -f -p 8080 -h /www"]
          client:
            image: \(Self.image)
            init: true
            command: ["sleep", "1000"]
        """)
        var r = compose(["up", "-d", "--scale", "web=3"])
        XCTAssertEqual(r.status, 0, r.err)
        r = compose(["exec", "client", "nslookup", "web"])
        XCTAssertEqual(count(r.out, "Name:"), 3, "the service name resolves to its 3 replicas: \(r.out)")
        r = compose(["exec", "client", "wget", "-qO-", "http://web:8080/"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.count, 13, "a replica answered with its hostname: \(r.out)")
        XCTAssertEqual(compose(["exec", "--index", "2", "web", "hostname"]).out.count, 13)
    }

    func testSecretsAndConfigs() throws {
        try "s3cret\n".write(toFile: projectDir + "/token.txt", atomically: true, encoding: .utf8)
        try write("""
        services:
          app:
            image: \(Self.image)
            command: ["sh", "-c", "cat /run/secrets/token /etc/app.conf /run/secrets/fromenv; stat -c %a /etc/app.conf"]
            secrets: [token, fromenv]
            configs: [{source: appconf, target: /etc/app.conf, mode: 0440}]
        secrets:
          token: {file: ./token.txt}
          fromenv: {environment: SECRET_VALUE}
        configs:
          appconf: {content: "level=debug"}
        """)
        let r = compose(["run", "--rm", "app"], env: ["SECRET_VALUE=from-the-env"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "s3cret\nlevel=debugfrom-the-env440\n")
    }

    func testConfigAndErrors() throws {
        try write("services:\n  web:\n    image: \(Self.image)\n    environment:\n      - A=${A:-x}\n")
        var r = compose(["config", "--format", "json"], env: ["A=y"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("\"A\" : \"y\""), r.out)
        XCTAssertEqual(compose(["config", "--services"]).out, "web\n")
        try write("services:\n  web:\n    image: x\n    depends_on: [db]\n")
        r = compose(["config", "-q"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("compose.yaml:4:"), r.err)
        XCTAssertTrue(r.err.contains("depends on undefined service \"db\""), r.err)
        XCTAssertTrue(compose(["version"]).out.hasPrefix("swiftbox compose version v"))
    }
}
