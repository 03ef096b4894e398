// Docker's networking defaults, the ones users and scripts count on: a container that
// names no network is on `bridge`; `lo` is up in every mode; `-P` and `-p 80` take the
// first free ports from the start of ip_local_port_range; `network ls` lists bridge,
// host and none from the start; any user may ping and bind ports below 1024 in a
// network namespace of the container's own.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class NetworkDefaultsTests: NetworkTestCase {
    /// A web server on 127.0.0.1:8080 in the container, and a fetch of it through
    /// `localhost`: works only if the container's `lo` is up. (No `wget -T`: the
    /// busybox-static of Debian 12 crashes with it.)
    static let selfFetch = "mkdir -p /www && echo self > /www/index.html && httpd -p 127.0.0.1:8080 -h /www && "
        + "ip -o addr show lo | grep -c -e 'inet 127.0.0.1/8' -e 'inet6 ::1/128'; wget -q -O - http://localhost:8080/"

    func testLoopbackIsUpInEveryMode() {
        XCTAssertEqual(net(["create", "user"]).status, 0)
        for flags in [["--network", "none"], [], ["--network", "bridge"], ["--network", "user"]] {
            let r = inContainer(flags, Self.selfFetch)
            XCTAssertEqual(r.out, "2\nself\n", "\(flags): lo up with 127.0.0.1/8 and ::1, localhost reachable: \(r.err)")
        }
        // A sidecar in another container's namespace reaches it on localhost, also when
        // that container has no network (a `--network none` container used to have lo down).
        XCTAssertEqual(run(["-d", "--name", "main", "--network", "none", Self.image, "sh", "-c",
                            "mkdir -p /www && echo main > /www/index.html && exec httpd -f -p 127.0.0.1:80 -h /www"]).status, 0)
        eventually("the sidecar reaches main on localhost") {
            inContainer(["--network", "container:main"], "wget -q -O - http://localhost/").out == "main\n"
        }
        // The OCI runtime alone: a bundle whose config asks for a new network namespace.
        let bundle = try? self.bundle(["/bin/sh", "-c", "ip -o addr show lo | grep -c 'inet 127.0.0.1/8'"])
        let oci = sb(["run", "--bundle", bundle ?? "", newID()])
        XCTAssertEqual(oci.out, "1\n", "swiftbox oci run: lo up in a new network namespace: \(oci.err)")
    }

    /// Docker 20.10 sets net.ipv4.ping_group_range to "0 2147483647" and
    /// ip_unprivileged_port_start to 0 unless the network is the host's (what its dockerd
    /// prints here): a user other than root pings (ICMP datagram sockets; Alpine's
    /// busybox uses them when a raw socket is refused) and serves port 80 without
    /// capabilities.
    func testAnyUserMayPingAndBindLowPortsUnlessOnTheHostNetwork() throws {
        let alpine = try loadAlpine()
        let script = "cat /proc/sys/net/ipv4/ping_group_range /proc/sys/net/ipv4/ip_unprivileged_port_start; "
            + "ping -c 1 -W 2 127.0.0.1 >/dev/null && echo pinged; (nc -l -p 80 &) ; sleep 0.3; netstat -ltn | grep -c ':80 '"
        for flags in [["--network", "none"], ["--network", "bridge"]] {
            let r = run(["--rm"] + flags + ["--user", "1000:1000", "--cap-drop", "NET_RAW", alpine, "sh", "-c", script])
            XCTAssertEqual(r.out, "0\t2147483647\n0\npinged\n1\n", "\(flags): \(r.err)")
        }
        let host = inContainer(["--network", "host"], "cat /proc/sys/net/ipv4/ip_unprivileged_port_start").out
        XCTAssertEqual(host, (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding: .utf8)) ?? "?",
                       "the host's namespace is left as it is")
    }

    func testANetworkIsBridgeWhenNoneIsNamed() {
        let r = inContainer([], "ip -o -4 addr show eth0 | awk '{print $4}'; ip link show eth0 | awk '/ether/ {print $2}'; ip route | awk '/^default/ {print $3}'")
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, "eth0 with an address, a MAC and a default route: \(r.out) \(r.err)")
        guard lines.count == 3, let bridge = networkRecords().first(where: { $0["name"] as? String == "bridge" }),
              let subnet = bridge["subnet"] as? String, let gateway = bridge["gateway"] as? String else {
            return XCTFail("the default network bridge was made: \(networkRecords())")
        }
        // Docker's numbering: gateway .1, the first container .2, MAC 02:42 + the IPv4 bytes.
        let prefix = subnet.split(separator: "/")[0].split(separator: ".").prefix(2).joined(separator: ".")
        XCTAssertEqual(gateway, prefix + ".0.1")
        XCTAssertEqual(lines[0], prefix + ".0.2/16")
        let bytes = (prefix + ".0.2").split(separator: ".").map { String(format: "%02x", Int($0)!) }
        XCTAssertEqual(lines[1], "02:42:" + bytes.joined(separator: ":"))
        XCTAssertEqual(lines[2], gateway)
        // 172.17.0.0/16 first, as Docker — unless the host already uses it (a docker0, or
        // another root's bridge): no other link of the host has an address in our subnet.
        let ours = bridge["bridge"] as? String ?? "?"
        let others = Self.shell(["/usr/sbin/ip", "-o", "-4", "addr", "show"]).out.split(separator: "\n")
            .filter { !$0.contains(" \(ours) ") && $0.contains(" inet \(prefix).") }
        XCTAssertEqual(others, [], "the default network's \(subnet) collides with a host address")
        if !Self.shell(["/usr/sbin/ip", "-4", "route", "show", "table", "all"]).out.contains("172.17.") || prefix == "172.17" {
            XCTAssertEqual(subnet, "172.17.0.0/16")
        }
        // `--network none` still has only lo.
        XCTAssertEqual(inContainer(["--network", "none"], "ls /sys/class/net | tr '\\n' ' '").out, "lo ")
    }

    /// Whether the test can bind a TCP port on 0.0.0.0 right now (nothing holds it).
    func portIsFree(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    func testPublishedPortsWithoutHostPortTakeConsecutiveFreePortsFromTheRangeStart() throws {
        let range = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let start = UInt16(range.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })[0])!
        var ports: [UInt16] = []
        for name in ["first", "second"] {
            startWeb(name, ["-p", "80"])
            let line = sbx(["port", name, "80"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
            ports.append(UInt16(line.split(separator: ":").last ?? "") ?? 0)
        }
        XCTAssertGreaterThanOrEqual(ports[0], start, "\(ports)")
        XCTAssertGreaterThan(ports[1], ports[0], "\(ports)")
        // Every port skipped is held by someone (on an idle machine: 32768 and 32769).
        guard ports[0] >= start, ports[1] > ports[0] else { return }
        let skippedFree = (start..<ports[0]).prefix(200).filter(portIsFree) + ((ports[0] + 1)..<ports[1]).filter(portIsFree)
        XCTAssertEqual(skippedFree, [], "free ports were skipped for \(ports)")
        eventually("the first published port answers") {
            Self.shell(["/usr/bin/curl", "-s", "-m", "3", "http://127.0.0.1:\(ports[0])/"]).out == "hello from first\n"
        }
        // ps shows them as Docker does.
        XCTAssertTrue(sbx(["ps"]).out.contains("0.0.0.0:\(ports[0])->80/tcp"), sbx(["ps"]).out)
    }

    func testNetworkLsListsBridgeHostAndNoneFromTheStart() {
        let ls = net(["ls"])
        let rows = ls.out.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertEqual(rows.map { $0.count > 2 ? "\($0[1]) \($0[2])" : "" }, ["bridge bridge", "host host", "none null"], ls.out)
        XCTAssertEqual(networkRecords().count, 0, "listing made no network")
        XCTAssertFalse(ls.out.isEmpty)
        let bridgeID = net(["ls", "-q", "--no-trunc", "--filter", "name=bridge"]).out
        XCTAssertEqual(bridgeID.count, 65, bridgeID)
        // host and none answer `inspect` with Docker's drivers and no IPAM config.
        let inspect = net(["inspect", "host", "none"])
        XCTAssertEqual(inspect.status, 0, inspect.err)
        let json = (try? JSONSerialization.jsonObject(with: Data(inspect.out.utf8))) as? [[String: Any]] ?? []
        XCTAssertEqual(json.map { $0["Driver"] as? String ?? "" }, ["host", "null"], inspect.out)
        // rm refuses all three; create refuses their names.
        for name in ["bridge", "host", "none"] {
            XCTAssertTrue(net(["rm", name]).err.contains("\(name) is a pre-defined network and cannot be removed"), name)
        }
        XCTAssertNotEqual(net(["create", "bridge"]).status, 0)
        // The bridge's ID stays the same once its first container made it.
        XCTAssertEqual(inContainer([], "true").status, 0)
        XCTAssertEqual(networkRecords().first?["id"] as? String, bridgeID.trimmingCharacters(in: .whitespacesAndNewlines))
        let after = net(["inspect", "bridge"])
        XCTAssertTrue(after.out.contains("\"Subnet\""), after.out)
    }
}
