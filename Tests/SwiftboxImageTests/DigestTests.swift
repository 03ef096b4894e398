import XCTest
@testable import SwiftboxImage

final class DigestTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(Digest.of([]).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.of(Array("abc".utf8)).hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testParse() {
        XCTAssertNotNil(Digest("sha256:" + String(repeating: "a", count: 64)))
        XCTAssertNil(Digest("sha256:" + String(repeating: "A", count: 64)))
        XCTAssertNil(Digest("sha512:" + String(repeating: "a", count: 64)))
        XCTAssertNil(Digest("sha256:abc"))
    }
}
