import XCTest
@testable import SwiftboxCompose

final class ServiceParsingTests: XCTestCase {
    func testShortAndLongForms() throws {
        let yaml = """
        services:
          web:
            image: busybox
            command: httpd -f -p "8080"
            entrypoint: ["/bin/sh", "-c"]
            ports:
              - "8080:80"
              - "127.0.0.1:9000-9001:90-91/udp"
              - 3000
              - "[::1]:53:53/udp"
              - target: 443
                published: "8443"
                host_ip: 0.0.0.0
            volumes:
              - data:/data
              - ./site:/www:ro
              - /var/log
              - type: tmpfs
                target: /cache
                tmpfs: {size: 64m}
            networks:
              front:
                aliases: [www]
                ipv4_address: 10.5.0.5
              back:
            depends_on:
              db:
                condition: service_healthy
                restart: true
              cache:
                condition: service_started
                required: false
            healthcheck:
              test: wget -q -O- http://localhost/
              interval: 1m30s
              timeout: 500ms
              retries: 3
              start_period: 10s
            deploy:
              replicas: 2
              resources:
                limits: {cpus: "0.5", memory: 128M, pids: 100}
              restart_policy: {condition: on-failure, max_attempts: 3}
            ulimits:
              nofile: {soft: 1024, hard: 2048}
              nproc: 65535
            stop_grace_period: 1m
            mem_limit: 1g
            extra_hosts: ["somehost:162.242.195.82", "other=1.2.3.4"]
            secrets: [token, {source: cert, target: /etc/cert.pem, mode: 0440}]
            labels: [a=b]
            shm_size: 64m
            devices: ["/dev/fuse", "/dev/kvm:/dev/kvm:rw"]
          db:
            image: busybox
          cache:
            image: busybox
            profiles: [extra]
        networks:
          front:
          back:
            external: true
        volumes:
          data:
        secrets:
          token: {environment: TOKEN}
          cert: {file: ./cert.pem}
        """
        let (p, _) = try load(["compose.yaml": yaml])
        let w = try XCTUnwrap(p.services["web"])
        XCTAssertEqual(w.command, ["httpd", "-f", "-p", "8080"])
        XCTAssertEqual(w.entrypoint, ["/bin/sh", "-c"])
        XCTAssertEqual(w.ports.map(\.publishSpec), ["8080:80/tcp", "127.0.0.1:9000:90/udp", "127.0.0.1:9001:91/udp", "3000/tcp", "[::1]:53:53/udp", "0.0.0.0:8443:443/tcp"])
        XCTAssertEqual(w.volumes.map(\.type), ["volume", "bind", "volume", "tmpfs"])
        XCTAssertEqual(w.volumes[1].source, "/p/demo/site")
        XCTAssertTrue(w.volumes[1].readOnly)
        XCTAssertNil(w.volumes[2].source)
        XCTAssertEqual(w.volumes[3].tmpfs?.size, 64 << 20)
        XCTAssertEqual(w.networks["front"]?.aliases, ["www"])
        XCTAssertEqual(w.networks["front"]?.ipv4Address, "10.5.0.5")
        XCTAssertNotNil(w.networks["back"])
        XCTAssertEqual(w.dependsOn["db"], Dependency(condition: .serviceHealthy, restart: true))
        XCTAssertNil(w.dependsOn["cache"], "optional dependency on a disabled service is dropped")
        XCTAssertEqual(w.healthcheck?.test, ["CMD-SHELL", "wget -q -O- http://localhost/"])
        XCTAssertEqual(w.healthcheck?.interval, 90)
        XCTAssertEqual(w.healthcheck?.timeout, 0.5)
        XCTAssertEqual(w.replicas, 2)
        XCTAssertEqual(w.deploy?.resources?.limits?.memory, 128 << 20)
        XCTAssertEqual(w.deploy?.resources?.limits?.cpus, 0.5)
        XCTAssertEqual(w.deploy?.restartPolicy?.maxAttempts, 3)
        XCTAssertEqual(w.ulimits["nproc"], Ulimit(soft: 65535, hard: 65535))
        XCTAssertEqual(w.stopGracePeriod, 60)
        XCTAssertEqual(w.memLimit, 1 << 30)
        XCTAssertEqual(w.extraHosts, ["somehost:162.242.195.82", "other:1.2.3.4"])
        XCTAssertEqual(w.secrets[0].target, "/run/secrets/token")
        XCTAssertEqual(w.secrets[1].mode, 0o440)
        XCTAssertEqual(w.labels["a"], "b")
        XCTAssertEqual(w.unsupported, ["shm_size"])
        XCTAssertEqual(w.devices, ["/dev/fuse", "/dev/kvm:/dev/kvm:rw"])
        XCTAssertEqual(p.networks["front"]?.name, "demo_front")
        XCTAssertEqual(p.networks["back"]?.name, "back", "external networks keep their name")
        XCTAssertEqual(p.networks["default"]?.name, "demo_default", "db joins the default network")
        XCTAssertEqual(p.volumes["data"]?.name, "demo_data")
        XCTAssertEqual(p.secrets["cert"]?.file, "/p/demo/cert.pem")
        XCTAssertEqual(Set(p.disabledServices.keys), ["cache"])
        XCTAssertEqual(p.services["db"]?.networks.keys.sorted(), ["default"])
    }

