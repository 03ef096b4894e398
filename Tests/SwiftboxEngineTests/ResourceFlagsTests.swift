// Docker's resource flags: parsing (sizes, CPUs) and dockerd's checks, with a fake
// 2-CPU host, so the messages users see are pinned without root.
import XCTest
@testable import SwiftboxEngine
import SwiftboxOCI

final class ResourceFlagsTests: XCTestCase {
    let host = ResourceFlags.Host(cpuCount: 2, cpus: "0-1", mems: "0") { $0 == "/dev/vda" ? (254, 0) : nil }

    func testSizes() throws {
        XCTAssertEqual(try DockerUnits.ramInBytes("64m"), 64 << 20)
        XCTAssertEqual(try DockerUnits.ramInBytes("64MB"), 64 << 20)
        XCTAssertEqual(try DockerUnits.ramInBytes("1.5g"), 3 << 29)
        XCTAssertEqual(try DockerUnits.ramInBytes("512kib"), 512 << 10)
        XCTAssertEqual(try DockerUnits.ramInBytes("100"), 100)
        XCTAssertEqual(try DockerUnits.ramInBytes("10 m"), 10 << 20)
        for bad in ["1x", "", "m", "-1", "1..2m", ".5m", "1mm"] {
            XCTAssertThrowsError(try DockerUnits.ramInBytes(bad), bad) { XCTAssertEqual("\($0)", "invalid size: '\(bad)'") }
        }
    }

    func testCPUs() throws {
        XCTAssertEqual(try DockerUnits.nanoCPUs("0.2"), 200_000_000)
        XCTAssertEqual(try DockerUnits.nanoCPUs("2"), 2_000_000_000)
        XCTAssertEqual(try DockerUnits.nanoCPUs(".5"), 500_000_000)
        XCTAssertEqual(try DockerUnits.nanoCPUs("-1"), -1_000_000_000)
        XCTAssertEqual(try DockerUnits.nanoCPUs("1.5000000000"), 1_500_000_000)
        XCTAssertThrowsError(try DockerUnits.nanoCPUs("abc")) { XCTAssertEqual("\($0)", "failed to parse abc as a rational number") }
        XCTAssertThrowsError(try DockerUnits.nanoCPUs("0.0000000001")) { XCTAssertEqual("\($0)", "value is too precise") }
    }

    func testCPUList() {
        XCTAssertEqual(CPUList.parse("0-2,5"), [0, 1, 2, 5])
        XCTAssertEqual(CPUList.parse("1\n"), [1])
        XCTAssertNil(CPUList.parse("2-1"))
        XCTAssertNil(CPUList.parse("1x"))
        XCTAssertNil(CPUList.parse("1,,2"))
    }

    func refused(_ edit: (inout ResourceFlags) -> Void, _ message: String, line: UInt = #line) {
        var f = ResourceFlags()
        edit(&f)
        XCTAssertThrowsError(try f.resources(host: host), line: line) { XCTAssertEqual("\($0)", message, line: line) }
    }

    func testDockerdChecks() {
        refused({ $0.memory = 1024 }, "Minimum memory limit allowed is 6MB")
        refused({ $0.memory = 64 << 20; $0.memorySwap = 32 << 20 }, "Minimum memoryswap limit should be larger than memory limit, see usage")
        refused({ $0.memorySwap = 32 << 20 }, "You should always set the Memory limit when using Memoryswap limit, see usage")
        refused({ $0.memoryReservation = 1 << 20 }, "Minimum memory reservation allowed is 6MB")
        refused({ $0.memory = 8 << 20; $0.memoryReservation = 16 << 20 }, "Minimum memory limit can not be less than memory reservation limit, see usage")
        refused({ $0.nanoCPUs = -1_000_000_000 }, "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available")
        refused({ $0.nanoCPUs = 3_000_000_000 }, "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available")
        refused({ $0.nanoCPUs = 1; $0.cpuPeriod = 100_000 }, "Conflicting options: Nano CPUs and CPU Period cannot both be set")
        refused({ $0.cpuPeriod = 10 }, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
        refused({ $0.cpuQuota = 10 }, "CPU cfs quota can not be less than 1ms (i.e. 1000)")
        refused({ $0.cpusetCpus = "99" }, "Requested CPUs are not available - requested 99, available: 0-1")
        refused({ $0.cpusetCpus = "0-" }, "Invalid value 0- for cpuset cpus")
        refused({ $0.cpusetMems = "1" }, "Requested memory nodes are not available - requested 1, available: 0")
        refused({ $0.pidsLimit = -5 }, "invalid --pids-limit -5: must be a positive number, or -1 (or 0) for unlimited")
        refused({ $0.blkioWeight = 5 }, "Range of blkio weight is from 10 to 1000")
        refused({ $0.deviceReadBps = ["vda:1m"] }, "invalid argument \"vda:1m\" for \"--device-read-bps\" flag: bad format for device path: vda:1m")
        refused({ $0.deviceReadBps = ["/dev/sdz:1m"] }, "--device-read-bps /dev/sdz:1m: /dev/sdz is not a block device")
    }

    func testFlagsBecomeOCIResources() throws {
        var f = ResourceFlags()
        XCTAssertNil(try f.resources(host: host))
        f.memory = 64 << 20
        f.nanoCPUs = 200_000_000
        f.pidsLimit = 0
        f.cpusetCpus = "1"
        f.deviceWriteBps = ["/dev/vda:1mb"]
        let r = try XCTUnwrap(f.resources(host: host))
        XCTAssertEqual(r.memory?.limit, 64 << 20)
        XCTAssertEqual(r.memory?.swap, 128 << 20, "dockerd allows as much swap again when --memory-swap is not given")
        XCTAssertEqual(r.cpu?.quota, 20000)
        XCTAssertEqual(r.cpu?.period, 100_000)
        XCTAssertEqual(r.cpu?.cpus, "1")
        XCTAssertEqual(r.pids?.limit, -1)
        XCTAssertEqual(r.blockIO?.throttleWriteBpsDevice, [.init(major: 254, minor: 0, rate: 1 << 20)])
        f = ResourceFlags()
        f.memory = 64 << 20
        f.memorySwap = -1
        XCTAssertEqual(try f.resources(host: host)?.memory?.swap, -1)
    }

    func testUpdateMergesAndWritesOnlyWhatChanged() throws {
        let old = RuntimeSpec.Linux.Resources(memory: .init(limit: 64 << 20, swap: 128 << 20), cpu: .init(shares: 512, quota: 20000, period: 100_000),
                                 pids: .init(limit: 10))
        var f = ResourceFlags()
        f.memory = 96 << 20
        f.pidsLimit = 20
        let change = try XCTUnwrap(f.resources(host: host, update: true))
        XCTAssertNil(change.memory?.swap, "update keeps the swap limit unless told")
        let merged = Engine.merge(old, change)
        XCTAssertEqual(merged.memory?.limit, 96 << 20)
        XCTAssertEqual(merged.memory?.swap, 128 << 20)
        XCTAssertEqual(merged.cpu, old.cpu)
        XCTAssertEqual(merged.pids?.limit, 20)
        let written = Engine.changed(change, merged)
        XCTAssertEqual(written.memory?.swap, 128 << 20, "memory and memory+swap go together (v1 keeps limit <= memsw)")
        XCTAssertNil(written.cpu)
    }
}
