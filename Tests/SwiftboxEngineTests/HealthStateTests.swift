import XCTest
@testable import SwiftboxEngine

/// The health state machine driven by a fake clock: no sleeping.
final class HealthStateTests: XCTestCase {
    let s = GoDuration.second
    let t0: Int64 = 1_700_000_000 * 1_000_000_000

    func machine(_ c: HealthConfig = HealthConfig(test: ["CMD", "true"])) -> HealthMachine { HealthMachine(config: c, startedAt: t0) }

    func testDockerDefaults() {
        let c = HealthConfig(test: ["CMD-SHELL", "curl -f localhost"])
        XCTAssertEqual(c.effectiveInterval, 30 * s)
        XCTAssertEqual(c.effectiveTimeout, 30 * s)
        XCTAssertEqual(c.effectiveRetries, 3)
        XCTAssertEqual(c.effectiveStartPeriod, 0)
        XCTAssertEqual(c.effectiveStartInterval, 5 * s)
        XCTAssertEqual(c.command, ["/bin/sh", "-c", "curl -f localhost"])
        XCTAssertEqual(HealthConfig(test: ["CMD", "a", "b"]).command, ["a", "b"])
        XCTAssertTrue(c.isEnabled)
        XCTAssertFalse(HealthConfig(test: ["NONE"]).isEnabled)
        XCTAssertFalse(HealthConfig(test: []).isEnabled)
        XCTAssertFalse(HealthConfig(test: nil).isEnabled)
    }

    func testStartsStartingOneSuccessMakesHealthy() {
        var m = machine()
        XCTAssertEqual(m.record.Status, .starting)
        XCTAssertEqual(m.delay(at: t0), 30 * s, "first probe one interval after the start")
        XCTAssertEqual(m.record(start: t0 + 30 * s, end: t0 + 30 * s + 1, exitCode: 0, output: Array("ok\n".utf8)), .healthy)
        XCTAssertEqual(m.record.FailingStreak, 0)
        XCTAssertEqual(m.record.Log.count, 1)
        XCTAssertEqual(m.record.Log[0].Output, "ok\n")
        XCTAssertEqual(m.record.Log[0].ExitCode, 0)
        XCTAssertNil(m.record(start: t0 + 60 * s, end: t0 + 60 * s, exitCode: 0, output: []), "no change")
    }

    func testRetriesConsecutiveFailuresMakeUnhealthyAndOneSuccessHeals() {
        var m = machine(HealthConfig(test: ["CMD", "x"], retries: 2))
        var now = t0
        func probe(_ code: Int32) -> HealthStatus? { now += 30 * s; return m.record(start: now, end: now, exitCode: code, output: []) }
        XCTAssertEqual(probe(0), .healthy)
        XCTAssertNil(probe(1))
        XCTAssertEqual(m.record.FailingStreak, 1)
        XCTAssertEqual(m.record.Status, .healthy)
        XCTAssertEqual(probe(2), .unhealthy, "any non-zero exit is a failure")
        XCTAssertEqual(m.record.FailingStreak, 2)
        XCTAssertNil(probe(1))
        XCTAssertEqual(m.record.FailingStreak, 3)
        XCTAssertEqual(probe(0), .healthy)
        XCTAssertEqual(m.record.FailingStreak, 0)
    }

    func testUnhealthyFromStartingWithoutStartPeriod() {
        var m = machine()
        for i in 1...2 { XCTAssertNil(m.record(start: t0 + Int64(i) * 30 * s, end: t0 + Int64(i) * 30 * s, exitCode: 1, output: [])) }
        XCTAssertEqual(m.record.Status, .starting)
        XCTAssertEqual(m.record(start: t0 + 90 * s, end: t0 + 90 * s, exitCode: 1, output: []), .unhealthy)
    }

    func testFailuresInStartPeriodDoNotCountUntilFirstSuccess() {
        var m = machine(HealthConfig(test: ["CMD", "x"], startPeriod: 60 * s, startInterval: 2 * s, retries: 1))
        // In the start period while starting: the start interval, and failures do not count.
        XCTAssertEqual(m.delay(at: t0), 2 * s)
        for i in 1...10 { XCTAssertNil(m.record(start: t0 + Int64(i) * 2 * s, end: t0 + Int64(i) * 2 * s + 1, exitCode: 1, output: [])) }
        XCTAssertEqual(m.record.FailingStreak, 0)
        XCTAssertEqual(m.record.Status, .starting)
        XCTAssertEqual(m.record.Log.count, 5, "only the last 5 results are kept")
        // A first success: healthy; from now on failures count even inside the period.
        XCTAssertEqual(m.record(start: t0 + 30 * s, end: t0 + 30 * s, exitCode: 0, output: []), .healthy)
        XCTAssertEqual(m.delay(at: t0 + 31 * s), 30 * s, "the regular interval once healthy")
        XCTAssertEqual(m.record(start: t0 + 40 * s, end: t0 + 40 * s, exitCode: 1, output: []), .unhealthy)
    }

