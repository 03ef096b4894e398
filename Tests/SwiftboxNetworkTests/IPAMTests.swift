import XCTest
@testable import SwiftboxNetwork

final class IPAMTests: XCTestCase {
    func record(_ subnet: String, name: String = "n", range: String? = nil, user: Bool = true) throws -> NetworkRecord {
        let s = try IPv4Subnet(subnet)
        return NetworkRecord(id: String(repeating: "a", count: 64), name: name, created: "", subnet: s, gateway: s.host(1),
                             ipRange: try range.map { try IPv4Subnet($0) }, isInternal: false, labels: [:], bridge: "br-x", userSubnet: user)
    }

    func testPoolsSkipWhatTheHostRoutes() throws {
        XCTAssertEqual(IPAM.defaultPools.first?.description, "172.17.0.0/16")
        XCTAssertEqual(IPAM.defaultPools[15].description, "192.168.0.0/20")
        let taken = [try IPv4Subnet("172.17.0.0/16"), try IPv4Subnet("172.18.5.0/24"), try IPv4Subnet("0.0.0.0/0")]
        XCTAssertEqual(try IPAM.chooseSubnet(taken: taken).description, "172.19.0.0/16", "the default route is ignored")
        XCTAssertThrowsError(try IPAM.chooseSubnet(taken: [try IPv4Subnet("172.0.0.0/8"), try IPv4Subnet("192.168.0.0/16")])) {
            XCTAssertEqual($0 as? NetworkError, .poolExhausted)
        }
    }

    func testNextAddressSkipsGatewayAndUsed() throws {
        var n = try record("10.9.0.0/29")
        XCTAssertEqual(try IPAM.nextAddress(in: n).description, "10.9.0.2")
        n.endpoints["c1"] = Endpoint(containerID: "c1", containerName: "a", address: IPv4Address("10.9.0.2")!, aliases: [])
        n.endpoints["c2"] = Endpoint(containerID: "c2", containerName: "b", address: IPv4Address("10.9.0.4")!, aliases: [])
        XCTAssertEqual(try IPAM.nextAddress(in: n).description, "10.9.0.3")
        for (i, a) in ["10.9.0.3", "10.9.0.5", "10.9.0.6"].enumerated() {
            n.endpoints["x\(i)"] = Endpoint(containerID: "x\(i)", containerName: "x", address: IPv4Address(a)!, aliases: [])
        }
        XCTAssertThrowsError(try IPAM.nextAddress(in: n), "10.9.0.7 is the broadcast address")
        let ranged = try record("10.9.0.0/16", range: "10.9.8.0/24")
        XCTAssertEqual(try IPAM.nextAddress(in: ranged).description, "10.9.8.0")
    }

    func testRequestedAddresses() throws {
        var n = try record("10.9.0.0/24")
        XCTAssertNoThrow(try IPAM.validate(requested: IPv4Address("10.9.0.9")!, in: n))
        XCTAssertThrowsError(try IPAM.validate(requested: IPv4Address("10.9.0.1")!, in: n)) { XCTAssertTrue("\($0)".contains("Address already in use")) }
        XCTAssertThrowsError(try IPAM.validate(requested: IPv4Address("10.8.0.9")!, in: n))
        n.userSubnet = false
        XCTAssertThrowsError(try IPAM.validate(requested: IPv4Address("10.9.0.9")!, in: n)) { XCTAssertEqual($0 as? NetworkError, .ipWithoutSubnet) }
    }

    func testCreateChecksAsDocker() throws {
        let existing = [try record("172.18.0.0/16", name: "one")]
        XCTAssertThrowsError(try IPAM.plan(subnet: "172.18.1.0/24", gateway: nil, ipRange: nil, existing: existing, hostRoutes: [])) {
            XCTAssertTrue("\($0)".hasPrefix("Pool overlaps with other one on this address space"), "\($0)")
        }
        XCTAssertThrowsError(try IPAM.plan(subnet: "10.1.0.0/16", gateway: "10.2.0.1", ipRange: nil, existing: [], hostRoutes: [])) {
            XCTAssertEqual($0 as? NetworkError, .gatewayOutside("10.2.0.1", "10.1.0.0/16"))
        }
        XCTAssertThrowsError(try IPAM.plan(subnet: "10.1.0.0/33", gateway: nil, ipRange: nil, existing: [], hostRoutes: [])) {
            XCTAssertEqual("\($0)", "invalid CIDR address: 10.1.0.0/33")
        }
        XCTAssertThrowsError(try IPAM.plan(subnet: "10.1.0.0/16", gateway: nil, ipRange: "10.3.0.0/24", existing: [], hostRoutes: []))
        let (s, g, r) = try IPAM.plan(subnet: "10.1.0.0/16", gateway: "10.1.255.254", ipRange: "10.1.2.0/24", existing: [], hostRoutes: [])
        XCTAssertEqual([s.description, g.description, r!.description], ["10.1.0.0/16", "10.1.255.254", "10.1.2.0/24"])
        let (auto, _, _) = try IPAM.plan(subnet: nil, gateway: nil, ipRange: nil, existing: existing, hostRoutes: [try IPv4Subnet("172.17.0.0/16")])
        XCTAssertEqual(auto.description, "172.19.0.0/16")
    }

