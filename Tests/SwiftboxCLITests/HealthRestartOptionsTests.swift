import XCTest
@testable import SwiftboxCLI
import SwiftboxEngine

final class HealthRestartOptionsTests: XCTestCase {
    func options(_ args: [String], rm: Bool = false) throws -> RunOptions {
        var o = RunOptions(image: "x")
        o.autoRemove = rm
        try HealthRestartOptions.parse(args).apply(to: &o)
        return o
    }

    func testFlagsBecomeAHealthConfigAndPolicy() throws {
        let o = try options(["--restart", "on-failure:3", "--health-cmd", "curl -f localhost", "--health-interval", "1m30s",
                             "--health-timeout", "500ms", "--health-retries", "2", "--health-start-period", "10s",
                             "--health-start-interval", "1s", "--health-on-failure", "restart"])
        XCTAssertEqual(o.restartPolicy, .onFailure(maximumRetryCount: 3))
        XCTAssertEqual(o.health, HealthConfig(test: ["CMD-SHELL", "curl -f localhost"], interval: 90 * GoDuration.second,
                                              timeout: 500 * GoDuration.millisecond, startPeriod: 10 * GoDuration.second,
                                              startInterval: GoDuration.second, retries: 2))
        XCTAssertEqual(o.healthOnFailure, .restart)
        XCTAssertNil(try options([]).health, "no flags: the image's healthcheck applies")
        XCTAssertEqual(try options(["--no-healthcheck"]).health?.test, ["NONE"])
        XCTAssertEqual(try options(["--health-interval", "5s"]).health, HealthConfig(interval: 5 * GoDuration.second))
        XCTAssertNoThrow(try options(["--restart", "no"], rm: true))
    }

    func testBadInputNamesTheInput() {
        let cases: [([String], String)] = [
            (["--restart", "sometimes"], "\"sometimes\""),
            (["--restart", "on-failure:-1"], "positive integer"),
            (["--health-interval", "0s"], "--health-interval 0s: must be at least 1ms"),
            (["--health-interval", "1m30"], "invalid duration \"1m30\""),
            (["--health-timeout", "fast"], "invalid duration \"fast\""),
            (["--health-retries=-1"], "cannot be negative"),
            (["--no-healthcheck", "--health-cmd", "true"], "conflicts"),
            (["--health-on-failure", "explode"], "\"explode\""),
        ]
        for (args, text) in cases {
            XCTAssertThrowsError(try options(args), "\(args)") { XCTAssertTrue("\($0)".contains(text), "\(args): \($0)") }
        }
        XCTAssertThrowsError(try options(["--restart", "always"], rm: true)) { XCTAssertTrue("\($0)".contains("--rm"), "\($0)") }
    }
}
