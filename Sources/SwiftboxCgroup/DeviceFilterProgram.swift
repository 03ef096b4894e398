// Device rules → a cgroup v2 device program (BPF_PROG_TYPE_CGROUP_DEVICE). cgroup v2
// has no devices.allow file: the kernel runs the eBPF programs attached to a task's
// cgroup (and its ancestors) on every mknod(2) and open(2) of a device node, and
// refuses with EPERM when one returns 0. See Documentation/bpf/prog_cgroup_device.rst
// and linux/bpf.h.
//
// The program gets one argument, r1 = struct bpf_cgroup_dev_ctx *:
//     u32 access_type;   // (access << 16) | type
//     u32 major;
//     u32 minor;
// type: BPF_DEVCG_DEV_BLOCK 1, BPF_DEVCG_DEV_CHAR 2; access: BPF_DEVCG_ACC_MKNOD 1,
// READ 2, WRITE 4 (open(O_RDWR) asks for READ|WRITE at once).
//
// The program walks the rules from the last to the first; the first one that matches
// decides (return 1: allow, 0: deny). An allow rule matches when it grants every
// requested bit, a deny rule when it refuses any of them; when none matches the
// answer is 1, as with no program at all (DeviceRule.decide is the same in Swift).
// Docker's list starts with "deny a *:* rwm", which matches everything: the walk
// stops there and the program ends without a default.
//
// What one rule compiles to (`next` is the first instruction of the rule before it):
//     if w2 != TYPE goto next           ; unless the type is a
//     if w3 & ~ACCESS goto next         ; allow, unless ACCESS is rwm
//     if w3 & ACCESS goto +1; goto next ; deny, unless ACCESS is rwm
//     if w4 != MAJOR goto next          ; unless any major
//     if w5 != MINOR goto next          ; unless any minor
//     r0 = ALLOW
//     exit
// after a prologue that loads w2 = type, w3 = access, w4 = major, w5 = minor. The
// comparisons are 32-bit (BPF_JMP32, Linux 5.1+): the context fields are u32.

/// struct bpf_insn of linux/bpf.h, field for field.
public struct BPFInstruction: Equatable, Sendable, CustomStringConvertible {
    public var code: UInt8
    public var dst_reg: UInt8
    public var src_reg: UInt8
    public var off: Int16
    public var imm: Int32

    public init(code: UInt8, dst_reg: UInt8 = 0, src_reg: UInt8 = 0, off: Int16 = 0, imm: Int32 = 0) {
        self.code = code
        self.dst_reg = dst_reg
        self.src_reg = src_reg
        self.off = off
        self.imm = imm
    }

    // Opcode parts (linux/bpf_common.h and linux/bpf.h).
    public static let BPF_LDX: UInt8 = 0x01, BPF_ALU: UInt8 = 0x04, BPF_JMP: UInt8 = 0x05
    public static let BPF_JMP32: UInt8 = 0x06, BPF_ALU64: UInt8 = 0x07
    public static let BPF_W: UInt8 = 0x00, BPF_MEM: UInt8 = 0x60, BPF_K: UInt8 = 0x00
    public static let BPF_AND: UInt8 = 0x50, BPF_RSH: UInt8 = 0x70, BPF_MOV: UInt8 = 0xb0
    public static let BPF_JA: UInt8 = 0x00, BPF_JSET: UInt8 = 0x40, BPF_JNE: UInt8 = 0x50, BPF_EXIT: UInt8 = 0x90

    /// dst = *(u32 *)(src + off)
    static func loadWord(_ dst: UInt8, _ src: UInt8, _ off: Int16) -> BPFInstruction {
        .init(code: BPF_LDX | BPF_W | BPF_MEM, dst_reg: dst, src_reg: src, off: off)
    }
    /// wDST op= imm (32-bit ALU: the upper half becomes zero)
    static func alu32(_ op: UInt8, _ dst: UInt8, _ imm: Int32) -> BPFInstruction {
        .init(code: BPF_ALU | op | BPF_K, dst_reg: dst, imm: imm)
    }
    /// rDST = imm
    static func mov64(_ dst: UInt8, _ imm: Int32) -> BPFInstruction {
        .init(code: BPF_ALU64 | BPF_MOV | BPF_K, dst_reg: dst, imm: imm)
    }
    /// if wDST op imm goto +off (op: BPF_JNE, BPF_JSET)
    static func jump32(_ op: UInt8, _ dst: UInt8, _ imm: Int32, _ off: Int16) -> BPFInstruction {
        .init(code: BPF_JMP32 | op | BPF_K, dst_reg: dst, off: off, imm: imm)
    }
    static func goto(_ off: Int16) -> BPFInstruction { .init(code: BPF_JMP | BPF_JA, off: off) }
    static let exit = BPFInstruction(code: BPF_JMP | BPF_EXIT)

