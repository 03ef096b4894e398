import XCTest
@testable import SwiftboxNetwork

final class IPv4Tests: XCTestCase {
    func testAddresses() {
        XCTAssertEqual(IPv4Address("172.17.0.1")?.value, 0xAC11_0001)
        XCTAssertEqual(IPv4Address(0xC0A8_0101).description, "192.168.1.1")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "a.b.c.d", "1..2.3", "01234.1.1.1", " 1.2.3.4"] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
    }

    func testSubnets() throws {
        let s = try IPv4Subnet("172.18.0.0/16")
        XCTAssertEqual(s.broadcast.description, "172.18.255.255")
        XCTAssertEqual(s.host(1).description, "172.18.0.1")
        XCTAssertTrue(s.contains(IPv4Address("172.18.4.5")!))
        XCTAssertFalse(s.contains(IPv4Address("172.19.0.1")!))
        XCTAssertTrue(s.overlaps(try IPv4Subnet("172.18.3.0/24")))
        XCTAssertTrue(try IPv4Subnet("172.16.0.0/12").overlaps(s))
        XCTAssertFalse(s.overlaps(try IPv4Subnet("172.19.0.0/16")))
        XCTAssertTrue(s.contains(try IPv4Subnet("172.18.1.0/24")))
        XCTAssertEqual(try IPv4Subnet("0.0.0.0/0").size, 1 << 32)
        for bad in ["10.0.0/16", "10.0.0.0", "10.0.0.0/33", "10.0.0.1/24", "10.0.0.0/-1", "10.0.0.0/ 8", "foo"] {
            XCTAssertThrowsError(try IPv4Subnet(bad), bad) { XCTAssertEqual("\($0)", "invalid CIDR address: \(bad)") }
        }
        XCTAssertEqual(try IPv4Subnet("10.0.0.7/24", allowHostBits: true).description, "10.0.0.0/24")
    }

    func testMACFromAddress() {
        XCTAssertEqual(macString(macAddress(for: IPv4Address("172.17.0.2")!)), "02:42:ac:11:00:02")
    }
}
