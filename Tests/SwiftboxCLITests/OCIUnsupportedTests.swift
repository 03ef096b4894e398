import XCTest
@testable import SwiftboxCLI

final class OCIUnsupportedTests: XCTestCase {
    /// containerd's shim runs `checkpoint --image-path … --work-path … ID` for `ctr tasks
    /// checkpoint`: the error names the verb and the reason, not its first option.
    func testCheckpointAndRestoreSayTheyAreNotSupported() throws {
        for (verb, args) in [("checkpoint", ["--image-path", "/i", "--work-path", "/w", "--leave-running", "c1"]),
                             ("restore", ["--image-path", "/i", "--bundle", "/b", "--detach", "c1"])] {
            var command = try SwiftboxOCI.parseAsRoot(["--root", "/r", verb] + args)
            XCTAssertThrowsError(try command.run()) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(verb) is not supported by swiftbox: it has no CRIU integration"), "\(error)")
            }
        }
    }
}
