// Go's time.ParseDuration, as HEALTHCHECK reads its flags.
import XCTest
@testable import SwiftboxDockerfile

final class GoDurationTests: XCTestCase {
    func testValid() throws {
        let cases: [(String, Int64)] = [
            ("0", 0), ("5s", 5_000_000_000), ("500ms", 500_000_000), ("10us", 10_000), ("10µs", 10_000),
            ("10μs", 10_000), ("7ns", 7), ("1m30s", 90_000_000_000), ("1h2m3.5s", 3_723_500_000_000),
            ("1.5h", 5_400_000_000_000), (".5s", 500_000_000), ("1.s", 1_000_000_000), ("+2m", 120_000_000_000),
            ("-1.5s", -1_500_000_000), ("0s", 0), ("1h1h", 7_200_000_000_000), ("2562047h", 9_223_369_200_000_000_000),
        ]
        for (text, nanoseconds) in cases {
            XCTAssertEqual(try GoDuration.parse(text), nanoseconds, text)
        }
    }

    func testInvalid() {
        let cases: [(String, String)] = [
            ("", #"time: invalid duration """#),
            ("5", #"time: missing unit in duration "5""#),
            ("1h5", #"time: missing unit in duration "1h5""#),
            ("5x", #"time: unknown unit "x" in duration "5x""#),
            ("5 s", #"time: unknown unit " s" in duration "5 s""#),
            ("s", #"time: invalid duration "s""#),
            (".s", #"time: invalid duration ".s""#),
            ("-", #"time: invalid duration "-""#),
            ("9999999999h", #"time: invalid duration "9999999999h""#),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try GoDuration.parse(text), text) { error in
                XCTAssertEqual((error as? GoDuration.Invalid)?.message, message, text)
            }
        }
    }
}
