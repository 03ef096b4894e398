import XCTest
@testable import SwiftboxImage

final class ProgressBoardTests: XCTestCase {
    func testPlainOutputHasOneLinePerEvent() {
        var out = ""
        let board = ProgressBoard(tty: false) { out += $0 }
        board.update("aaa", "Pulling fs layer")
        board.update("aaa", "Downloading", done: 10, total: 100)
        board.update("aaa", "Downloading", done: 50, total: 100)
        board.update("aaa", "Pull complete")
        board.event("Digest: x")
        XCTAssertEqual(out, "aaa: Pulling fs layer\naaa: Pull complete\nDigest: x\n")
    }

    func testTerminalRedrawsInPlace() {
        var out = ""
        let board = ProgressBoard(tty: true) { out += $0 }
        board.update("aaa", "Pulling fs layer")
        board.update("bbb", "Pulling fs layer")
        board.update("aaa", "Pull complete")
        XCTAssertTrue(out.contains("\u{1B}[2A"), "moves the cursor up over the two layer lines")
        XCTAssertTrue(out.hasSuffix("aaa: Pull complete\n\r\u{1B}[2Kbbb: Pulling fs layer\n"), out.debugDescription)
    }
}
