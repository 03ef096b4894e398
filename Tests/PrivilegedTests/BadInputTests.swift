// Bad input: each case gives one clear `swiftbox: …` line naming what is wrong, a
// non-zero status, and leaves no state, cgroup or process behind.
import XCTest

final class BadInputTests: PrivilegedTestCase {
    func expectFailure(_ args: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        let r = sb(args)
        XCTAssertNotEqual(r.status, 0, "expected failure: \(args)", file: file, line: line)
        XCTAssertTrue(r.err.hasPrefix("swiftbox: "), r.err, file: file, line: line)
        for m in mentions { XCTAssertTrue(r.err.contains(m), "\(r.err) should mention \(m)", file: file, line: line) }
        XCTAssertFalse(r.err.contains("Fatal error"), r.err, file: file, line: line)
        XCTAssertEqual(sb(["list", "-q"]).out.split(separator: "\n").filter { !$0.hasPrefix("dup") }, [], "state left behind", file: file, line: line)
    }

    func testMissingConfig() throws {
        let dir = work + "/empty"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        expectFailure(["create", "--bundle", dir, newID()], mentions: [dir + "/config.json", "no such file"])
    }

    func testMalformedConfig() throws {
        let b = try bundle(["true"])
        try "{\"ociVersion\": \"1.0.2\", \"process\": ".write(toFile: b + "/config.json", atomically: true, encoding: .utf8)
        expectFailure(["create", "--bundle", b, newID()], mentions: ["config.json", "not valid JSON"])
        try #"{"ociVersion": "1.0.2", "process": {"user": {"uid": "root", "gid": 0}, "cwd": "/"}}"#.write(toFile: b + "/config.json", atomically: true, encoding: .utf8)
        expectFailure(["run", "--bundle", b, newID()], mentions: ["process.user.uid"])
    }

    func testUnknownNamespaceType() throws {
        let b = try bundle(["true"]) { c in
            var l = c["linux"] as! [String: Any]
            l["namespaces"] = (l["namespaces"] as! [[String: Any]]) + [["type": "wormhole"]]
            c["linux"] = l
        }
        expectFailure(["create", "--bundle", b, newID()], mentions: ["unknown namespace type \"wormhole\""])
    }

    func testRootfsMissing() throws {
        let b = try bundle(["true"]) { $0["root"] = ["path": "no-rootfs-here"] }
        expectFailure(["run", "--bundle", b, newID()], mentions: ["root.path", "no-rootfs-here", "no such directory"])
    }

    func testBundleDoesNotExist() {
        expectFailure(["create", "--bundle", work + "/nope", newID()], mentions: ["bundle", "/nope", "no such directory"])
    }

    func testDuplicateID() throws {
        let id = newID("dup")
        let b = try bundle(["true"])
        XCTAssertEqual(sb(["create", "--bundle", b, id]).status, 0)
        let before = pid(id)
        expectFailure(["create", "--bundle", b, id], mentions: ["\"\(id)\" already exists"])
        XCTAssertEqual(pid(id), before, "the first container is untouched")
        XCTAssertEqual(status(id), "created")
    }

    func testUnknownSignal() throws {
        let id = newID("dup")
        XCTAssertEqual(sb(["create", "--bundle", try bundle(["true"]), id]).status, 0)
        let r = sb(["kill", id, "SIGWHATEVER"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("unknown signal \"SIGWHATEVER\""), r.err)
        XCTAssertEqual(status(id), "created")
    }

    func testMountDestinationSymlinkOutsideRootfs() throws {
        // A private rootfs with a symlink that climbs out of it.
        let rootfs = work + "/evil-rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sharedRootfs! + "/rootfs/bin/busybox", toPath: rootfs + "/bin/busybox")
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/escape", withDestinationPath: "../../../../../../tmp")
        let b = try bundle(["/bin/busybox", "true"]) { c in
            c["root"] = ["path": rootfs]
            var mounts = c["mounts"] as! [[String: Any]]
            mounts.append(["destination": "/escape/owned", "type": "tmpfs", "source": "tmpfs"])
            c["mounts"] = mounts
        }
        expectFailure(["run", "--bundle", b, newID()], mentions: ["/escape", "points outside the rootfs"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/owned"), "nothing created on the host")
    }

    func testAbsoluteSymlinkDestinationStaysInsideRootfs() throws {
        let rootfs = work + "/abs-rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sharedRootfs! + "/rootfs/bin/busybox", toPath: rootfs + "/bin/busybox")
        let marker = "swiftbox-escape-check-\(getpid())"
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/data", withDestinationPath: "/etc/\(marker)")
        let b = try bundle(["/bin/busybox", "sh", "-c", "/bin/busybox mount | /bin/busybox grep -c \(marker)"]) { c in
            c["root"] = ["path": rootfs, "readonly": false]
            c["mounts"] = [["destination": "/proc", "type": "proc", "source": "proc"],
                           ["destination": "/data", "type": "tmpfs", "source": "tmpfs"]]
            var l = c["linux"] as! [String: Any]
            l["maskedPaths"] = []
            l["readonlyPaths"] = []
            c["linux"] = l
        }
        let r = sb(["run", "--bundle", b, newID()])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "1\n", "the tmpfs lands on the rootfs's own /etc/\(marker)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/\(marker)"), "never on the host's /etc")
        XCTAssertTrue(FileManager.default.fileExists(atPath: rootfs + "/etc/\(marker)"))
    }

    func testInvalidContainerID() throws {
        expectFailure(["create", "--bundle", try bundle(["true"]), "../escape"], mentions: ["invalid container ID"])
    }
}
