// Bridge networking end to end: user networks, isolation, published ports from
// 127.0.0.1, from "another machine" (a namespace this test makes, joined to the host
// by a veth) and from another container, the embedded DNS, and bad input. Traffic
// only goes to loopback and to namespaces the test created. Everything is removed in
// tearDown, also when a test fails: containers, networks (bridges, the nft table),
// the test's own namespace.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class NetworkTests: NetworkTestCase {
    // MARK: tests

    func testUserNetworkReachAndIsolation() {
        XCTAssertEqual(net(["create", "front"]).status, 0)
        XCTAssertEqual(net(["create", "back"]).status, 0)
        startWeb("web", ["--network", "front", "--network-alias", "www"])
        let ip = address("web", network: "front") ?? "?"
        eventually("web answers on its own network") { inContainer(["--network", "front"], Self.httpGet(ip, "80")).out == "hello from web\n" }
        // Another network: neither ping nor TCP gets through.
        let other = inContainer(["--network", "back"], "ping -c 1 -W 1 \(ip) >/dev/null 2>&1; echo ping=$?; " + Self.httpGet(ip, "80"))
        XCTAssertEqual(other.out, "ping=1\n", other.err)
        // Two networks: eth0 and eth1, and the second reaches web too.
        let both = inContainer(["--network", "back", "--network", "front"], "ip -o -4 addr show | awk '{print $2}' | sort | tr '\\n' ' '; " + Self.httpGet(ip, "80"))
        XCTAssertEqual(both.out, "eth0 eth1 lo hello from web\n", both.err)
        // connect/disconnect a running container: eth1 appears, and web is reached through it.
        XCTAssertEqual(run(["-d", "--name", "late", "--network", "back", Self.image, "sleep", "60"]).status, 0)
        XCTAssertEqual(net(["connect", "--alias", "tardy", "front", "late"]).status, 0)
        XCTAssertEqual(sbx(["exec", "late", "sh", "-c", Self.httpGet(ip, "80")]).out, "hello from web\n")
        XCTAssertEqual(net(["disconnect", "front", "late"]).status, 0)
        XCTAssertNotEqual(sbx(["exec", "late", "sh", "-c", "ip link show eth1"]).status, 0)
        XCTAssertTrue(net(["disconnect", "front", "late"]).err.contains("is not connected to network front"))
        XCTAssertEqual(net(["rm", "front"]).err.trimmingCharacters(in: .whitespacesAndNewlines),
                       "swiftbox: error while removing network: network front id \(networkRecords().first { $0["name"] as? String == "front" }?["id"] as? String ?? "") has active endpoints")
    }

    /// A fake upstream resolver in the test's own namespace: answers every A query
    /// with 10.9.8.7 (python3, run with `ip netns exec`). Returns its pid.
    func startFakeUpstream(ns: String, ip: String) -> pid_t {
        let script = """
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("\(ip)", 53))
        while True:
            q, a = s.recvfrom(512)
            end = 12
            while q[end] != 0: end += q[end] + 1
            question = q[12:end + 5]
            r = q[:2] + b"\\x81\\x80\\x00\\x01\\x00\\x01\\x00\\x00\\x00\\x00" + question
            r += b"\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x00\\x3c\\x00\\x04" + bytes([10, 9, 8, 7])
            s.sendto(r, a)
        """
        let path = work + "/fake-dns.py"
        FileManager.default.createFile(atPath: path, contents: Data(script.utf8))
        var pid: pid_t = 0
        let argv = ["/usr/sbin/ip", "netns", "exec", ns, "/usr/bin/python3", path]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        XCTAssertEqual(posix_spawn(&pid, argv[0], nil, nil, &cargs, environ), 0)
        return pid
    }

    func testEmbeddedDNSNamesAliasesNXDOMAINAndForwarding() throws {
        XCTAssertEqual(net(["create", "dnsnet"]).status, 0)
        XCTAssertEqual(run(["-d", "--name", "db", "--network", "dnsnet", "--network-alias", "database", Self.image, "sleep", "60"]).status, 0)
        let ip = address("db", network: "dnsnet") ?? "?"
        let look = inContainer(["--network", "dnsnet"], "nslookup -type=a db | grep ^Address | tail -n 1; nslookup -type=a database | grep ^Address | tail -n 1; nslookup nosuchname 2>&1 | grep -c NXDOMAIN")
        XCTAssertEqual(look.out, "Address: \(ip)\nAddress: \(ip)\n2\n", look.err)
        // By name over TCP too (what users do): the container reaches db by its name.
        startWeb("named", ["--network", "dnsnet"])
        eventually("web reached by name") { inContainer(["--network", "dnsnet"], Self.httpGet("named", "80")).out == "hello from named\n" }
        // The default bridge has no embedded DNS (as Docker's): names do not resolve there.
        XCTAssertFalse(inContainer(["--network", "bridge"], "cat /etc/resolv.conf").out.contains("172.17.0.1"))
        // Other names go to the container's --dns server: a fake one in the test's namespace.
        let peer = try makePeer()
        let fake = startFakeUpstream(ns: peer.ns, ip: peer.peerIP)
        defer { kill(fake, SIGTERM); var st: Int32 = 0; waitpid(fake, &st, 0) }
        eventually("forwarded to the fake upstream") {
            inContainer(["--network", "dnsnet", "--dns", peer.peerIP], "nslookup -type=a www.example.test | grep ^Address | tail -n 1").out == "Address: 10.9.8.7\n"
        }
        // The server goes away with the last container of its network.
        XCTAssertEqual(sbx(["rm", "-f", "db", "named"]).status, 0)
        eventually("the DNS server exits") { !Self.shell(["/bin/ps", "-eo", "args"]).out.contains("dns-serve --root \(engineRoot)") }
    }

    /// A removed network's DNS server goes with it. It used to linger up to two seconds
    /// with the gateway address bound, and a network made meanwhile on the same subnet
    /// had nobody answering its names (the flake of ComposeTests' replica test).
    func testDNSOfANetworkMadeRightAfterARemovedOneOnTheSameSubnet() {
        for round in 1...3 {
            XCTAssertEqual(net(["create", "--subnet", "10.246.0.0/24", "old\(round)"]).status, 0)
            XCTAssertEqual(run(["-d", "--name", "a\(round)", "--network", "old\(round)", Self.image, "sleep", "60"]).status, 0)
            XCTAssertEqual(sbx(["rm", "-f", "a\(round)"]).status, 0)
            XCTAssertEqual(net(["rm", "old\(round)"]).status, 0)
            XCTAssertEqual(net(["create", "--subnet", "10.246.0.0/24", "new\(round)"]).status, 0)
            XCTAssertEqual(run(["-d", "--name", "web\(round)", "--network", "new\(round)", Self.image, "sleep", "60"]).status, 0)
            let look = inContainer(["--network", "new\(round)"], "nslookup -type=a web\(round) | grep -c ^Name")
            XCTAssertEqual(look.out, "1\n", "round \(round): \(look.err)")
            XCTAssertEqual(sbx(["rm", "-f", "web\(round)"]).status, 0)
            XCTAssertEqual(net(["rm", "new\(round)"]).status, 0)
        }
    }

    func testModesNoneHostAndContainer() {
        XCTAssertEqual(inContainer(["--network", "none"], "ls /sys/class/net | tr '\\n' ' '").out, "lo ")
        let hostLinks = Set(Self.shell(["/bin/ls", "/sys/class/net"]).out.split(separator: "\n"))
        let seen = Set(inContainer(["--network", "host"], "ls /sys/class/net").out.split(separator: "\n"))
        XCTAssertTrue(seen.isSuperset(of: hostLinks.intersection(["lo", "eth0"])), "host mode sees the host's links: \(seen)")
        startWeb("shared", ["--network", "bridge"])
        eventually("container: mode shares the namespace (127.0.0.1 reaches shared's httpd)") {
            inContainer(["--network", "container:shared"], Self.httpGet("127.0.0.1", "80")).out == "hello from shared\n"
        }
    }

    func testPublishedPortsFromLoopbackOtherMachineAndContainers() throws {
        XCTAssertEqual(net(["create", "pub"]).status, 0)
        startWeb("pubweb", ["--network", "pub", "-p", "127.0.0.1::80", "-p", "80"])
        let lines = sbx(["port", "pubweb"]).out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        let local = lines.first { $0.contains("127.0.0.1:") }?.split(separator: ":").last.map(String.init) ?? "?"
        let any = lines.first { $0.contains("0.0.0.0:") }?.split(separator: ":").last.map(String.init) ?? "?"
        eventually("127.0.0.1:\(local) answers") { Self.shell(["/usr/bin/curl", "-s", "-m", "3", "http://127.0.0.1:\(local)/"]).out == "hello from pubweb\n" }
        XCTAssertEqual(Self.shell(["/usr/bin/curl", "-s", "-m", "3", "http://127.0.0.1:\(any)/"]).out, "hello from pubweb\n")
        // From another machine, through the host's address on its link; the server sees the client's own address.
        let peer = try makePeer()
        let remote = Self.shell(["/usr/sbin/ip", "netns", "exec", peer.ns, "/usr/bin/curl", "-s", "-m", "3", "http://\(peer.hostIP):\(any)/"])
        XCTAssertEqual(remote.out, "hello from pubweb\n", remote.err)
        // From containers, through the host port (hairpin): same network and the default bridge.
        let gw = (networkRecords().first { $0["name"] as? String == "pub" }?["gateway"] as? String) ?? "?"
        XCTAssertEqual(inContainer(["--network", "pub"], Self.httpGet(gw, any)).out, "hello from pubweb\n")
        XCTAssertEqual(inContainer(["--network", "bridge"], Self.httpGet(peer.hostIP, any)).out, "hello from pubweb\n")
        // A port that is taken: a clear error, and nothing created.
        let taken = run(["-d", "--name", "clash", "--network", "bridge", "-p", "127.0.0.1:\(local):80", Self.image, "true"])
        XCTAssertEqual(taken.status, 125)
        XCTAssertTrue(taken.err.contains("address already in use"), taken.err)
        XCTAssertFalse(sbx(["ps", "-a"]).out.contains("clash"))
        // Stopping the container drops the rules and frees the port.
        XCTAssertEqual(sbx(["stop", "-t", "1", "pubweb"]).status, 0)
        XCTAssertFalse(Self.shell(["/usr/sbin/nft", "list", "table", "ip", table]).out.contains("dport \(any)"))
        XCTAssertEqual(sbx(["port", "pubweb"]).out, "")
    }

    /// The busybox rootfs plus a static UDP echo server (busybox's nc has no -u here),
    /// imported as udp:1 with EXPOSE 80/tcp 9999/udp.
    func importUDPImage() {
        let rootfs = work + "/udp-rootfs"
        XCTAssertEqual(Self.shell(["/bin/cp", "-a", Self.sharedRootfs! + "/rootfs", rootfs]).status, 0)
        let cc = Self.shell(["/usr/bin/gcc", "-static", "-O1", "-o", rootfs + "/bin/udp-echo", Self.packageRoot + "/rootfs-fixtures/probes/udp-echo.c"])
        XCTAssertEqual(cc.status, 0, cc.err)
        let tar = work + "/udp-rootfs.tar"
        XCTAssertEqual(Self.shell(["/bin/tar", "-C", rootfs, "-cf", tar, "."]).status, 0)
        XCTAssertEqual(sbx(["import", "--change", "EXPOSE 80/tcp 9999/udp", tar, "udp:1"]).status, 0)
    }

    /// Send one datagram from the host and return the answer (python3: no UDP nc here).
    static func udpExchange(_ host: String, _ port: String, _ text: String) -> String {
        let py = "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1); "
            + "s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])));\ntry: print(s.recv(2048).decode())\nexcept Exception: pass"
        return shell(["/usr/bin/python3", "-c", py, host, port, text]).out
    }

    func testUDPAndPublishAll() throws {
        importUDPImage()
        let r = run(["-d", "--name", "udp", "--network", "bridge", "-p", "127.0.0.1::9999/udp", "udp:1", "udp-echo", "9999"])
        XCTAssertEqual(r.status, 0, r.err)
        let port = sbx(["port", "udp", "9999/udp"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(port.hasPrefix("127.0.0.1:"), port)
        let hostPort = port.split(separator: ":").last.map(String.init) ?? "?"
        eventually("the datagram is answered") { Self.udpExchange("127.0.0.1", hostPort, "hello udp") == "echo: hello udp\n" }
        XCTAssertTrue(sbx(["logs", "udp"]).out.contains("hello udp"))
        // -P: every EXPOSEd port on a random host port.
        let p = run(["-d", "--name", "exposed", "--network", "bridge", "-P", "udp:1", "udp-echo", "9999"])
        XCTAssertEqual(p.status, 0, p.err)
        let lines = sbx(["port", "exposed"]).out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        guard lines.count == 2 else { return }
        XCTAssertTrue(lines[0].hasPrefix("80/tcp -> 0.0.0.0:") && lines[1].hasPrefix("9999/udp -> 0.0.0.0:"), "\(lines)")
        let udpPort = lines[1].split(separator: ":").last.map(String.init) ?? "?"
        eventually("the -P port answers") { Self.udpExchange("127.0.0.1", udpPort, "via -P") == "echo: via -P\n" }
    }

    func testInternalNetworkHasNoEgress() throws {
        let peer = try makePeer()
        XCTAssertEqual(net(["create", "--internal", "sealed"]).status, 0)
        XCTAssertEqual(net(["create", "open"]).status, 0)
        XCTAssertEqual(inContainer(["--network", "open"], "ping -c 1 -W 2 \(peer.peerIP) >/dev/null; echo $?").out, "0\n", "a normal network reaches out (NAT)")
        XCTAssertEqual(inContainer(["--network", "sealed"], "ping -c 1 -W 2 \(peer.peerIP) >/dev/null 2>&1; echo $?").out, "1\n")
        XCTAssertEqual(inContainer(["--network", "sealed"], "ip route | grep -c default").out, "0\n")
    }

    func testRestartKeepsAddressAndConcurrentRunsNeverShareOne() {
        XCTAssertEqual(net(["create", "--subnet", "10.250.0.0/24", "crowd"]).status, 0)
        XCTAssertEqual(run(["-d", "--name", "keep", "--network", "crowd", Self.image, "sleep", "60"]).status, 0)
        let before = address("keep", network: "crowd")
        XCTAssertEqual(sbx(["restart", "-t", "1", "keep"]).status, 0)
        XCTAssertEqual(address("keep", network: "crowd"), before)
        XCTAssertEqual(sbx(["exec", "keep", "sh", "-c", "ip -o -4 addr show eth0 | awk '{print $4}'"]).out, "\(before ?? "?")/24\n")
        let group = DispatchGroup()
        for i in 0..<20 {
            group.enter()
            DispatchQueue.global().async {
                _ = self.run(["-d", "--name", "n\(i)", "--network", "crowd", Self.image, "sleep", "60"])
                group.leave()
            }
        }
        group.wait()
        let eps = (networkRecords().first { $0["name"] as? String == "crowd" }?["endpoints"] as? [String: [String: Any]]) ?? [:]
        let addrs = eps.values.compactMap { $0["address"] as? String }
        XCTAssertEqual(addrs.count, 21)
        XCTAssertEqual(Set(addrs).count, 21, "an address was handed out twice: \(addrs.sorted())")
        // And each container really has the address the record says.
        let inside = Set((0..<20).map { sbx(["exec", "n\($0)", "sh", "-c", "ip -o -4 addr show eth0 | awk '{print $4}'"]).out })
        XCTAssertEqual(inside.count, 20)
    }

    /// After a reboot the records survive but the bridge and the nft table do not: the
    /// next container on the network makes them again.
    func testNetworkComesBackAfterItsBridgeAndRulesVanish() {
        XCTAssertEqual(net(["create", "phoenix"]).status, 0)
        let bridge = (networkRecords().first { $0["name"] as? String == "phoenix" }?["bridge"] as? String) ?? "?"
        XCTAssertEqual(Self.shell(["/usr/sbin/ip", "link", "del", bridge]).status, 0)
        XCTAssertEqual(Self.shell(["/usr/sbin/nft", "delete", "table", "ip", table]).status, 0)
        startWeb("risen", ["--network", "phoenix", "-p", "127.0.0.1::80"])
        XCTAssertTrue(linkExists(bridge))
        let port = sbx(["port", "risen", "80"]).out.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
        eventually("the published port works again") {
            Self.shell(["/usr/bin/curl", "-s", "-m", "3", "http://127.0.0.1:\(port)/"]).out == "hello from risen\n"
        }
    }

    func testBadInput() {
        XCTAssertEqual(net(["create", "--subnet", "10.249.0.0/16", "first"]).status, 0)
        let cases: [([String], String)] = [
            (["create", "--subnet", "10.249.3.0/24", "overlap"], "Pool overlaps with other one on this address space"),
            (["create", "--subnet", "10.249.0/16", "badcidr"], "invalid CIDR address: 10.249.0/16"),
            (["create", "--subnet", "10.248.0.0/16", "--gateway", "10.9.0.1", "badgw"], "invalid gateway 10.9.0.1"),
            (["create", "--subnet", "10.247.0.0/16", "first"], "network with name first already exists"),
            (["rm", "bridge"], "bridge is a pre-defined network and cannot be removed"),
            (["inspect", "nope"], "network nope not found"),
        ]
        for (args, message) in cases {
            let r = net(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.err.contains(message), "\(args): \(r.err)")
        }
        XCTAssertEqual(networkRecords().count, 1, "no failed create left a network")
        let unknown = run(["--rm", "--network", "nope", Self.image, "true"])
        XCTAssertEqual(unknown.status, 125)
        XCTAssertTrue(unknown.err.contains("network nope not found"), unknown.err)
        XCTAssertEqual(run(["-d", "--name", "twice", "--network", "first", Self.image, "sleep", "30"]).status, 0)
        let again = net(["connect", "first", "twice"])
        XCTAssertTrue(again.err.contains("endpoint with name twice already exists in network first"), again.err)
        let badIP = run(["--rm", "--network", "first", "--ip", "10.1.1.1", Self.image, "true"])
        XCTAssertEqual(badIP.status, 125)
        XCTAssertTrue(badIP.err.contains("10.1.1.1"), badIP.err)
        XCTAssertEqual(sbx(["ps", "-aq"]).out.split(separator: "\n").count, 1, "failed runs left no container")
    }
}
