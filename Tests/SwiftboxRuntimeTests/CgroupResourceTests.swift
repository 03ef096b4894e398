// linux.resources → cgroup file writes, without root: the v1 and v2 drivers against
// golden files, the routing of each controller on v1, v2 and hybrid hosts, and the
// errors for limits the host cannot enforce.
import XCTest
@testable import SwiftboxCgroup
@testable import SwiftboxOCI

final class CgroupResourceTests: XCTestCase {
    static let v2Host = [CgroupHierarchy(version: .v2, mountPoint: "/sys/fs/cgroup", controllers: [])]
    static let v2Controllers: Set<String> = ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"]
    /// This project's machines: v1 controllers plus cgroup2 at unified with only hugetlb.
    static let hybridHost = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"].map {
        CgroupHierarchy(version: .v1, mountPoint: "/sys/fs/cgroup/\($0)", controllers: [$0])
    } + [CgroupHierarchy(version: .v1, mountPoint: "/sys/fs/cgroup/systemd", controllers: ["name=systemd"]),
         CgroupHierarchy(version: .v2, mountPoint: "/sys/fs/cgroup/unified", controllers: [])]

    /// Every limit `swiftbox run` can set, as Docker's CLI would put it in config.json.
    static var everything: LinuxResources {
        var r = LinuxResources(
            memory: .init(limit: 64 << 20, reservation: 32 << 20, swap: 96 << 20, disableOOMKiller: true),
            cpu: .init(shares: 512, quota: 20000, period: 100_000, cpus: "0-1", mems: "0"),
            pids: .init(limit: 64),
            blockIO: .init(weight: 500, throttleReadBpsDevice: [.init(major: 254, minor: 0, rate: 1 << 20)],
                           throttleWriteBpsDevice: [.init(major: 254, minor: 0, rate: 2 << 20)]))
        r.memory?.swappiness = 10
        return r
    }

    func golden(_ name: String, _ text: String) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(text, try String(contentsOf: file, encoding: .utf8),
                       "\(name) changed; if intended, re-run with UPDATE_GOLDEN=1 and review the diff")
    }

    func testV2PlanMatchesGolden() throws {
        let plan = try ResourcePlan.make(Self.everything, hierarchies: Self.v2Host, v2Controllers: Self.v2Controllers)
        XCTAssertEqual(plan.enableV2, ["memory", "cpu", "cpuset", "pids", "io"])
        try golden("resources-v2.txt", plan.lines(path: "/swiftbox/golden").joined(separator: "\n") + "\n")
    }

    func testV1PlanOnHybridHostMatchesGolden() throws {
        let plan = try ResourcePlan.make(Self.everything, hierarchies: Self.hybridHost, v2Controllers: ["hugetlb"])
        XCTAssertEqual(plan.enableV2, [], "every controller is bound to v1 here: nothing to enable in cgroup2")
        XCTAssertTrue(plan.steps.allSatisfy { $0.version == .v1 })
        try golden("resources-v1.txt", plan.lines(path: "/swiftbox/golden").joined(separator: "\n") + "\n")
    }

    func testControllersGoWhereTheyAreBound() throws {
        // A hybrid host where pids was left to cgroup2: pids goes there, memory to v1.
        let hosts = [CgroupHierarchy(version: .v1, mountPoint: "/cg/memory", controllers: ["memory"]),
                     CgroupHierarchy(version: .v2, mountPoint: "/cg/unified", controllers: [])]
        let r = LinuxResources(memory: .init(limit: 1 << 30), pids: .init(limit: 10))
        let plan = try ResourcePlan.make(r, hierarchies: hosts, v2Controllers: ["pids"])
        XCTAssertEqual(plan.lines(path: "/swiftbox/a/b"), [
            "parent: write(/cg/unified/cgroup.subtree_control, \"+pids\")",
            "parent: write(/cg/unified/swiftbox/cgroup.subtree_control, \"+pids\")",
            "parent: write(/cg/unified/swiftbox/a/cgroup.subtree_control, \"+pids\")",
            "parent: write(/cg/memory/swiftbox/a/b/memory.limit_in_bytes, \"1073741824\")",
            "parent: write(/cg/unified/swiftbox/a/b/pids.max, \"10\")",
        ])
    }

    func testMissingControllerIsAnErrorOnlyWhenALimitNeedsIt() throws {
        let r = LinuxResources(memory: .init(limit: 64 << 20))
        XCTAssertThrowsError(try ResourcePlan.make(r, hierarchies: Self.v2Host, v2Controllers: ["cpu", "pids"])) {
            XCTAssertEqual("\($0)", "memory (linux.resources.memory): controller not available on this host")
        }
        XCTAssertThrowsError(try ResourcePlan.make(r, hierarchies: [], v2Controllers: [])) {
            XCTAssertEqual("\($0)", "memory (linux.resources.memory): controller not available on this host")
        }
        // Present but empty sections, or zero values, ask for nothing.
        let empty = LinuxResources(memory: .init(), cpu: .init(shares: 0))
        XCTAssertTrue(try ResourcePlan.make(empty, hierarchies: [], v2Controllers: []).isEmpty)
        XCTAssertTrue(try ResourcePlan.make(nil, hierarchies: [], v2Controllers: []).isEmpty)
        XCTAssertThrowsError(try ResourcePlan.make(.init(pids: .init(limit: 5)), hierarchies: Self.hybridHost.filter { !$0.controllers.contains("pids") },
                                                   v2Controllers: ["hugetlb"])) {
            XCTAssertEqual("\($0)", "pids (linux.resources.pids): controller not available on this host")
        }
    }

    func testValueFormats() throws {
        // Unlimited: "max" on v2, -1 on v1.
        let unlimited = LinuxResources(memory: .init(limit: -1, swap: -1), cpu: .init(quota: -1, period: 50000), pids: .init(limit: -1))
        XCTAssertEqual(try CgroupV2Driver.writes(.memory, unlimited).map(\.value), ["max", "max"])
        XCTAssertEqual(try CgroupV1Driver.writes(.memory, unlimited).map(\.value), ["-1", "-1"])
        XCTAssertEqual(try CgroupV2Driver.writes(.cpu, unlimited).map(\.value), ["max 50000"])
        XCTAssertEqual(try CgroupV1Driver.writes(.cpu, unlimited).map(\.value), ["50000", "-1"])
        XCTAssertEqual(try CgroupV2Driver.writes(.pids, unlimited).map(\.value), ["max"])
        XCTAssertEqual(try CgroupV2Driver.writes(.pids, .init(pids: .init(limit: 0))).map(\.value), ["max"])
        // A quota without a period leaves the kernel's period.
        XCTAssertEqual(try CgroupV2Driver.writes(.cpu, .init(cpu: .init(quota: 50000))).map(\.value), ["50000"])
        // runc's conversions.
        XCTAssertEqual(CgroupV2Driver.weight(shares: 1024), 39)
        XCTAssertEqual(CgroupV2Driver.weight(shares: 2), 1)
        XCTAssertEqual(CgroupV2Driver.weight(shares: 262_144), 10000)
        XCTAssertEqual(CgroupV2Driver.weight(shares: 1 << 40), 10000, "clamped like the kernel clamps cpu.shares")
        XCTAssertEqual(CgroupV2Driver.ioWeight(10), 1)
        XCTAssertEqual(CgroupV2Driver.ioWeight(1000), 10000)
        XCTAssertEqual(try CgroupV2Driver.swapMax(swap: 96, memory: 64), 32)
        XCTAssertEqual(try CgroupV2Driver.swapMax(swap: 0, memory: -1), -1)
        XCTAssertNil(try CgroupV2Driver.swapMax(swap: 0, memory: 64))
        XCTAssertThrowsError(try CgroupV2Driver.swapMax(swap: 32, memory: 64))
        XCTAssertThrowsError(try CgroupV2Driver.swapMax(swap: 32, memory: 0))
        XCTAssertThrowsError(try CgroupV1Driver.writes(.memory, .init(memory: .init(limit: 64, swap: 32))))
    }

    func testUnifiedNeedsCgroupV2AndItsController() throws {
        let r = LinuxResources(unified: ["memory.high": "50M", "cgroup.freeze": "0"])
        let plan = try ResourcePlan.make(r, hierarchies: Self.v2Host, v2Controllers: ["memory"])
        XCTAssertEqual(plan.steps.map(\.write.file), ["cgroup.freeze", "memory.high"])
        XCTAssertEqual(plan.enableV2, ["memory"])
        XCTAssertThrowsError(try ResourcePlan.make(r, hierarchies: Self.hybridHost.filter { $0.version == .v1 }, v2Controllers: []))
        XCTAssertThrowsError(try ResourcePlan.make(.init(unified: ["../x": "1"]), hierarchies: Self.v2Host, v2Controllers: []))
        XCTAssertThrowsError(try ResourcePlan.make(.init(unified: ["misc.max": "1"]), hierarchies: Self.v2Host, v2Controllers: [])) {
            XCTAssertEqual("\($0)", "misc: controller not available on this host")
        }
    }

    func testResourcesDecodeFromOCIJSON() throws {
        let json = """
        {"memory":{"limit":67108864,"swap":-1,"disableOOMKiller":false},"cpu":{"shares":1024,"quota":-1,"cpus":"0"},
         "pids":{"limit":32},"blockIO":{"weight":300,"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":600}]},
         "devices":[{"allow":false,"access":"rwm"}]}
        """
        let r = try JSONDecoder().decode(LinuxResources.self, from: Data(json.utf8))
        XCTAssertEqual(r.memory?.limit, 64 << 20)
        XCTAssertEqual(r.cpu?.cpus, "0")
        XCTAssertEqual(r.blockIO?.throttleReadBpsDevice?.first?.rate, 600)
        XCTAssertEqual(r.pids?.limit, 32)
    }
}
