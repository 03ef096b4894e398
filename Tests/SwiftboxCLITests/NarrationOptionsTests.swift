import XCTest
@testable import SwiftboxCLI

final class NarrationOptionsTests: XCTestCase {
    func testTraceWithAFileBecomesTwoOptions() {
        XCTAssertEqual(NarrationOptions.expandTrace(["run", "--rm", "--trace=t.json", "img", "true"]),
                       ["run", "--rm", "--trace", "--trace-file", "t.json", "img", "true"])
        XCTAssertEqual(NarrationOptions.expandTrace(["create", "--name", "x", "--trace=t.json", "img"]),
                       ["create", "--name", "x", "--trace", "--trace-file", "t.json", "img"])
    }

    func testTheContainersOwnArgumentsAreLeftAlone() {
        XCTAssertEqual(NarrationOptions.expandTrace(["run", "--rm", "img", "strace", "--trace=open"]),
                       ["run", "--rm", "img", "strace", "--trace=open"])
        XCTAssertEqual(NarrationOptions.expandTrace(["run", "-d", "img", "--trace=x"]), ["run", "-d", "img", "--trace=x"])
        XCTAssertEqual(NarrationOptions.expandTrace(["ps", "--trace=x"]), ["ps", "--trace=x"])
        XCTAssertEqual(NarrationOptions.expandTrace(["start", "--trace=t.json", "-a", "web"]), ["start", "--trace", "--trace-file", "t.json", "-a", "web"])
    }
}
