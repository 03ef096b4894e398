import XCTest
@testable import SwiftboxEngine

final class GoDurationTests: XCTestCase {
    func testParse() throws {
        let s = GoDuration.second
        XCTAssertEqual(try GoDuration.parse("0"), 0)
        XCTAssertEqual(try GoDuration.parse("0s"), 0)
        XCTAssertEqual(try GoDuration.parse("30s"), 30 * s)
        XCTAssertEqual(try GoDuration.parse("1m30s"), 90 * s)
        XCTAssertEqual(try GoDuration.parse("500ms"), s / 2)
        XCTAssertEqual(try GoDuration.parse("1.5h"), 5400 * s)
        XCTAssertEqual(try GoDuration.parse("2h45m"), (2 * 3600 + 45 * 60) * s)
        XCTAssertEqual(try GoDuration.parse("10us"), 10_000)
        XCTAssertEqual(try GoDuration.parse("10µs"), 10_000)
        XCTAssertEqual(try GoDuration.parse("7ns"), 7)
        XCTAssertEqual(try GoDuration.parse(".5s"), s / 2)
        XCTAssertEqual(try GoDuration.parse("-1s"), -s)
        for bad in ["", "10", "1x", "s", "1m30", "1.2.3s", "abc", "1 s"] {
            XCTAssertThrowsError(try GoDuration.parse(bad), bad) { XCTAssertTrue("\($0)".contains("\"\(bad)\""), "\($0)") }
        }
    }

    func testFormat() {
        let s = GoDuration.second
        XCTAssertEqual(GoDuration.format(0), "0s")
        XCTAssertEqual(GoDuration.format(30 * s), "30s")
        XCTAssertEqual(GoDuration.format(90 * s), "1m30s")
        XCTAssertEqual(GoDuration.format(s / 2), "500ms")
        XCTAssertEqual(GoDuration.format(1_500_000), "1.5ms")
        XCTAssertEqual(GoDuration.format(3600 * s), "1h0m0s")
        XCTAssertEqual(GoDuration.format(1500 * GoDuration.millisecond), "1.5s")
    }

    func testWallTime() {
        XCTAssertEqual(WallTime.parse("2023-11-14T22:13:20.5Z"), 1_700_000_000_500_000_000)
        XCTAssertEqual(WallTime.parse("2023-11-14T23:13:20+01:00"), 1_700_000_000_000_000_000)
        XCTAssertEqual(WallTime.format(1_700_000_000_000_000_001), "2023-11-14T22:13:20.000000001Z")
        XCTAssertNil(WallTime.parse("yesterday"))
    }
}
