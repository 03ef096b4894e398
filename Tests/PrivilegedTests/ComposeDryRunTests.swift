// `compose up --dry-run` (docs/narration.md): after the plan, the networks and volumes
// the project would create and each container's start as `run --dry-run` narrates it,
// in dependency order — and nothing of it made: the state root, the links, the nft
// tables, the cgroups and the mount table are as they were.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class ComposeDryRunTests: NetworkTestCase {
    var projectDir: String { work + "/proj" }

    override func tearDownWithError() throws {
        if !work.isEmpty {
            _ = compose(["down", "-v", "-t", "0"])
        }
        try super.tearDownWithError()
    }

    @discardableResult
    func compose(_ args: [String]) -> (status: Int32, out: String, err: String) {
        Self.shell([Self.binary, "compose", "--project-directory", projectDir, "-p", "dry", args[0], "--root", engineRoot] + args.dropFirst())
    }

    func tree() -> [String] { (FileManager.default.enumerator(atPath: engineRoot)?.allObjects as? [String] ?? []).sorted() }

    /// The words of `text` that start with `prefix` (up to a space, comma or `}`).
    static func words(_ text: String, _ prefix: String) -> Set<String> {
        Set(text.split(whereSeparator: { " ,}\n".contains($0) }).filter { $0.hasPrefix(prefix) }.map(String.init))
    }

    func testUpDryRunNarratesEachContainerInDependencyOrderAndMakesNothing() throws {
        try FileManager.default.createDirectory(atPath: projectDir, withIntermediateDirectories: true)
        try """
        services:
          web:
            image: \(Self.image)
            command: sleep 300
            depends_on: [db]
            ports: ["127.0.0.1:18396:80"]
            mem_limit: 64m
          db:
            image: \(Self.image)
            command: sleep 300
            volumes: ["data:/data"]
            networks:
              default: {priority: 10}
              back: {}
        networks:
          back: {}
        volumes:
          data: {}
        """.write(toFile: projectDir + "/compose.yaml", atomically: true, encoding: .utf8)
        let before = tree()
        let r = compose(["up", "-d", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.err)
        // Nothing made. (Other test runs on this machine make links and cgroups of their
        // own meanwhile: what is checked is what this narration names.)
        XCTAssertEqual(tree(), before, "the state root changed")
        XCTAssertFalse(PrivilegedTestCase.mountinfo().contains(engineRoot))
        let links = Set(Self.shell(["/usr/sbin/ip", "-o", "link"]).out.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst().first }
            .map { String($0.split(separator: "@")[0].dropLast($0.hasSuffix(":") ? 1 : 0)) })
        let named = Self.words(r.out, "br-").union(Self.words(r.out, "vs"))
        XCTAssertFalse(named.isEmpty, r.out)
        XCTAssertTrue(named.isDisjoint(with: links), "made: \(named.intersection(links))")
        let ids = r.out.split(separator: "\n").filter { $0.hasPrefix("ID=") }.map { String($0.dropFirst(3)) }
        XCTAssertEqual(ids.count, 2, r.out)
        for h in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            for id in ids { XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\(h)/swiftbox/\(id)"), "cgroup made in \(h)") }
        }
        for table in Self.words(r.out, "swiftbox-") {
            XCTAssertNotEqual(Self.shell(["/usr/sbin/nft", "list", "table", "ip", table]).status, 0, "nft table \(table) made")
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(sbx(["network", "ls", "-q", "--filter", "name=dry_"]).out, "")
        XCTAssertEqual(sbx(["volume", "ls", "-q"]).out, "")

        // docker compose's lines first, then the narration.
        XCTAssertTrue(r.out.hasPrefix("DRY-RUN MODE -  "), r.out)
        let sections = r.out.split(separator: "\n").filter { $0.hasPrefix("# ") && !$0.hasPrefix("# swiftbox") }.map(String.init)
        XCTAssertEqual(sections.map { $0.split(separator: ":")[0] }, ["# Network dry_back", "# Network dry_default", "# Volume dry_data",
                                                                      "# Container dry-db-1", "# Container dry-web-1"], r.out)
        // Each container narrated whole: overlay, veth, cgroup limit, clone, monitor.
        let web = String(r.out[r.out.range(of: "# Container dry-web-1")!.lowerBound...])
        for expected in ["mount -t overlay", "veth pair into dry_default", "echo 67108864 > /sys/fs/cgroup/", "nft add element",
                         "clone → execve sleep 300", "wait for the container"] {
            XCTAssertTrue(web.contains(expected), "no \"\(expected)\" in web's narration:\n\(web)")
        }
        // The project's networks are made by their own step, not again by each container.
        XCTAssertTrue(r.out.contains("swiftbox network create dry_back"), r.out)
        XCTAssertFalse(web.contains("ip link add br-"), web)
        XCTAssertTrue(r.out.contains("swiftbox volume create dry_data"), r.out)
        XCTAssertTrue(r.out.contains("swiftbox network connect --alias db dry_back dry-db-1"), r.out)
        // Two containers on dry_default are not given the same address.
        let addresses = r.out.split(separator: "\n").filter { $0.contains("# IPAM: ") }.map { $0.split(separator: " ")[2] }
        XCTAssertEqual(addresses.count, 2, r.out)
        XCTAssertEqual(Set(addresses).count, 2, r.out)

        // What it said is what up then does: the same networks, volume and containers.
        let up = compose(["up", "-d"])
        XCTAssertEqual(up.status, 0, up.err)
        XCTAssertEqual(sbx(["network", "ls", "--format", "{{.Name}}", "--filter", "name=dry_"]).out.split(separator: "\n").sorted(), ["dry_back", "dry_default"])
        XCTAssertEqual(sbx(["ps", "--format", "{{.Names}}"]).out.split(separator: "\n").sorted(), ["dry-db-1", "dry-web-1"])
        // Once up, a dry run has nothing to narrate.
        let again = compose(["up", "-d", "--dry-run"])
        XCTAssertEqual(again.out, "DRY-RUN MODE -  Container dry-db-1  Running\nDRY-RUN MODE -  Container dry-web-1  Running\n")
    }

    /// network_mode: service:X — the container joins the namespace of X's, which the dry
    /// run cannot know the pid of yet: the path the start would use, with a placeholder.
    func testUpDryRunNarratesJoiningAServicesNetwork() throws {
        try FileManager.default.createDirectory(atPath: projectDir, withIntermediateDirectories: true)
        try """
        services:
          web:
            image: \(Self.image)
            command: sleep 300
          side:
            image: \(Self.image)
            command: sleep 300
            network_mode: service:web
        """.write(toFile: projectDir + "/compose.yaml", atomically: true, encoding: .utf8)
        let r = compose(["up", "-d", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.err)
        let sections = r.out.split(separator: "\n").filter { $0.hasPrefix("# Container") }.map { String($0.split(separator: ":")[0]) }
        XCTAssertEqual(sections, ["# Container dry-web-1", "# Container dry-side-1"], r.out)
        let side = String(r.out[r.out.range(of: "# Container dry-side-1")!.lowerBound...])
        XCTAssertTrue(side.contains("join the network namespace of dry-web-1"), side)
        XCTAssertTrue(side.contains("/proc/<pid of dry-web-1>/ns/net"), side)
        XCTAssertTrue(side.contains("network=/proc/<pid of dry-web-1>/ns/net"), "the spec points there:\n\(side)")
        XCTAssertFalse(side.contains("veth pair"), side)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")

        // Then up does it: side sees web's interfaces.
        XCTAssertEqual(compose(["up", "-d"]).status, 0)
        let ns = { (c: String) in self.sbx(["exec", c, "readlink", "/proc/self/ns/net"]).out }
        XCTAssertEqual(ns("dry-side-1"), ns("dry-web-1"))
        XCTAssertFalse(ns("dry-web-1").isEmpty)
    }
}
