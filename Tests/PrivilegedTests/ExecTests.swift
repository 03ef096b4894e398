// `oci exec` joins the container: same namespaces (derived from the container's own
// config and compared as data with the host's view of its first process), same cgroup.
import XCTest

final class ExecTests: PrivilegedTestCase {
    func testExecJoinsNamespacesAndCgroup() throws {
        let id = newID()
        XCTAssertEqual(sb(["run", "--detach", "--bundle", try bundle(["sleep", "100"]), id]).status, 0)
        let pid = try XCTUnwrap(self.pid(id))
        let kinds = ["pid", "net", "mnt", "ipc", "uts", "cgroup"]
        var expected: [String: String] = [:]
        for k in kinds { expected[k] = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(k)") }
        let script = kinds.map { "echo \($0)=$(readlink /proc/self/ns/\($0))" }.joined(separator: "; ")
        let r = sb(["exec", id, "sh", "-c", script])
        XCTAssertEqual(r.status, 0, r.err)
        var seen: [String: String] = [:]
        for line in r.out.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { seen[kv[0]] = kv[1] }
        }
        XCTAssertEqual(seen, expected)
        let cg = sb(["exec", id, "cat", "/proc/self/cgroup"])
        let host = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        XCTAssertTrue(host.contains("/swiftbox/\(id)"))
        XCTAssertEqual(cg.out.split(separator: "\n").count, host.split(separator: "\n").count)
        XCTAssertFalse(cg.out.contains("/swiftbox/"), "inside its cgroup namespace the container's cgroup is /")
    }

    func testExecStatusUserAndErrors() throws {
        let id = newID()
        XCTAssertEqual(sb(["run", "--detach", "--bundle", try bundle(["sleep", "100"]), id]).status, 0)
        XCTAssertEqual(sb(["exec", id, "sh", "-c", "exit 4"]).status, 4)
        XCTAssertEqual(sb(["exec", "--user", "65534:65534", id, "id", "-u"]).out, "65534\n")
        let missing = sb(["exec", id, "no-such-cmd"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("not found"), missing.err)
        let unknown = sb(["exec", "no-such-container", "true"])
        XCTAssertTrue(unknown.err.contains("does not exist"), unknown.err)
    }
}
