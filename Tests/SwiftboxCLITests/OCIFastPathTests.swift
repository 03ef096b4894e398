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

final class RelativeTimeTests: XCTestCase {
    func testDockerStyleAges() {
        let now = RelativeTime.parse("2026-11-25T12:00:00Z")!
        XCTAssertEqual(RelativeTime.ago("2026-11-25T11:59:30Z", now: now), "30 seconds ago")
        XCTAssertEqual(RelativeTime.ago("2026-11-25T11:58:30Z", now: now), "About a minute ago")
        XCTAssertEqual(RelativeTime.ago("2026-11-25T09:00:00.123456Z", now: now), "3 hours ago")
        XCTAssertEqual(RelativeTime.ago("2026-11-25T13:00:00+02:00", now: now), "About an hour ago")
        XCTAssertEqual(RelativeTime.ago("2026-11-10T12:00:00Z", now: now), "2 weeks ago")
        XCTAssertEqual(RelativeTime.ago("1970-01-01T00:00:00Z", now: now), "56 years ago")
        XCTAssertEqual(RelativeTime.ago("not a time", now: now), "not a time")
    }
}

final class LogsSinceTests: XCTestCase {
    func testSinceAcceptsTimesAndDurations() {
        let now = RelativeTime.parse("2026-11-25T12:00:00Z")!
        XCTAssertEqual(Logs.parseSince("2026-11-25T11:00:00Z", now: now), now - 3600)
        XCTAssertEqual(Logs.parseSince("90s", now: now), now - 90)
        XCTAssertEqual(Logs.parseSince("1h30m", now: now), now - 5400)
        XCTAssertNil(Logs.parseSince("yesterday", now: now))
        XCTAssertNil(Logs.parseSince("10", now: now))
    }
}