    /// PORTS as `docker ps` prints it (the docker CLI's DisplayablePorts): runs only where
    /// the host port is the container port, other mappings one by one after them.
    func testPsColumnAsDocker() {
        let ip = IPv4Address("172.17.0.2")!
        func p(_ host: String, _ hp: UInt16, _ cp: UInt16, _ proto: String = "tcp") -> PublishedPort {
            PublishedPort(hostIP: host, hostPort: hp, containerIP: ip, containerPort: cp, proto: proto)
        }
        XCTAssertEqual(PublishedPort.psColumn([]), "")
        XCTAssertEqual(PublishedPort.psColumn([p("0.0.0.0", 32769, 81), p("0.0.0.0", 32768, 80)]),
                       "0.0.0.0:32768->80/tcp, 0.0.0.0:32769->81/tcp")
        XCTAssertEqual(PublishedPort.psColumn([p("0.0.0.0", 8001, 8001), p("0.0.0.0", 8000, 8000), p("0.0.0.0", 8080, 80),
                                               p("0.0.0.0", 9000, 9000)]),
                       "0.0.0.0:8000-8001->8000-8001/tcp, 0.0.0.0:9000->9000/tcp, 0.0.0.0:8080->80/tcp")
        XCTAssertEqual(PublishedPort.psColumn([p("127.0.0.1", 53, 53, "udp"), p("127.0.0.1", 53, 53)]),
                       "127.0.0.1:53->53/tcp, 127.0.0.1:53->53/udp")
    }

    func testPortSpecs() throws {
        XCTAssertEqual(try PortRequest.parse("8080:80"), [PortRequest(hostPort: 8080, containerPort: 80)])
        XCTAssertEqual(try PortRequest.parse("127.0.0.1:8080:80/udp"), [PortRequest(hostIP: "127.0.0.1", hostPort: 8080, containerPort: 80, proto: "udp")])
        XCTAssertEqual(try PortRequest.parse("80"), [PortRequest(hostPort: 0, containerPort: 80)])
        XCTAssertEqual(try PortRequest.parse("127.0.0.1::80"), [PortRequest(hostIP: "127.0.0.1", hostPort: 0, containerPort: 80)])
        XCTAssertEqual(try PortRequest.parse("9000-9001:80-81").map { "\($0.hostPort)>\($0.containerPort)" }, ["9000>80", "9001>81"])
        for bad in ["", "x:80", "80/sctp", "1:2:3:4", "9000-9002:80-81", "0", "8080:0", "70000:80", "a.b.c.d:1:2"] {
            XCTAssertThrowsError(try PortRequest.parse(bad), bad)
        }
        XCTAssertEqual(PortRequest.exposed("53/udp"), PortRequest(hostPort: 0, containerPort: 53, proto: "udp"))
        XCTAssertEqual(PublishedPort(hostIP: "0.0.0.0", hostPort: 8080, containerIP: IPv4Address("1.2.3.4")!, containerPort: 80, proto: "tcp").line,
                       "80/tcp -> 0.0.0.0:8080")
    }

    func testRulesetIsolatesNetworksAndInternal() throws {
        var a = try record("172.18.0.0/16", name: "a")
        a.bridge = "br-a"
        var b = try record("172.19.0.0/16", name: "b")
        b.bridge = "br-b"
        b.isInternal = true
        let port = PublishedPort(hostIP: "127.0.0.1", hostPort: 8080, containerIP: IPv4Address("172.18.0.2")!, containerPort: 80, proto: "tcp")
        let text = Firewall.ruleset(table: "swiftbox", networks: [a, b], ports: [port])
        XCTAssertTrue(text.hasPrefix("table ip swiftbox {"))
        XCTAssertTrue(text.contains("elements = { 127.0.0.1 . tcp . 8080 : 172.18.0.2 . 80 }"), text)
        XCTAssertTrue(text.contains("dnat ip to ip daddr . meta l4proto . th dport map @ports_addr"))
        let any = PublishedPort(hostIP: "0.0.0.0", hostPort: 53, containerIP: IPv4Address("172.18.0.3")!, containerPort: 5353, proto: "udp")
        XCTAssertEqual(Firewall.portElements(table: "t", [port, any], delete: false),
                       "add element ip t ports_addr { 127.0.0.1 . tcp . 8080 : 172.18.0.2 . 80 }\n"
                       + "add element ip t ports_any { udp . 53 : 172.18.0.3 . 5353 }\n")
        XCTAssertEqual(Firewall.portElements(table: "t", [port, any], delete: true),
                       "delete element ip t ports_addr { 127.0.0.1 . tcp . 8080 }\n"
                       + "delete element ip t ports_any { udp . 53 }\n")
        XCTAssertTrue(text.contains("ip saddr 172.18.0.0/16 oifname != \"br-a\" masquerade"))
        XCTAssertFalse(text.contains("ip saddr 172.19.0.0/16 oifname != \"br-b\" masquerade"), "internal networks are not NATed out")
        XCTAssertTrue(text.contains("iifname \"br-b\" drop"))
        XCTAssertTrue(text.contains("iifname { \"br-a\", \"br-b\" } oifname { \"br-a\", \"br-b\" } drop"))
    }
}
