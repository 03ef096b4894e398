import XCTest
@testable import SwiftboxCgroup
@testable import SwiftboxKernel
@testable import SwiftboxRuntime
@testable import SwiftboxSecurity

final class PiecesTests: XCTestCase {
    func testMountinfoHybrid() {
        let text = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime shared:5 - cgroup cgroup rw,cpuset
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        garbage line
        1 2 3
        50 1 0:40 / /mnt/with\\040space rw - ext4 /dev/vda rw
        """
        let entries = Mountinfo.parse(text)
        XCTAssertEqual(entries.count, 6)
        XCTAssertEqual(entries.last?.mountPoint, "/mnt/with space")
        let h = Mountinfo.cgroupHierarchies(entries)
        XCTAssertEqual(h.map(\.mountPoint), ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"])
        XCTAssertEqual(h[2].controllers, ["name=systemd"])
        XCTAssertEqual(Mountinfo.layout(h), .hybrid)
        XCTAssertEqual(Mountinfo.layout([h[3]]), .v2)
        XCTAssertEqual(Mountinfo.layout([]), CgroupLayout.none)
    }

    func testCgroupPaths() throws {
        XCTAssertEqual(try CgroupManager.resolvePath(nil, id: "abc"), "/swiftbox/abc")
        XCTAssertEqual(try CgroupManager.resolvePath("", id: "abc"), "/swiftbox/abc")
        XCTAssertEqual(try CgroupManager.resolvePath("/a/b", id: "abc"), "/a/b")
        XCTAssertEqual(try CgroupManager.resolvePath("rel/x", id: "abc"), "/swiftbox/rel/x")
        XCTAssertEqual(try CgroupManager.resolvePath("machine.slice:libpod:123", id: "abc"), "/machine.slice/libpod-123.scope")
        XCTAssertThrowsError(try CgroupManager.resolvePath("/a//b", id: "x"))
        XCTAssertThrowsError(try CgroupManager.resolvePath("../up", id: "x"))
    }

    func testMountOptions() {
        let p = MountFlags.parse(["nosuid", "rbind", "ro", "rslave", "mode=755", "size=1m", "tmpcopyup", "rw", "ro"])
        XCTAssertEqual(p.flags, MountFlags.NOSUID | MountFlags.BIND | MountFlags.REC | MountFlags.RDONLY)
        XCTAssertEqual(p.propagation, MountFlags.SLAVE | MountFlags.REC)
        XCTAssertEqual(p.data, ["mode=755", "size=1m"])
        XCTAssertEqual(MountFlags.names(MountFlags.NOSUID | MountFlags.RDONLY), "MS_RDONLY|MS_NOSUID")
    }

    func testCapabilities() throws {
        XCTAssertEqual(try Capabilities.mask(["CAP_KILL", "net_bind_service"], set: "x", lastCap: 40), (1 << 5) | (1 << 10))
        XCTAssertEqual(try Capabilities.mask(["CAP_CHECKPOINT_RESTORE"], set: "x", lastCap: 39), 0, "unknown to this kernel: dropped")
        XCTAssertThrowsError(try Capabilities.mask(["CAP_NOPE"], set: "bounding", lastCap: 40))
        XCTAssertEqual(Capabilities.names((1 << 5) | (1 << 21)), ["CAP_KILL", "CAP_SYS_ADMIN"])
        // libcap's names and the running kernel's count, not a table of ours.
        let kernelLast = try String(contentsOfFile: "/proc/sys/kernel/cap_last_cap", encoding: .utf8)
        XCTAssertEqual(Capabilities.lastCap(), Int(kernelLast.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(Capabilities.number("cap_sys_admin"), 21)
        XCTAssertEqual(Capabilities.number("CAP_CHECKPOINT_RESTORE"), 40)
        XCTAssertEqual(Capabilities.number("CAP_63"), 63, "a capability libcap has no name for is named by its number")
        XCTAssertEqual(Capabilities.name(63), "CAP_63", "never another capability's name")
        XCTAssertNil(Capabilities.number("CAP_64"))
        XCTAssertEqual(Capabilities.unknownToKernel(["CAP_KILL", "CAP_63"], lastCap: 40), ["CAP_63"])
    }

    func testSignals() {
        XCTAssertEqual(Processes.signalNumber("KILL"), 9)
        XCTAssertEqual(Processes.signalNumber("SIGTERM"), 15)
        XCTAssertEqual(Processes.signalNumber("sigusr1"), 10)
        XCTAssertEqual(Processes.signalNumber("9"), 9)
        XCTAssertNil(Processes.signalNumber("SIGNOPE"))
        XCTAssertNil(Processes.signalNumber("0"))
        XCTAssertNil(Processes.signalNumber("65"))
    }

    func testSeccompCompiles() throws {
        SeccompCompiler.cacheDirectory = nil   // compile for real, and write nothing to /run
        let prog = try SeccompCompiler.compile(.init(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
                                                     flags: ["SECCOMP_FILTER_FLAG_LOG"],
                                                     syscalls: [.init(names: ["mkdir", "no_such_syscall"], action: "SCMP_ACT_ERRNO",
                                                                      args: [.init(index: 1, value: 0o700, op: "SCMP_CMP_EQ")])]))
        XCTAssertGreaterThan(prog.instructionCount, 3)
        XCTAssertEqual(prog.flags, 2)
        XCTAssertEqual(prog.unknownSyscalls, ["no_such_syscall"])
        XCTAssertThrowsError(try SeccompCompiler.compile(.init(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["read"], action: "SCMP_ACT_ERRNO", args: [.init(index: 9, value: 0, op: "SCMP_CMP_EQ")])])))
        XCTAssertThrowsError(try SeccompCompiler.compile(.init(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_VAX"])))
    }

    /// A profile whose default refuses: calls numbered above the newest it names get
    /// ENOSYS from six instructions before libseccomp's program (glibc then falls back
    /// from clone3, close_range, …); a profile whose default allows gets none.
    func testSeccompReturnsENOSYSPastTheNewestNamedCall() throws {
        SeccompCompiler.cacheDirectory = nil
        let refusing = try SeccompCompiler.compile(.init(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 13,
                                                         architectures: ["SCMP_ARCH_X86_64"],
                                                         syscalls: [.init(names: ["read", "rseq", "write"], action: "SCMP_ACT_ALLOW")]))
        let stub = SeccompCompiler.enosysStub(arch: 0xC000_003E, newestNamed: 334)   // rseq is 334 on x86_64
        XCTAssertEqual(Array(refusing.bytes.prefix(stub.count)), stub)
        // jgt #334 (fifth instruction) and ret ERRNO|ENOSYS (sixth), little-endian.
        XCTAssertEqual(Array(stub[32..<40]), [0x25, 0, 0, 1, 0x4e, 0x01, 0, 0])
        XCTAssertEqual(Array(stub[40..<48]), [0x06, 0, 0, 0, 38, 0, 5, 0])
        let allowing = try SeccompCompiler.compile(.init(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
                                                         syscalls: [.init(names: ["rseq"], action: "SCMP_ACT_ERRNO")]))
        XCTAssertNotEqual(Array(allowing.bytes.prefix(stub.count)), stub)
    }

    func testContainerIDs() {
        XCTAssertNoThrow(try ContainerStore.validate(id: "abc-1.2_x"))
        for bad in ["", "../x", "a/b", ".hidden", "-flag", "sp ace"] {
            XCTAssertThrowsError(try ContainerStore.validate(id: bad), bad)
        }
    }

    func testExitCodes() {
        XCTAssertEqual(OCIRuntime.exitCode(3 << 8), 3)
        XCTAssertEqual(OCIRuntime.exitCode(9), 137)
    }
}

final class MountinfoOvermountTests: XCTestCase {
    func testTmpfsOverCgroupMountHidesIt() {
        let text = """
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        90 41 0:50 / /sys/fs/cgroup/unified rw - tmpfs none rw
        """
        XCTAssertEqual(Mountinfo.cgroupHierarchies(Mountinfo.parse(text)), [])
    }
}

final class SeccompCacheTests: XCTestCase {
    func testCachedProgramIsTheSame() throws {
        let dir = NSTemporaryDirectory() + "swiftbox-seccomp-cache-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir); SeccompCompiler.cacheDirectory = "/run/swiftbox/seccomp" }
        let profile = DefaultSeccompProfile.make(capabilities: ["CAP_KILL"])
        SeccompCompiler.cacheDirectory = nil
        let fresh = try SeccompCompiler.compile(profile)
        SeccompCompiler.cacheDirectory = dir
        let first = try SeccompCompiler.compile(profile)
        let second = try SeccompCompiler.compile(profile)
        XCTAssertEqual(first.bytes, fresh.bytes)
        XCTAssertEqual(second.bytes, fresh.bytes, "read back from the cache")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).count, 1)
        // A different profile is a different entry.
        _ = try SeccompCompiler.compile(DefaultSeccompProfile.make(capabilities: ["CAP_SYS_ADMIN"]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).count, 2)
    }
}
