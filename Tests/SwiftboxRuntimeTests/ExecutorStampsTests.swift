// The stamps the C executor leaves for `run --trace` (ExecutorStamps): each op lasts
// until the next one began, the last one until the parent saw the execve, and an op
// never reached (the child failed before it) is not reported.
import XCTest
@testable import SwiftboxRuntime

final class ExecutorStampsTests: XCTestCase {
    func testOpsLastUntilTheNextOneBegan() throws {
        let stamps = try ExecutorStamps(ops: 4)
        XCTAssertNil(stamps.childStart, "zeroed: the child has not begun")
        XCTAssertTrue(stamps.opTimes(end: 100).isEmpty)
        stamps.pointer[0] = 10   // the child began
        stamps.pointer[1] = 12   // op 0
        stamps.pointer[2] = 15   // op 1
        stamps.pointer[3] = 40   // op 2; op 3 never began (op 2 failed)
        XCTAssertEqual(stamps.childStart, 10)
        let times = stamps.opTimes(end: 50)
        XCTAssertEqual(times.map(\.op), [0, 1, 2])
        XCTAssertEqual(times.map(\.start), [12, 15, 40])
        XCTAssertEqual(times.map(\.duration), [3, 25, 10])
    }
}
