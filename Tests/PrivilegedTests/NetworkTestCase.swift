// The base of network tests: nft must be there, and tearDown removes everything a test
// made — containers, networks (bridges, the root's nft table, the default bridge
// included), veths, the test's own "other machine" namespace — also when it failed.
// Traffic only goes to loopback and to namespaces the tests create.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

class NetworkTestCase: EngineTestCase {
    /// The "other machine": a network namespace with a veth to the host.
    var peerNS: String?
    var peerHostLink: String?
    static let image = "busybox-image:latest"

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft") else { throw missingTool("nft is not installed (make deps installs nftables)") }
        try super.setUpWithError()
    }

    override func tearDownWithError() throws {
        if !work.isEmpty {
            let bridges = networkRecords().compactMap { $0["bridge"] as? String }.filter { !$0.isEmpty }
            // The veths of this root: on its bridges, or named after its containers (other
            // roots' containers — other test runs on the machine — are not ours to judge).
            let ids = sbx(["ps", "-aq", "--no-trunc"]).out.split(separator: "\n")
            let names = Set(ids.map { "vsb" + $0.prefix(10) })
            func veths() -> [String] {
                Self.shell(["/usr/sbin/ip", "-o", "link"]).out.split(separator: "\n").compactMap { line in
                    guard let name = line.split(separator: " ").dropFirst().first.map({ String($0.split(separator: "@")[0]) }),
                          name.hasPrefix("vsb") else { return nil }
                    return names.contains(String(name.prefix(13))) || bridges.contains(where: { line.contains(" master \($0) ") }) ? name : nil
                }
            }
            for id in ids { _ = sbx(["rm", "-f", String(id)]) }
            XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "containers left behind")
            // The kernel deletes a container's veth with its namespace, just after it exits.
            eventually("no veth of a container is left") { veths().isEmpty }
            XCTAssertEqual(veths(), [], "veths left behind")
            _ = Self.shell([Self.binary, "system", "prune", "--root", engineRoot, "-f"])
            for b in bridges {
                XCTAssertFalse(linkExists(b), "bridge \(b) left behind")
                _ = Self.shell(["/usr/sbin/ip", "link", "del", b])
            }
            XCTAssertTrue(networkRecords().isEmpty, "network records left behind")
            let tables = Self.shell(["/usr/sbin/nft", "list", "tables"]).out
            XCTAssertFalse(tables.contains(table), "nft table \(table) left behind")
            if tables.contains(table) { _ = Self.shell(["/usr/sbin/nft", "delete", "table", "ip", table]) }
        }
        if let ns = peerNS { _ = Self.shell(["/usr/sbin/ip", "netns", "del", ns]) }
        if let l = peerHostLink { _ = Self.shell(["/usr/sbin/ip", "link", "del", l]) }
        try super.tearDownWithError()
    }

    // MARK: helpers

    /// `network …` commands.
    @discardableResult
    func net(_ args: [String]) -> (status: Int32, out: String, err: String) { sbx(["network"] + args) }

    var table: String {
        // Engine: "swiftbox-" + the first 10 hex of SHA-256(root).
        let r = Self.shell(["/bin/sh", "-c", "printf %s '\(engineRoot)' | sha256sum | cut -c1-10"])
        return "swiftbox-" + r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func networkRecords() -> [[String: Any]] {
        let dir = engineRoot + "/networks"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") && $0 != "ports.json" }.compactMap {
            (try? Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
    }

    func linkExists(_ name: String) -> Bool { Self.shell(["/usr/sbin/ip", "link", "show", name]).status == 0 }

    func address(_ container: String, network: String) -> String? {
        guard let n = networkRecords().first(where: { $0["name"] as? String == network }),
              let eps = n["endpoints"] as? [String: [String: Any]] else { return nil }
        let id = sbx(["inspect", container]).out
        return eps.first(where: { id.contains($0.key) })?.value["address"] as? String
    }

    /// A web server container answering "hello from NAME".
    func startWeb(_ name: String, _ flags: [String]) {
        let r = run(["-d", "--name", name] + flags + [Self.image, "sh", "-c",
                     "mkdir -p /www && echo hello from \(name) > /www/index.html && exec httpd -f -p 80 -h /www"])
        XCTAssertEqual(r.status, 0, r.err)
    }

    /// A shell in a throwaway container on the given network flags; its output.
    func inContainer(_ flags: [String], _ script: String) -> (status: Int32, out: String, err: String) {
        run(["--rm"] + flags + [Self.image, "sh", "-c", script])
    }

    static func httpGet(_ host: String, _ port: String) -> String {
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 \(host) \(port) | tail -n 1"
    }

    /// The "other machine": a namespace with 10.251.N.2/30, the host side 10.251.N.1/30.
    func makePeer() throws -> (ns: String, hostIP: String, peerIP: String) {
        let n = Int.random(in: 1...250)
        let ns = "sbtest\(getpid() % 100000)"
        let hostLink = "sbth\(getpid() % 100000)"
        peerNS = ns
        peerHostLink = hostLink
        let ip = { (a: [String]) in Self.shell(["/usr/sbin/ip"] + a) }
        XCTAssertEqual(ip(["netns", "add", ns]).status, 0)
        XCTAssertEqual(ip(["link", "add", hostLink, "type", "veth", "peer", "name", "eth0", "netns", ns]).status, 0)
        XCTAssertEqual(ip(["addr", "add", "10.251.\(n).1/30", "dev", hostLink]).status, 0)
        XCTAssertEqual(ip(["link", "set", hostLink, "up"]).status, 0)
        XCTAssertEqual(ip(["-n", ns, "addr", "add", "10.251.\(n).2/30", "dev", "eth0"]).status, 0)
        XCTAssertEqual(ip(["-n", ns, "link", "set", "eth0", "up"]).status, 0)
        XCTAssertEqual(ip(["-n", ns, "link", "set", "lo", "up"]).status, 0)
        XCTAssertEqual(ip(["-n", ns, "route", "add", "default", "via", "10.251.\(n).1"]).status, 0)
        return (ns, "10.251.\(n).1", "10.251.\(n).2")
    }
}
