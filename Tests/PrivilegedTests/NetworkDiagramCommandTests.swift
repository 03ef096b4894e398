// `swiftbox network inspect --diagram` on a real set-up: what it draws is what the
// kernel has (the veth's host end, the address, the published port).
import XCTest

final class NetworkDiagramCommandTests: NetworkTestCase {
    func testDiagramOfARunningContainer() throws {
        let r = run(["-d", "--name", "drawn", "-p", "127.0.0.1:18393:80", Self.image, "sleep", "30"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let dot = sbx(["network", "inspect", "--diagram"])
        XCTAssertEqual(dot.status, 0, dot.err)
        let veth = "vsb" + id.prefix(10) + "0"
        XCTAssertTrue(Self.shell(["/usr/sbin/ip", "-o", "link", "show", veth]).status == 0, "no \(veth) on the host")
        XCTAssertTrue(dot.out.contains("[label=\"\(veth)\"]"), dot.out)
        XCTAssertTrue(dot.out.contains("container drawn (\(id.prefix(12))): its network namespace"), dot.out)
        XCTAssertTrue(dot.out.contains("127.0.0.1:18393/tcp"), dot.out)
        let ip = sbx(["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "drawn"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(dot.out.contains("dnat \(ip):80"), "\(ip)\n\(dot.out)")
        let svg = sbx(["network", "inspect", "--diagram", "--format", "svg", "bridge"])
        XCTAssertEqual(svg.status, 0, svg.err)
        XCTAssertTrue(svg.out.contains("<svg"), String(svg.out.prefix(200)))
        XCTAssertNotEqual(sbx(["network", "inspect", "--diagram", "--format", "png"]).status, 0)
        XCTAssertNotEqual(sbx(["network", "inspect", "--diagram", "nosuchnet"]).status, 0)
        XCTAssertNotEqual(sbx(["network", "inspect"]).status, 0, "without --diagram a network must be named")
    }
}

extension NetworkDiagramCommandTests {
    /// `inspect --diagram`: the namespaces' inodes are the kernel's, the limit is the one asked.
    func testContainerDiagram() throws {
        let r = run(["-d", "--name", "stacked", "--network", "none", "--memory", "64m", Self.image, "sleep", "30"])
        XCTAssertEqual(r.status, 0, r.err)
        let pid = sbx(["inspect", "-f", "{{.State.Pid}}", "stacked"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let dot = sbx(["inspect", "--diagram", "stacked"])
        XCTAssertEqual(dot.status, 0, dot.err)
        for ns in ["net", "mnt", "pid"] {
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(ns)")   // "net:[4026532…]"
            XCTAssertTrue(dot.out.contains("\(link)\\lits own\\l"), "\(link)\n\(dot.out)")
        }
        XCTAssertTrue(dot.out.contains("67108864"), dot.out)
        XCTAssertTrue(dot.out.contains("lowerdir 1: chain sha256:"), dot.out)
        XCTAssertEqual(sbx(["inspect", "--diagram", "--format", "svg", "stacked"]).status, 0)
        XCTAssertNotEqual(sbx(["inspect", "--diagram", "nosuch"]).status, 0)
    }
}
