import XCTest
@testable import SwiftboxNetwork

final class DNSMessageTests: XCTestCase {
    /// "web" A IN, id 0x1234, RD set (what busybox nslookup sends).
    let query: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x45, 0x62, 0, 0, 1, 0, 1]

    func testParsesTheQuestion() {
        let q = DNSQuery.parse(query)
        XCTAssertEqual(q?.id, 0x1234)
        XCTAssertEqual(q?.name, "web", "names compare lower-cased")
        XCTAssertEqual(q?.type, DNSQuery.typeA)
        XCTAssertNil(DNSQuery.parse(Array(query.prefix(15))), "truncated")
        var response = query
        response[2] |= 0x80
        XCTAssertNil(DNSQuery.parse(response), "not a query")
    }

    func testAnswerBytes() {
        let a = DNSQuery.parse(query)!.answer([IPv4Address("172.18.0.2")!])
        XCTAssertEqual(Array(a[0..<12]), [0x12, 0x34, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])   // QR AA RD RA, 1 question, 1 answer
        XCTAssertEqual(Array(a[12..<21]), Array(query[12...]))
        XCTAssertEqual(Array(a[21...]), [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, 172, 18, 0, 2])
        let nx = DNSQuery.parse(query)!.answer([], nxdomain: true)
        XCTAssertEqual(nx[3] & 0x0f, 3)
        XCTAssertEqual(nx.count, 21)
    }
}
