// `create` looks the program up before it reports the container created, as runc
// does: engines (containerd's shim, dockerd, podman) show create's error — read from
// the --log file in runc's JSON — while a failure after `start` is only an exit code.
import XCTest

final class OCIProgramLookupTests: PrivilegedTestCase {
    func testCreateFailsForAMissingProgramAndSaysWhich() throws {
        let b = try bundle(["/nonexistent"])
        let id = newID()
        let log = work + "/log.json"
        let r = sb(["create", "--bundle", b, id], globals: ["--log", log, "--log-format", "json"])
        XCTAssertNotEqual(r.status, 0, "create of a missing program succeeded")
        XCTAssertTrue(r.err.contains("exec /nonexistent: executable file not found"), r.err)
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertTrue(logged.contains("\"level\":\"error\"") && logged.contains("executable file not found"), logged)
        XCTAssertNotEqual(sb(["state", id]).status, 0, "a failed create left its container")
    }

    func testCreateSearchesThePathAndChecksExecutePermission() throws {
        let notFound = sb(["create", "--bundle", try bundle(["no-such-program"]), newID()])
        XCTAssertTrue(notFound.err.contains("exec no-such-program: executable file not found"), notFound.err)
        // Lower case as Go prints it: dockerd maps "permission denied" to exit code 126.
        let notExecutable = sb(["create", "--bundle", try bundle(["/etc/passwd"]), newID()])
        XCTAssertTrue(notExecutable.err.contains("exec /etc/passwd: permission denied"), notExecutable.err)
        let directory = sb(["create", "--bundle", try bundle(["/etc"]), newID()])
        XCTAssertTrue(directory.err.contains("exec /etc: permission denied"), directory.err)
        // Found through PATH: created, and runs after start.
        let id = newID()
        XCTAssertEqual(sb(["create", "--bundle", try bundle(["true"]), id]).status, 0)
        XCTAssertEqual(status(id), "created")
        XCTAssertEqual(sb(["start", id]).status, 0)
        eventually("the container stops") { self.status(id) == "stopped" }
    }
}
