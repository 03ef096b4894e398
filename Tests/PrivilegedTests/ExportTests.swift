// `export` (issue #20): the container's file system as a tar, running or stopped,
// with its changes and deletions, and no mount left behind.
import XCTest

final class ExportTests: EngineTestCase {
    func listing(_ tar: String) -> [String] {
        Self.shell(["tar", "-tf", tar]).out.split(separator: "\n").map(String.init)
    }

    func testStoppedAndRunningContainersExportWhatTheySee() throws {
        let r = run(["--name", "stopped", "--network", "none", "busybox-image", "sh", "-c", "echo new > /newfile && rm -rf /root && rm /bin/vi"])
        XCTAssertEqual(r.status, 0, r.err)
        let tar = work + "/stopped.tar"
        let e = sbx(["export", "-o", tar, "stopped"])
        XCTAssertEqual(e.status, 0, e.err)
        let names = listing(tar)
        XCTAssertTrue(names.contains("newfile"), "\(names.prefix(20))")
        XCTAssertTrue(names.contains("bin/sh"))
        XCTAssertFalse(names.contains { $0 == "root/" || $0 == "bin/vi" }, "deleted paths exported")
        XCTAssertEqual(Self.shell(["tar", "-xOf", tar, "newfile"]).out, "new\n")
        XCTAssertFalse(PrivilegedTestCase.mountinfo().contains("/export-"), "the export's overlay is unmounted")

        let d = run(["-d", "--name", "running", "--network", "none", "busybox-image", "sh", "-c", "echo live > /live && sleep 60"])
        XCTAssertEqual(d.status, 0, d.err)
        var names2: [String] = []
        for _ in 0..<50 {
            let piped = Self.shell(["sh", "-c", "\(Self.binary) container export --root \(engineRoot) running | tar -t"])
            names2 = piped.out.split(separator: "\n").map(String.init)
            if names2.contains("live") { break }
            usleep(100_000)
        }
        XCTAssertTrue(names2.contains("live"), "\(names2.prefix(20))")
    }

    func testAFailedExportLeavesNoFile() {
        let out = work + "/none.tar"
        let e = sbx(["export", "-o", out, "no-such-container"])
        XCTAssertNotEqual(e.status, 0)
        XCTAssertTrue(e.err.contains("No such container: no-such-container"), e.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: work))?.filter { $0.contains(".tmp-") } ?? [], [])
    }
}
