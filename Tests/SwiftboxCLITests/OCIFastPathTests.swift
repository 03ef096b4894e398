import XCTest
@testable import SwiftboxCLI

final class OCIFastPathTests: XCTestCase {
    func testParsesRuncStyleCommandLines() throws {
        let p = try XCTUnwrap(OCIFastPath.parse(["--root", "/r", "--log", "/l", "--log-format", "json", "--systemd-cgroup",
                                                  "create", "--bundle", "/b", "--pid-file", "/p", "--console-socket", "/s",
                                                  "--no-new-keyring", "id1"]))
        XCTAssertEqual(p.verb, "create")
        XCTAssertEqual(p.globals.root, "/r")
        XCTAssertEqual(p.globals.log, "/l")
        XCTAssertEqual(p.globals.logFormat, "json")
        XCTAssertEqual(p.bundle, "/b")
        XCTAssertEqual(p.pidFile, "/p")
        XCTAssertEqual(p.consoleSocket, "/s")
        XCTAssertEqual(p.id, "id1")
        let k = try XCTUnwrap(OCIFastPath.parse(["kill", "--all", "c", "KILL"]))
        XCTAssertEqual(k.signal, "KILL")
        XCTAssertTrue(k.all)
        XCTAssertEqual(OCIFastPath.parse(["kill", "c"])?.signal, "SIGTERM")
        XCTAssertEqual(OCIFastPath.parse(["delete", "-f", "c"])?.force, true)
        XCTAssertEqual(OCIFastPath.parse(["run", "-d", "-b", "x", "c"])?.detach, true)
    }

    func testDefersAnythingUnusualToTheFullParser() {
        for args in [["run", "--help"], ["run"], ["start", "a", "b"], ["list"], ["exec", "c", "sh"], ["--root"],
                     ["run", "--dry-run", "c"], ["create", "--bundle"], ["--log-level", "loud", "run", "c"],
                     ["run", "--preserve-fds", "-1", "c"], ["--version"]] {
            XCTAssertNil(OCIFastPath.parse(args), "\(args)")
        }
    }
}
