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
        // Integer arithmetic, as Go's time.ParseDuration (a Double gave 1000999999 and 4099999).
        XCTAssertEqual(try GoDuration.parse("1.001s"), 1_001_000_000)
        XCTAssertEqual(try GoDuration.parse("4.1ms"), 4_100_000)
        XCTAssertEqual(try GoDuration.parse("0.3s"), 300_000_000)
        XCTAssertEqual(try GoDuration.parse("1.0000000000000000000001s"), s, "digits past 64 bits are dropped")
        XCTAssertEqual(try GoDuration.parse("2562047h47m16.854775807s"), Int64.max)
        XCTAssertEqual(try GoDuration.parse("-2562047h47m16.854775808s"), Int64.min)
        XCTAssertThrowsError(try GoDuration.parse("2562047h47m16.854775808s"))
        XCTAssertThrowsError(try GoDuration.parse("99999999999999999999s"))
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