    func testProfiles() throws {
        let yaml = "services:\n  a: {image: x}\n  b: {image: x, profiles: [debug]}\n  c: {image: x, profiles: [tools, debug]}\n"
        XCTAssertEqual(try load(["compose.yaml": yaml]).0.serviceNames, ["a"])
        XCTAssertEqual(try load(["compose.yaml": yaml]) { $0.profiles = ["tools"] }.0.serviceNames, ["a", "c"])
        XCTAssertEqual(try load(["compose.yaml": yaml], env: ["COMPOSE_PROFILES": "debug"]).0.serviceNames, ["a", "b", "c"])
        XCTAssertEqual(try load(["compose.yaml": yaml]) { $0.enabledServices = ["b"] }.0.serviceNames, ["a", "b"])
        XCTAssertEqual(try load(["compose.yaml": yaml]).0.allProfiles, ["debug", "tools"])
    }

    func testShellWords() {
        XCTAssertEqual(ShellWords.split(#"sh -c 'echo "hi there"' x\ y"#), ["sh", "-c", #"echo "hi there""#, "x y"])
        XCTAssertEqual(ShellWords.split(#"a "" b"#), ["a", "", "b"])
        XCTAssertNil(ShellWords.split("a 'b"))
    }

    func testDurationsAndSizes() {
        XCTAssertEqual(NodeReader.parseDuration("1h2m3s"), 3723)
        XCTAssertEqual(NodeReader.parseDuration("1.5s"), 1.5)
        XCTAssertEqual(NodeReader.parseDuration("10"), 10)
        XCTAssertNil(NodeReader.parseDuration("10x"))
        XCTAssertEqual(NodeReader.parseBytes("512m"), 512 << 20)
        XCTAssertEqual(NodeReader.parseBytes("1.5GB"), 3 << 29)
    }

    func testExtends() throws {
        let yaml = """
        services:
          base:
            image: busybox
            environment: {A: "1", B: "1"}
            cap_add: [NET_ADMIN]
          web:
            extends: base
            environment: {B: "2"}
            cap_add: [SYS_TIME]
          other:
            extends: {file: common.yaml, service: tool}
        """
        let (p, _) = try load(["compose.yaml": yaml, "common.yaml": "services:\n  tool:\n    image: alpine\n    command: [\"true\"]\n"])
        XCTAssertEqual(p.services["web"]!.environment, ["A": "1", "B": "2"])
        XCTAssertEqual(p.services["web"]!.capAdd, ["NET_ADMIN", "SYS_TIME"])
        XCTAssertEqual(p.services["other"]!.image, "alpine")
        XCTAssertEqual(p.services["other"]!.command, ["true"])
        XCTAssertNotNil(loadError(["compose.yaml": "services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n"]))
    }

    func testConfigOutputIsStable() throws {
        let yaml = "services:\n  web:\n    image: busybox\n    environment: [A=1]\n    ports: [\"80\"]\n    read_only: true\n"
        let (p, _) = try load(["compose.yaml": yaml])
        let out = try ProjectEncoder.yaml(p)
        XCTAssertTrue(out.contains("name: demo"), out)
        XCTAssertTrue(out.contains("A: \"1\""), out)
        XCTAssertTrue(out.contains("read_only: true"), out)
        XCTAssertTrue(out.contains("name: demo_default"), out)
        // Printing and loading the output again gives the same project.
        let (again, _) = try load(["compose.yaml": out])
        XCTAssertEqual(again.services, p.services)
        XCTAssertEqual(try ProjectEncoder.yaml(again), out)
        let json = try ProjectEncoder.json(p)
        XCTAssertTrue(json.contains("\"read_only\" : true"), json)
    }

    func testConfigHash() throws {
        var s = Service(name: "web")
        s.image = "busybox"
        let h = ConfigHash.of(s)
        XCTAssertEqual(h.count, 64)
        // A service without devices hashes as before devices existed: nil is not encoded.
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(s), as: UTF8.self).contains("devices"))
        s.scale = 3
        XCTAssertEqual(ConfigHash.of(s), h, "scale does not change the hash")
        s.command = ["true"]
        XCTAssertNotEqual(ConfigHash.of(s), h)
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
