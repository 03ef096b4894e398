import XCTest
@testable import SwiftboxEngine

final class RestartPolicyTests: XCTestCase {
    let ms = GoDuration.millisecond
    let s = GoDuration.second

    func testParse() throws {
        XCTAssertEqual(try RestartPolicy.parse("no"), .no)
        XCTAssertEqual(try RestartPolicy.parse("always"), .always)
        XCTAssertEqual(try RestartPolicy.parse("unless-stopped"), .unlessStopped)
        XCTAssertEqual(try RestartPolicy.parse("on-failure"), .onFailure(maximumRetryCount: 0))
        XCTAssertEqual(try RestartPolicy.parse("on-failure:3"), .onFailure(maximumRetryCount: 3))
        XCTAssertEqual(RestartPolicy.onFailure(maximumRetryCount: 3).description, "on-failure:3")
        XCTAssertThrowsError(try RestartPolicy.parse("sometimes")) {
            XCTAssertEqual("\($0)", "invalid restart policy \"sometimes\": unknown policy \"sometimes\"; use one of no, always, on-failure[:N] or unless-stopped")
        }
        XCTAssertThrowsError(try RestartPolicy.parse("on-failure:-1")) { XCTAssertTrue("\($0)".contains("positive integer"), "\($0)") }
        XCTAssertThrowsError(try RestartPolicy.parse("on-failure:x")) { XCTAssertTrue("\($0)".contains("\"x\""), "\($0)") }
        XCTAssertThrowsError(try RestartPolicy.parse("always:3")) { XCTAssertTrue("\($0)".contains("only be used with on-failure"), "\($0)") }
        XCTAssertThrowsError(try RestartPolicy.parse("on-failure:1:2"))
    }

    func testCodableAsText() throws {
        let data = try JSONEncoder().encode([RestartPolicy.onFailure(maximumRetryCount: 2)])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "[\"on-failure:2\"]")
        XCTAssertEqual(try JSONDecoder().decode([RestartPolicy].self, from: data), [.onFailure(maximumRetryCount: 2)])
    }

    func testBackoffDoublesTo60sAndResetsAfter10sOfRunning() {
        var t = RestartTracker(policy: .always)
        var delays: [Int64] = []
        for _ in 0..<12 { delays.append(t.decide(exitCode: 0, stoppedByUser: false, ranFor: 1 * s)!) }
        let expected: [Int64] = [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200].map { $0 * GoDuration.millisecond }
        XCTAssertEqual(Array(delays.prefix(10)), expected)
        XCTAssertEqual(delays[10], 60 * s)
        XCTAssertEqual(delays[11], 60 * s)
        XCTAssertEqual(t.decide(exitCode: 0, stoppedByUser: false, ranFor: 10 * s), 100 * ms, "ran 10 s: back to 100 ms")
        XCTAssertEqual(t.decide(exitCode: 0, stoppedByUser: false, ranFor: 9 * s), 200 * ms)
        XCTAssertEqual(t.restartCount, 14)
    }

    func testOnFailureCountsAndStops() {
        var t = RestartTracker(policy: .onFailure(maximumRetryCount: 3))
        XCTAssertNil(t.decide(exitCode: 0, stoppedByUser: false, ranFor: 0), "success: no restart")
        for _ in 0..<3 { XCTAssertNotNil(t.decide(exitCode: 1, stoppedByUser: false, ranFor: 0)) }
        XCTAssertEqual(t.restartCount, 3)
        XCTAssertNil(t.decide(exitCode: 1, stoppedByUser: false, ranFor: 0), "three restarts, then it stays exited")
        XCTAssertEqual(t.restartCount, 3)
        var unlimited = RestartTracker(policy: .onFailure(maximumRetryCount: 0))
        for _ in 0..<50 { XCTAssertNotNil(unlimited.decide(exitCode: 137, stoppedByUser: false, ranFor: 0)) }
    }

    func testManualStopIsNeverUndone() {
        for p in [RestartPolicy.always, .unlessStopped, .onFailure(maximumRetryCount: 0)] {
            var t = RestartTracker(policy: p)
            XCTAssertNil(t.decide(exitCode: 137, stoppedByUser: true, ranFor: 0), "\(p)")
            XCTAssertEqual(t.restartCount, 0)
        }
        var no = RestartTracker(policy: .no)
        XCTAssertNil(no.decide(exitCode: 1, stoppedByUser: false, ranFor: 0))
    }

    func testCountCarriedOverFromState() {
        var t = RestartTracker(policy: .onFailure(maximumRetryCount: 2), restartCount: 2)
        XCTAssertNil(t.decide(exitCode: 1, stoppedByUser: false, ranFor: 0))
    }
}

final class RestoreDecisionTests: XCTestCase {
    func state(exit: Int32, byUser: Bool, count: Int = 0) -> EngineState {
        var s = EngineState(status: .exited)
        s.exitCode = exit
        s.stoppedByUser = byUser
        s.restartCount = count
        return s
    }

    func testDockersRuleOnDaemonStart() {
        XCTAssertTrue(Engine.shouldRestore(policy: .always, state: state(exit: 0, byUser: true), lost: false), "always, even stopped by hand")
        XCTAssertTrue(Engine.shouldRestore(policy: .unlessStopped, state: state(exit: 255, byUser: false), lost: true))
        XCTAssertFalse(Engine.shouldRestore(policy: .unlessStopped, state: state(exit: 137, byUser: true), lost: false))
        XCTAssertFalse(Engine.shouldRestore(policy: .no, state: state(exit: 255, byUser: false), lost: true))
        XCTAssertTrue(Engine.shouldRestore(policy: .onFailure(maximumRetryCount: 2), state: state(exit: 255, byUser: false, count: 5), lost: true))
        XCTAssertFalse(Engine.shouldRestore(policy: .onFailure(maximumRetryCount: 2), state: state(exit: 1, byUser: false, count: 2), lost: false))
        XCTAssertTrue(Engine.shouldRestore(policy: .onFailure(maximumRetryCount: 2), state: state(exit: 1, byUser: false, count: 1), lost: false))
        XCTAssertFalse(Engine.shouldRestore(policy: .onFailure(maximumRetryCount: 0), state: state(exit: 0, byUser: false), lost: false))
    }
}
