// `stats` spells numbers as Docker's CLI does (go-units BytesSize / HumanSizeWithPrecision).
import XCTest
@testable import SwiftboxCLI

final class StatsFormatTests: XCTestCase {
    func testSizes() {
        XCTAssertEqual(StatsFormat.binary(0), "0B")
        XCTAssertEqual(StatsFormat.binary(184 * 1024), "184KiB")
        XCTAssertEqual(StatsFormat.binary(1.5 * 1024 * 1024), "1.5MiB")
        XCTAssertEqual(StatsFormat.binary(64 * 1024 * 1024), "64MiB")
        XCTAssertEqual(StatsFormat.binary(8_312_000_000), "7.741GiB")
        XCTAssertEqual(StatsFormat.decimal(0), "0B")
        XCTAssertEqual(StatsFormat.decimal(1234), "1.23kB")
        XCTAssertEqual(StatsFormat.decimal(999), "999B")
        XCTAssertEqual(StatsFormat.decimal(12_345_678), "12.3MB")
        XCTAssertEqual(StatsFormat.percent(0), "0.00%")
        XCTAssertEqual(StatsFormat.percent(19.996), "20.00%")
        XCTAssertEqual(StatsFormat.percent(0.284), "0.28%")
    }
}
