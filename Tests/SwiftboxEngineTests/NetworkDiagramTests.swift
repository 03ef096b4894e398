// `network inspect --diagram` of a known set-up, against a golden file
// (Golden/network-diagram.dot). SWIFTBOX_UPDATE_GOLDEN=1 rewrites it; review the diff.
import XCTest
import SwiftboxEngine
import SwiftboxNetwork

final class NetworkDiagramTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden/network-diagram.dot"

    static func knownSetUp() throws -> String {
        let web = String(repeating: "a1", count: 32), db = String(repeating: "b2", count: 32), old = String(repeating: "c3", count: 32)
        var bridge = NetworkRecord(id: String(repeating: "d4", count: 32), name: "bridge", created: "", subnet: try IPv4Subnet("172.17.0.0/16"),
                                   gateway: IPv4Address("172.17.0.1")!, ipRange: nil, isInternal: false, labels: [:],
                                   bridge: "sbr0123456789", userSubnet: false)
        var backend = NetworkRecord(id: String(repeating: "e5", count: 32), name: "backend", created: "", subnet: try IPv4Subnet("10.9.0.0/24"),
                                    gateway: IPv4Address("10.9.0.1")!, ipRange: nil, isInternal: true, labels: [:],
                                    bridge: "br-e5e5e5e5e5e5", userSubnet: true)
        bridge.endpoints[web] = Endpoint(containerID: web, containerName: "web", address: IPv4Address("172.17.0.2")!, aliases: [])
        bridge.endpoints[old] = Endpoint(containerID: old, containerName: "old", address: IPv4Address("172.17.0.3")!, aliases: [])
        backend.endpoints[web] = Endpoint(containerID: web, containerName: "web", address: IPv4Address("10.9.0.2")!, aliases: [])
        backend.endpoints[db] = Endpoint(containerID: db, containerName: "db", address: IPv4Address("10.9.0.3")!, aliases: ["database"])
        let containers = [
            NetworkDiagram.Container(id: web, name: "web", running: true, networkIDs: [bridge.id, backend.id]),
            NetworkDiagram.Container(id: db, name: "db", running: true, networkIDs: [backend.id]),
            NetworkDiagram.Container(id: old, name: "old", running: false, networkIDs: [bridge.id]),
            NetworkDiagram.Container(id: String(repeating: "f6", count: 32), name: "alone", running: true, networkIDs: []),
        ]
        let ports = [web: [PublishedPort(hostIP: "0.0.0.0", hostPort: 8080, containerIP: IPv4Address("172.17.0.2")!, containerPort: 80, proto: "tcp")],
                     old: [PublishedPort(hostIP: "127.0.0.1", hostPort: 9090, containerIP: IPv4Address("172.17.0.3")!, containerPort: 90, proto: "udp")]]
        return NetworkDiagram.dot(networks: [bridge, backend], containers: containers, ports: ports, table: "swiftbox")
    }

    func testKnownSetUpMatchesTheGoldenFile() throws {
        let dot = try Self.knownSetUp()
        if ProcessInfo.processInfo.environment["SWIFTBOX_UPDATE_GOLDEN"] == "1" {
            try dot.write(toFile: Self.golden, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(dot, try String(contentsOfFile: Self.golden, encoding: .utf8))
    }

    func testWhatTheDiagramShows() throws {
        let dot = try Self.knownSetUp()
        XCTAssertTrue(dot.contains("bridge sbr0123456789\\lnetwork bridge\\l172.17.0.0/16\\lgateway 172.17.0.1\\l"))
        XCTAssertTrue(dot.contains("network backend (internal)"))
        // Running containers: a veth pair, host end in the bridge; the stopped one only its reserved address.
        XCTAssertTrue(dot.contains("[label=\"vsba1a1a1a1a10\"]"))
        XCTAssertTrue(dot.contains("[label=\"vsba1a1a1a1a11\"]"))
        XCTAssertFalse(dot.contains("vsbc3c3c3c3c3"))
        XCTAssertTrue(dot.contains("stopped, addresses kept"))
        // The published port of the running container passes the nft chains; the stopped one's does not show.
        XCTAssertTrue(dot.contains("0.0.0.0:8080/tcp"))
        XCTAssertTrue(dot.contains("dnat 172.17.0.2:80"))
        XCTAssertFalse(dot.contains("9090"))
        XCTAssertFalse(dot.contains("alone"), "a container on no bridge network is not drawn")
    }
}

extension NetworkDiagramTests {
    /// Graphviz (make deps installs it) accepts the DOT and draws SVG.
    func testGraphvizRendersIt() throws {
        let svg = try Graphviz.svg(try Self.knownSetUp())
        XCTAssertTrue(svg.contains("<svg"), String(svg.prefix(300)))
        XCTAssertTrue(svg.contains("0.0.0.0:8080/tcp"))
    }
}
