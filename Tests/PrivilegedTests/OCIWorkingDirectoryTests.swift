// process.cwd is entered before the switch to process.user, as runc does: Docker's
// `-u 1000 -w /root/app` works under runc although uid 1000 may not search /root.
import XCTest

final class OCIWorkingDirectoryTests: PrivilegedTestCase {
    func testAUserGetsAWorkingDirectoryItCouldNotReachItself() throws {
        // The fixture's /root is 0700 root: uid 1000 without capabilities cannot enter it.
        let b = try bundle(["sh", "-c", "pwd; cd /root"]) { config in
            var process = config["process"] as! [String: Any]
            process["user"] = ["uid": 1000, "gid": 1000]
            process["cwd"] = "/root"
            process["capabilities"] = [String: Any]()
            config["process"] = process
        }
        let r = sb(["run", "--bundle", b, newID()])
        XCTAssertEqual(r.out.split(separator: "\n").first, "/root", r.err)
        // It is there, but as itself it still may not enter it again.
        XCTAssertNotEqual(r.status, 0, "uid 1000 entered a 0700 root directory on its own")
        XCTAssertTrue(r.err.contains("can't cd to /root"), r.err)
    }

    func testAMissingWorkingDirectoryIsStillAnError() throws {
        let r = sb(["run", "--bundle", try bundle(["true"]) { config in
            var process = config["process"] as! [String: Any]
            process["cwd"] = "/no/such/dir"
            config["process"] = process
        }, newID()])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("chdir(/no/such/dir)") && r.err.contains("ENOENT"), r.err)
    }
}