    func testStartPeriodOverWhileStillStartingCountsFailures() {
        var m = machine(HealthConfig(test: ["CMD", "x"], startPeriod: 10 * s, retries: 2))
        XCTAssertEqual(m.delay(at: t0 + 9 * s), 5 * s, "default start interval inside the period")
        XCTAssertEqual(m.delay(at: t0 + 10 * s), 30 * s, "the interval after it")
        XCTAssertNil(m.record(start: t0 + 9 * s, end: t0 + 11 * s, exitCode: 1, output: []), "judged by the probe's start")
        XCTAssertEqual(m.record.FailingStreak, 0)
        XCTAssertNil(m.record(start: t0 + 12 * s, end: t0 + 12 * s, exitCode: 1, output: []))
        XCTAssertEqual(m.record.FailingStreak, 1)
        XCTAssertEqual(m.record(start: t0 + 13 * s, end: t0 + 13 * s, exitCode: 1, output: []), .unhealthy)
    }

    func testTimeoutIsAFailureWithDockersMessage() {
        var m = machine(HealthConfig(test: ["CMD", "sleep", "9"], timeout: 500 * GoDuration.millisecond, retries: 1))
        XCTAssertEqual(m.recordTimeout(start: t0 + 30 * s, end: t0 + 30 * s + 500 * GoDuration.millisecond), .unhealthy)
        XCTAssertEqual(m.record.Log.last?.ExitCode, -1)
        XCTAssertEqual(m.record.Log.last?.Output, "Health check exceeded timeout (500ms)")
    }

    func testOutputKeptTo4096BytesAndLogTimes() {
        var m = machine()
        m.record(start: t0, end: t0 + 1_500_000, exitCode: 0, output: [UInt8](repeating: UInt8(ascii: "a"), count: 10_000))
        XCTAssertEqual(m.record.Log[0].Output.utf8.count, 4096)
        XCTAssertEqual(m.record.Log[0].Start, "2023-11-14T22:13:20.000000000Z")
        XCTAssertEqual(m.record.Log[0].End, "2023-11-14T22:13:20.001500000Z")
        // Never half a UTF-8 character.
        let snowmen = Array(String(repeating: "☃", count: 2000).utf8)
        XCTAssertEqual(HealthMachine.cut(snowmen).utf8.count, 4095)
    }

    func testMergeWithImageAsDocker() {
        let image = HealthConfig(test: ["CMD", "check"], interval: 10 * s, timeout: 3 * s, retries: 5)
        XCTAssertEqual(HealthConfig.merged(container: nil, image: image), image)
        let flags = HealthConfig(test: nil, interval: 2 * s)
        XCTAssertEqual(HealthConfig.merged(container: flags, image: image),
                       HealthConfig(test: ["CMD", "check"], interval: 2 * s, timeout: 3 * s, retries: 5))
        let none = HealthConfig(test: ["NONE"])
        XCTAssertFalse(HealthConfig.merged(container: none, image: image)!.isEnabled)
        let cmd = HealthConfig(test: ["CMD-SHELL", "true"])
        XCTAssertEqual(HealthConfig.merged(container: cmd, image: image)?.test, ["CMD-SHELL", "true"])
        XCTAssertEqual(HealthConfig.merged(container: cmd, image: image)?.retries, 5)
        XCTAssertNil(HealthConfig.merged(container: nil, image: nil))
    }

    func testValidation() {
        XCTAssertThrowsError(try HealthConfig(test: ["CMD", "x"], interval: 0).validate()) {
            XCTAssertEqual("\($0)", "--health-interval 0s: must be at least 1ms")
        }
        XCTAssertThrowsError(try HealthConfig(timeout: 1000).validate())
        XCTAssertThrowsError(try HealthConfig(retries: -1).validate())
        XCTAssertThrowsError(try HealthConfig(startPeriod: -1).validate())
        XCTAssertThrowsError(try HealthConfig(test: ["SHELL", "x"]).validate())
        XCTAssertNoThrow(try HealthConfig(test: ["CMD", "x"], interval: GoDuration.millisecond, startPeriod: 0).validate())
    }
}
