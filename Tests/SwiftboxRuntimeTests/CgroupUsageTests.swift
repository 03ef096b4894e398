// Reading usage and OOM counters from cgroup files, against fake v1 and v2 trees in a
// temporary directory (the same code reads /sys/fs/cgroup on a real host).
import XCTest
@testable import SwiftboxCgroup

final class CgroupUsageTests: XCTestCase {
    var root = ""
    override func setUpWithError() throws { root = NSTemporaryDirectory() + "cgusage-\(UInt32.random(in: 0...UInt32.max))" }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func files(_ dir: String, _ contents: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in contents { try text.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8) }
    }

    func testV2() throws {
        try files(root + "/swiftbox/c", [
            "cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n",
            "memory.current": "10485760\n", "memory.max": "33554432\n",
            "memory.stat": "anon 8388608\nfile 2097152\ninactive_file 1048576\n",
            "memory.events": "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n",
            "pids.current": "3\n", "pids.max": "max\n",
            "io.stat": "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:0 rbytes=1 wbytes=2\n",
        ])
        let m = CgroupManager(hierarchies: [CgroupHierarchy(version: .v2, mountPoint: root, controllers: [])])
        let u = m.usage(at: "/swiftbox/c")
        XCTAssertEqual(u.cpuNanoseconds, 1_500_000)
        XCTAssertEqual(u.memoryUsage, 9 << 20, "inactive file pages are not counted, as docker stats does")
        XCTAssertEqual(u.memoryLimit, 32 << 20)
        XCTAssertEqual(u.pids, 3)
        XCTAssertNil(u.pidsLimit, "max is no limit")
        XCTAssertEqual(u.blockRead, 4097)
        XCTAssertEqual(u.blockWrite, 8194)
        XCTAssertEqual(u.oomKills, 1)
    }

    func testV1OnAHybridHost() throws {
        try files(root + "/memory/swiftbox/c", [
            "memory.usage_in_bytes": "20971520\n", "memory.limit_in_bytes": "9223372036854771712\n",
            "memory.stat": "cache 0\ntotal_inactive_file 4194304\n",
            "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        ])
        try files(root + "/cpuacct/swiftbox/c", ["cpuacct.usage": "123456789\n"])
        try files(root + "/pids/swiftbox/c", ["pids.current": "7\n", "pids.max": "20\n"])
        try files(root + "/blkio/swiftbox/c", ["blkio.throttle.io_service_bytes_recursive": "254:0 Read 100\n254:0 Write 50\n254:0 Sync 150\nTotal 150\n"])
        try files(root + "/unified/swiftbox/c", ["memory.events": "oom_kill 9\n"])
        let m = CgroupManager(hierarchies: ["memory", "cpuacct", "pids", "blkio"].map {
            CgroupHierarchy(version: .v1, mountPoint: root + "/" + $0, controllers: [$0])
        } + [CgroupHierarchy(version: .v2, mountPoint: root + "/unified", controllers: [])])
        let u = m.usage(at: "/swiftbox/c")
        XCTAssertEqual(u.memoryUsage, 16 << 20)
        XCTAssertNil(u.memoryLimit, "v1's page-rounded LLONG_MAX is no limit")
        XCTAssertEqual(u.oomKills, 2, "memory is bound to v1 here: the v2 file is not the container's")
        XCTAssertEqual(u.cpuNanoseconds, 123_456_789)
        XCTAssertEqual(u.pids, 7)
        XCTAssertEqual(u.pidsLimit, 20)
        XCTAssertEqual(u.blockRead, 100)
        XCTAssertEqual(u.blockWrite, 50)
    }

    func testKeyedFilesOnOddInput() {
        XCTAssertEqual(CgroupFile.keyed("a 1\n\nb two\nc 3 4\n d\ne -5"), ["a": 1, "e": -5])
        XCTAssertEqual(CgroupFile.keyed(""), [:])
    }

    func testMissingFilesReadAsUnknown() {
        let m = CgroupManager(hierarchies: [CgroupHierarchy(version: .v2, mountPoint: root, controllers: [])])
        let u = m.usage(at: "/swiftbox/none")
        XCTAssertNil(u.memoryUsage)
        XCTAssertNil(u.oomKills)
        XCTAssertNil(u.cpuNanoseconds)
    }
}

final class ProcCgroupTests: XCTestCase {
    func testParseOddInput() {
        let text = """
        12:cpu,cpuacct:/user.slice/a:b
        1:name=systemd:/init.scope
        0::/system.slice/x.service
        garbage
        3:memory:relative
        x:pids:/p

        4:memory:/
        """
        let e = ProcCgroup.parse(text)
        XCTAssertEqual(e.map(\.hierarchyID), [12, 1, 0, 4])
        XCTAssertEqual(e[0].controllers, ["cpu", "cpuacct"])
        XCTAssertEqual(e[0].path, "/user.slice/a:b", "a path may contain ':'")
        XCTAssertEqual(e[2].controllers, [])
        XCTAssertEqual(ProcCgroup.path(in: CgroupHierarchy(version: .v2, mountPoint: "/sys/fs/cgroup", controllers: []), entries: e),
                       "/system.slice/x.service")
        XCTAssertEqual(ProcCgroup.path(in: CgroupHierarchy(version: .v1, mountPoint: "/cg/cpu", controllers: ["cpuacct", "cpu"]), entries: e),
                       "/user.slice/a:b")
        XCTAssertEqual(ProcCgroup.path(in: CgroupHierarchy(version: .v1, mountPoint: "/cg/memory", controllers: ["memory"]), entries: e), "/")
        XCTAssertNil(ProcCgroup.path(in: CgroupHierarchy(version: .v1, mountPoint: "/cg/pids", controllers: ["pids"]), entries: e))
    }

    func testOwnCgroupContainment() {
        XCTAssertTrue(ProcCgroup.contains("/a/b", "/a/b"))
        XCTAssertTrue(ProcCgroup.contains("/a", "/a/b"))
        XCTAssertTrue(ProcCgroup.contains("/", "/a"))
        XCTAssertFalse(ProcCgroup.contains("/a/b/c", "/a/b"), "a child of the caller's cgroup is not the caller's")
        XCTAssertFalse(ProcCgroup.contains("/swiftbox/x", "/"), "the caller at the root: any container path is below it")
        XCTAssertFalse(ProcCgroup.contains("/ab", "/a/b"))
    }
}
