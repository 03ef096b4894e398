// `--help` and `help CMD` print the help and exit 0. ArgumentParser turns both into
// its help command, whose run() throws the request; a catch-all that reported thrown
// errors as failures once printed "swiftbox: CommandError(…helpRequested…)" and exit 1.
import XCTest

final class HelpOutputTests: XCTestCase {
    func testHelpIsPrintedAndExitsZero() throws {
        guard FileManager.default.isExecutableFile(atPath: PrivilegedTestCase.binary) else {
            throw missingTool("no swiftbox binary at \(PrivilegedTestCase.binary): run `swift build` first")
        }
        for args in [["--help"], ["run", "--help"], ["help", "ps"], ["oci", "--help"]] {
            let r = PrivilegedTestCase.shell([PrivilegedTestCase.binary] + args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            XCTAssertTrue(r.out.contains("OVERVIEW:") || r.out.contains("USAGE:"), "\(args): \(r.out)")
            XCTAssertFalse(r.err.contains("CommandError"), "\(args): \(r.err)")
        }
        XCTAssertEqual(PrivilegedTestCase.shell([PrivilegedTestCase.binary, "run", "--bogus"]).status, 125, "usage errors still exit 125")
        // --dry-run says what it prints: a start's steps, or an exec's.
        // (Help is wrapped to the terminal: words compared with single spaces.)
        func help(_ verb: String) -> String {
            PrivilegedTestCase.shell([PrivilegedTestCase.binary, verb, "--help"]).out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let exec = help("exec")
        XCTAssertTrue(exec.contains("every step of the exec"), exec)
        XCTAssertFalse(exec.contains("of the start"), exec)
        XCTAssertTrue(help("run").contains("every step of the start"))
    }
}
