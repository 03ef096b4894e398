// Device rules without root: parsing linux.resources.devices, the v1 writes, the
// cgroup v2 BPF program (its listing, its bytes, and its decisions — run through a
// small interpreter of the instructions it emits and compared with DeviceRule.decide),
// and where a plan puts them on v1, v2 and hybrid hosts.
import XCTest
@testable import SwiftboxCgroup
@testable import SwiftboxOCI

final class DeviceRuleTests: XCTestCase {
    typealias Entry = LinuxResources.DeviceCgroup

    /// Docker's default list, as the engine writes it.
    static let docker: [Entry] = [
        Entry(allow: false, type: "a", access: "rwm"), Entry(allow: true, type: "c", access: "m"),
        Entry(allow: true, type: "b", access: "m"), Entry(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
        Entry(allow: true, type: "c", major: 136, access: "rwm"),
    ]

    func testEntriesParseAndSpellAsV1Does() throws {
        let rules = try Self.docker.map(DeviceRule.init)
        XCTAssertEqual(rules.map(\.description), ["deny a *:* rwm", "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm", "allow c 136:* rwm"])
        // Absent type/access: a and rwm; -1 (some writers' wildcard): any.
        XCTAssertEqual(try DeviceRule(Entry(allow: true, major: -1, minor: -1)).description, "allow a *:* rwm")
        XCTAssertEqual(try DeviceRule(Entry(allow: true, type: "c", major: 10, minor: 229, access: "")).access, .all)
        XCTAssertThrowsError(try DeviceRule(Entry(allow: true, type: "x"))) { XCTAssertTrue("\($0)".contains("type must be a, c or b"), "\($0)") }
        XCTAssertThrowsError(try DeviceRule(Entry(allow: true, type: "c", access: "rwx"))) { XCTAssertTrue("\($0)".contains("only the letters r, w and m"), "\($0)") }
    }

    func testV1WritesOneLinePerRuleAndSplitsNarrowTypeA() throws {
        let writes = try Self.docker.map(DeviceRule.init).flatMap(\.v1Writes).map { "\($0.file) \($0.value)" }
        XCTAssertEqual(writes, ["devices.deny a", "devices.allow c *:* m", "devices.allow b *:* m", "devices.allow c 1:3 rwm", "devices.allow c 136:* rwm"])
        // v1 reads any "a ..." as "reset everything": a narrower type-a rule is its c and b halves.
        let narrow = DeviceRule(allow: false, .all, 8, nil, [.read])
        XCTAssertEqual(narrow.v1Writes.map(\.value), ["c 8:* r", "b 8:* r"])
    }

    func testRuntimeAddsDefaultsAndConfigDevicesOnlyWhenSomethingIsDenied() throws {
        XCTAssertEqual(try DeviceRules.forContainer(nil, devices: []), [])
        XCTAssertEqual(try DeviceRules.forContainer([Entry(allow: true, access: "rwm")], devices: []), [], "nothing denied: nothing to enforce")
        let fuse = RuntimeSpec.Device(type: "c", path: "/dev/fuse", major: 10, minor: 229)
        let rules = try DeviceRules.forContainer([Entry(allow: false)], devices: [fuse, .init(type: "p", path: "/dev/fifo")])
        XCTAssertEqual(rules.first?.description, "deny a *:* rwm")
        XCTAssertEqual(rules.last?.description, "allow c 10:229 rwm")
        XCTAssertEqual(rules.count, 1 + DeviceRules.defaultDevices.count + 1)
        // A default already allowed (and not denied after) is not repeated; one denied after is.
        let given = try DeviceRules.forContainer(Self.docker, devices: [])
        XCTAssertEqual(given.filter { $0.description == "allow c 1:3 rwm" }.count, 1)
        // A linux.devices entry that a rule names (Docker's --device …:r) keeps that rule's access.
        let readOnly = try DeviceRules.forContainer(Self.docker + [Entry(allow: true, type: "c", major: 10, minor: 229, access: "r")], devices: [fuse])
        XCTAssertEqual(readOnly.filter { $0.major == 10 }.map(\.description), ["allow c 10:229 r"])
        let denied = try DeviceRules.forContainer(Self.docker + [Entry(allow: false, type: "c", major: 1, minor: 3)], devices: [])
        XCTAssertEqual(denied.last { $0.major == 1 && $0.minor == 3 }?.allow, true, "the default devices stay usable, as in runc")
    }

    // MARK: the BPF program

    func testDockerProgramListing() throws {
        let program = DeviceFilterProgram.instructions(try Self.docker.map(DeviceRule.init))
        XCTAssertEqual(DeviceFilterProgram.listing(program), [
            "0: r2 = *(u32 *)(r1 + 0)", "1: w2 &= 0xffff", "2: r3 = *(u32 *)(r1 + 0)", "3: w3 >>= 16",
            "4: r4 = *(u32 *)(r1 + 4)", "5: r5 = *(u32 *)(r1 + 8)",
            // allow c 136:* rwm
            "6: if w2 != 2 goto +3", "7: if w4 != 136 goto +2", "8: r0 = 1", "9: exit",
            // allow c 1:3 rwm
            "10: if w2 != 2 goto +4", "11: if w4 != 1 goto +3", "12: if w5 != 3 goto +2", "13: r0 = 1", "14: exit",
            // allow b *:* m: nothing but mknod (~m & 7 = 6: read or write asked → next)
            "15: if w2 != 1 goto +3", "16: if w3 & 0x6 goto +2", "17: r0 = 1", "18: exit",
            // allow c *:* m
            "19: if w2 != 2 goto +3", "20: if w3 & 0x6 goto +2", "21: r0 = 1", "22: exit",
            // deny a *:* rwm matches everything: the end, no default needed
            "23: r0 = 0", "24: exit",
        ])
    }

    func testEncodingIsStructBpfInsn() {
        // r2 = *(u32 *)(r1 + 4): BPF_LDX|BPF_W|BPF_MEM = 0x61, src r1 in the high nibble.
        XCTAssertEqual(BPFInstruction.loadWord(2, 1, 4).bytes, [0x61, 0x12, 4, 0, 0, 0, 0, 0])
        // if w5 != 229 goto +2: BPF_JMP32|BPF_JNE|BPF_K = 0x56.
        XCTAssertEqual(BPFInstruction.jump32(BPFInstruction.BPF_JNE, 5, 229, 2).bytes, [0x56, 0x05, 2, 0, 229, 0, 0, 0])
        XCTAssertEqual(BPFInstruction.mov64(0, -1).bytes, [0xb7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])
        XCTAssertEqual(BPFInstruction.exit.bytes, [0x95, 0, 0, 0, 0, 0, 0, 0])
    }

    /// The program's answer for a request, by interpreting exactly the instructions the
    /// generator emits (anything else fails the test).
    func run(_ program: [BPFInstruction], type: DeviceRule.Kind, major: UInt32, minor: UInt32, access: DeviceRule.Access) -> Bool? {
        let ctx: [UInt32] = [UInt32(access.rawValue) << 16 | UInt32(DeviceFilterProgram.typeNumber(type)), major, minor]
        var r = [UInt64](repeating: 0, count: 11)
        var pc = 0
        typealias B = BPFInstruction
        while pc < program.count {
            let i = program[pc]
            let imm32 = UInt32(bitPattern: i.imm)
            pc += 1
            switch i.code {
            case B.BPF_LDX | B.BPF_W | B.BPF_MEM:
                guard i.src_reg == 1, i.off % 4 == 0, (0..<12).contains(i.off) else { XCTFail("load \(i)"); return nil }
                r[Int(i.dst_reg)] = UInt64(ctx[Int(i.off) / 4])
            case B.BPF_ALU | B.BPF_AND | B.BPF_K: r[Int(i.dst_reg)] = UInt64(UInt32(truncatingIfNeeded: r[Int(i.dst_reg)]) & imm32)
            case B.BPF_ALU | B.BPF_RSH | B.BPF_K: r[Int(i.dst_reg)] = UInt64(UInt32(truncatingIfNeeded: r[Int(i.dst_reg)]) >> imm32)
            case B.BPF_ALU64 | B.BPF_MOV | B.BPF_K: r[Int(i.dst_reg)] = UInt64(bitPattern: Int64(i.imm))
            case B.BPF_JMP32 | B.BPF_JNE | B.BPF_K: if UInt32(truncatingIfNeeded: r[Int(i.dst_reg)]) != imm32 { pc += Int(i.off) }
            case B.BPF_JMP32 | B.BPF_JSET | B.BPF_K: if UInt32(truncatingIfNeeded: r[Int(i.dst_reg)]) & imm32 != 0 { pc += Int(i.off) }
            case B.BPF_JMP | B.BPF_JA: pc += Int(i.off)
            case B.BPF_JMP | B.BPF_EXIT:
                XCTAssertTrue(r[0] == 0 || r[0] == 1, "a device program returns 0 or 1")
                return r[0] == 1
            default: XCTFail("unexpected instruction \(i)"); return nil
            }
        }
        XCTFail("fell off the end of the program")
        return nil
    }

    func testProgramDecidesLikeTheRuleList() throws {
        let lists: [[DeviceRule]] = [
            try Self.docker.map(DeviceRule.init),
            try DeviceRules.forContainer([Entry(allow: false)], devices: [.init(type: "b", path: "/dev/loop0", major: 7, minor: 0)]),
            // No reset: allowed unless denied; later rules override earlier ones.
            [DeviceRule(allow: false, .char, 10, nil, [.read, .write]), DeviceRule(allow: true, .char, 10, 229, [.read, .write])],
            [DeviceRule(allow: false, .all, nil, nil), DeviceRule(allow: true, .all, 7, nil, [.read]), DeviceRule(allow: false, .block, nil, 1, [.mknod])],
            [DeviceRule(allow: true, .all, nil, nil), DeviceRule(allow: false, .char, 1, 3, [.write])],
            [],
        ]
        let accesses: [DeviceRule.Access] = [.mknod, .read, .write, [.read, .write], .all]
        for rules in lists {
            let program = DeviceFilterProgram.instructions(rules)
            for type in [DeviceRule.Kind.char, .block] {
                for (major, minor) in [(1, 3), (1, 5), (5, 2), (7, 0), (7, 1), (10, 229), (10, 232), (136, 4), (254, 1)] {
                    for access in accesses {
                        let want = DeviceRule.decide(rules, type, Int64(major), Int64(minor), access)
                        let got = run(program, type: type, major: UInt32(major), minor: UInt32(minor), access: access)
                        XCTAssertEqual(got, want, "\(rules) on \(type.rawValue) \(major):\(minor) \(access)")
                    }
                }
            }
        }
    }

    func testDockerDefaultsAllowTheUsualNodesOnly() throws {
        let rules = try Self.docker.map(DeviceRule.init)
        XCTAssertTrue(DeviceRule.decide(rules, .char, 1, 3, [.read, .write]))
        XCTAssertTrue(DeviceRule.decide(rules, .char, 136, 7, [.read, .write]))
        XCTAssertTrue(DeviceRule.decide(rules, .char, 10, 232, .mknod), "mknod of anything, as Docker allows")
        XCTAssertFalse(DeviceRule.decide(rules, .char, 10, 232, .read), "/dev/kvm")
        XCTAssertFalse(DeviceRule.decide(rules, .block, 7, 0, [.read, .write]), "loop0")
    }

    // MARK: where a plan puts them

    /// One mechanism per host: the v1 list on hybrid hosts (the kernel would consult a
    /// program too, but the list alone enforces, and the program costs each start), the
    /// BPF program on pure v2 hosts.
    func testPlanPutsRulesInV1OnHybridHostsAndInABPFProgramOnV2() throws {
        let rules = try Self.docker.map(DeviceRule.init)
        let hybrid = try ResourcePlan.make(nil, devices: rules, hierarchies: CgroupResourceTests.hybridHost, v2Controllers: [])
        XCTAssertEqual(hybrid.devices?.v1MountPoint, "/sys/fs/cgroup/devices")
        XCTAssertNil(hybrid.devices?.v2MountPoint)
        let lines = hybrid.lines(path: "/swiftbox/x")
        XCTAssertTrue(lines.contains("parent: write(/sys/fs/cgroup/devices/swiftbox/x/devices.deny, \"a\")"), "\(lines)")
        XCTAssertFalse(lines.contains { $0.contains("BPF_PROG_ATTACH") }, "\(lines)")
        let v2 = try ResourcePlan.make(nil, devices: rules, hierarchies: CgroupResourceTests.v2Host, v2Controllers: [])
        XCTAssertNil(v2.devices?.v1MountPoint)
        XCTAssertEqual(v2.devices?.v2MountPoint, "/sys/fs/cgroup")
        XCTAssertTrue(v2.lines(path: "/swiftbox/x").contains("parent: bpf(BPF_PROG_ATTACH, /sys/fs/cgroup/swiftbox/x, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)"))
        XCTAssertEqual(v2.enableV2, [], "device programs need no controller")
        XCTAssertThrowsError(try ResourcePlan.make(nil, devices: rules, hierarchies: [], v2Controllers: [])) {
            XCTAssertEqual("\($0)", "devices: controller not available on this host")
        }
        XCTAssertNil(try ResourcePlan.make(nil, devices: [], hierarchies: CgroupResourceTests.v2Host, v2Controllers: []).devices)
    }

    func testResourcesDevicesDecodeFromOCIJSON() throws {
        let json = #"{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":10,"minor":229,"access":"rw"}]}"#
        let r = try JSONDecoder().decode(LinuxResources.self, from: Data(json.utf8))
        XCTAssertEqual(try r.devices?.map(DeviceRule.init).map(\.description), ["deny a *:* rwm", "allow c 10:229 rw"])
    }
}