    /// The 8 bytes the kernel reads (little-endian; dst_reg is the low nibble).
    public var bytes: [UInt8] {
        let o = UInt16(bitPattern: off), i = UInt32(bitPattern: imm)
        return [code, (src_reg << 4) | (dst_reg & 0x0f), UInt8(o & 0xff), UInt8(o >> 8),
                UInt8(i & 0xff), UInt8((i >> 8) & 0xff), UInt8((i >> 16) & 0xff), UInt8(i >> 24)]
    }

    /// bpftool-like text of the instructions this generator emits.
    public var description: String {
        let B = BPFInstruction.self
        let hex = "0x" + String(UInt32(bitPattern: imm), radix: 16)
        switch code {
        case B.BPF_LDX | B.BPF_W | B.BPF_MEM: return "r\(dst_reg) = *(u32 *)(r\(src_reg) + \(off))"
        case B.BPF_ALU | B.BPF_AND | B.BPF_K: return "w\(dst_reg) &= \(hex)"
        case B.BPF_ALU | B.BPF_RSH | B.BPF_K: return "w\(dst_reg) >>= \(imm)"
        case B.BPF_ALU64 | B.BPF_MOV | B.BPF_K: return "r\(dst_reg) = \(imm)"
        case B.BPF_JMP32 | B.BPF_JNE | B.BPF_K: return "if w\(dst_reg) != \(imm) goto +\(off)"
        case B.BPF_JMP32 | B.BPF_JSET | B.BPF_K: return "if w\(dst_reg) & \(hex) goto +\(off)"
        case B.BPF_JMP | B.BPF_JA: return "goto +\(off)"
        case B.BPF_JMP | B.BPF_EXIT: return "exit"
        default: return "code=0x\(String(code, radix: 16)) dst=r\(dst_reg) src=r\(src_reg) off=\(off) imm=\(imm)"
        }
    }
}

public enum DeviceFilterProgram {
    /// BPF_DEVCG_DEV_BLOCK / BPF_DEVCG_DEV_CHAR.
    static func typeNumber(_ k: DeviceRule.Kind) -> Int32 { k == .block ? 1 : 2 }

    /// The program for `rules` (in the order they are given).
    public static func instructions(_ rules: [DeviceRule]) -> [BPFInstruction] {
        typealias I = BPFInstruction
        var program: [BPFInstruction] = [
            I.loadWord(2, 1, 0), I.alu32(I.BPF_AND, 2, 0xffff),   // w2 = access_type & 0xffff: the type
            I.loadWord(3, 1, 0), I.alu32(I.BPF_RSH, 3, 16),       // w3 = access_type >> 16: the access bits
            I.loadWord(4, 1, 4),                                  // w4 = major
            I.loadWord(5, 1, 8),                                  // w5 = minor
        ]
        for rule in rules.reversed() {
            // The checks jump to `next` (the end of this block); -1 marks that target.
            var checks: [BPFInstruction] = []
            if rule.kind != .all { checks.append(I.jump32(I.BPF_JNE, 2, typeNumber(rule.kind), -1)) }
            if rule.access != .all {
                let bits = rule.access.rawValue
                if rule.allow {
                    checks.append(I.jump32(I.BPF_JSET, 3, ~bits & DeviceRule.Access.all.rawValue, -1))
                } else {
                    checks.append(I.jump32(I.BPF_JSET, 3, bits, 1))
                    checks.append(I.goto(-1))
                }
            }
            if let m = rule.major { checks.append(I.jump32(I.BPF_JNE, 4, Int32(bitPattern: UInt32(truncatingIfNeeded: m)), -1)) }
            if let m = rule.minor { checks.append(I.jump32(I.BPF_JNE, 5, Int32(bitPattern: UInt32(truncatingIfNeeded: m)), -1)) }
            let block = checks + [I.mov64(0, rule.allow ? 1 : 0), I.exit]
            for (i, var insn) in block.enumerated() {
                if insn.off == -1 { insn.off = Int16(block.count - i - 1) }
                program.append(insn)
            }
            // A rule that matches every request ends the walk: the rules before it never decide.
            if checks.isEmpty { return program }
        }
        return program + [I.mov64(0, 1), I.exit]
    }

    /// The program as the bytes BPF_PROG_LOAD takes.
    public static func bytes(_ program: [BPFInstruction]) -> [UInt8] { program.flatMap(\.bytes) }

    /// One line per instruction, numbered: what --log-level trace and the docs show.
    public static func listing(_ program: [BPFInstruction]) -> [String] {
        program.enumerated().map { "\($0.offset): \($0.element)" }
    }
}
