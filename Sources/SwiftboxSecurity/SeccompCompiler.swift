// Compiles linux.seccomp from config.json into a classic BPF program with libseccomp,
// in the parent. The child only has to hand the bytes to seccomp(2) — no library
// code runs between clone and execve. See seccomp(2) and seccomp_rule_add(3).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CSeccomp
import CShim
import SwiftboxKernel
import SwiftboxOCI

public struct SeccompProgram: Equatable, Sendable {
    /// struct sock_filter[] as bytes (8 bytes per instruction).
    public var bytes: [UInt8]
    /// SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER, flags, …).
    public var flags: UInt32
    /// Syscall names the profile lists that this libseccomp does not know (skipped, as runc does).
    public var unknownSyscalls: [String]
    public var instructionCount: Int { bytes.count / 8 }
}

public enum SeccompCompiler {
    // The SCMP_ACT_* values (seccomp.h macros are not importable into Swift).
    static func action(_ name: String, errnoRet: UInt32?, defaultErrno: UInt32?) throws -> UInt32 {
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return 0x0000_0000
        case "SCMP_ACT_KILL_PROCESS": return 0x8000_0000
        case "SCMP_ACT_TRAP": return 0x0003_0000
        case "SCMP_ACT_ERRNO": return 0x0005_0000 | ((errnoRet ?? defaultErrno ?? UInt32(EPERM)) & 0xffff)
        case "SCMP_ACT_TRACE": return 0x7ff0_0000 | ((errnoRet ?? defaultErrno ?? UInt32(EPERM)) & 0xffff)
        case "SCMP_ACT_LOG": return 0x7ffc_0000
        case "SCMP_ACT_ALLOW": return 0x7fff_0000
        default: throw SecurityError.seccomp("unsupported action \"\(name)\"")
        }
    }

    static func compareOp(_ name: String) throws -> scmp_compare {
        switch name {
        case "SCMP_CMP_NE": return SCMP_CMP_NE
        case "SCMP_CMP_LT": return SCMP_CMP_LT
        case "SCMP_CMP_LE": return SCMP_CMP_LE
        case "SCMP_CMP_EQ": return SCMP_CMP_EQ
        case "SCMP_CMP_GE": return SCMP_CMP_GE
        case "SCMP_CMP_GT": return SCMP_CMP_GT
        case "SCMP_CMP_MASKED_EQ": return SCMP_CMP_MASKED_EQ
        default: throw SecurityError.seccomp("unsupported argument operator \"\(name)\"")
        }
    }

    static func flag(_ name: String) throws -> UInt32 {
        switch name {
        case "SECCOMP_FILTER_FLAG_TSYNC": return 1
        case "SECCOMP_FILTER_FLAG_LOG": return 2
        case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": return 4
        default: throw SecurityError.seccomp("unsupported flag \"\(name)\"")
        }
    }

    /// Compiled filters by content: compiling Docker's kind of default profile (some 350
    /// calls on three architectures) costs libseccomp about 5 ms, more than the rest of a
    /// container start. Keyed by the SHA-256 of the profile (cacheKey); root-only (0700).
    public static var cacheDirectory: String? = "/run/swiftbox/seccomp"
    /// Names how programs are compiled: a change of compiler never reuses an old program.
    static let cacheTag = "swiftbox seccomp v3: libseccomp binary tree, ENOSYS past the newest named call\n"

    /// Every field of the profile, each string length-prefixed (so no two profiles give
    /// the same bytes), after cacheTag. Not JSONEncoder: encoding the ~350 names of a
    /// default profile cost 0.4 ms of each start, before the container's clone.
    static func cacheKey(_ spec: RuntimeSpec.Seccomp) -> [UInt8] {
        var out = Array(cacheTag.utf8)
        func put(_ text: String) { out += Array("\(text.utf8.count):".utf8); out += Array(text.utf8) }
        func put(_ number: UInt64?) { put(number.map { String($0) } ?? "-") }
        func put(_ list: [String]?) {
            guard let list else { return put("-") }
            put(UInt64(list.count))
            list.forEach { put($0) }
        }
        put(spec.defaultAction)
        put(spec.defaultErrnoRet.map(UInt64.init))
        put(spec.architectures)
        put(spec.flags)
        put(spec.syscalls.map { UInt64($0.count) })
        for rule in spec.syscalls ?? [] {
            put(rule.action)
            put(rule.errnoRet.map(UInt64.init))
            put(rule.names)
            put(rule.args.map { UInt64($0.count) })
            for arg in rule.args ?? [] {
                put(UInt64(arg.index))
                put(arg.value)
                put(arg.valueTwo)
                put(arg.op)
            }
        }
        return out
    }

    public static func compile(_ spec: RuntimeSpec.Seccomp) throws -> SeccompProgram {
        guard let dir = cacheDirectory else { return try compileUncached(spec) }
        var hasher = SHA256Hasher()
        hasher.update(cacheKey(spec))
        let path = dir + "/" + hasher.finalizeHex() + ".bpf"
        if let cached = try? FileSystem.read(path), cached.count >= 4 {
            let flags = cached.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            return SeccompProgram(bytes: Array(cached.dropFirst(4)), flags: flags, unknownSyscalls: [])
        }
        let program = try compileUncached(spec)
        let header = (0..<4).map { UInt8((program.flags >> (8 * UInt32($0))) & 0xff) }
        if (try? FileSystem.makeDirectories(dir, mode: 0o700)) != nil {
            try? FileSystem.writeAtomically(path, header + program.bytes, mode: 0o600, fsync: false)
        }
        return program
    }

    static func compileUncached(_ spec: RuntimeSpec.Seccomp) throws -> SeccompProgram {
        let defaultAction = try action(spec.defaultAction, errnoRet: spec.defaultErrnoRet, defaultErrno: nil)
        guard let ctx = seccomp_init(defaultAction) else { throw SecurityError.seccomp("seccomp_init failed") }
        defer { seccomp_release(ctx) }
        // Leave no_new_privs to the plan: it is set (or not) as config.json says.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)
        // The syscall checks as a binary tree, not a list. When a filter is loaded the
        // kernel runs it once for every syscall number of each architecture (to cache
        // the ones that are always allowed), so a list of ~350 calls costs it a
        // quadratic walk: measured here, loading Docker's kind of default profile took
        // 0.7-1.2 ms as a list (1083 instructions) and 0.3-0.5 ms as a tree (1347), in
        // the container's set-up, between clone and execve. Older libseccomp (< 2.5)
        // does not know the attribute and keeps the list.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)

        for arch in spec.architectures ?? [] {
            var name = arch.lowercased()
            if name.hasPrefix("scmp_arch_") { name.removeFirst("scmp_arch_".count) }
            let token = seccomp_arch_resolve_name(name)
            guard token != 0 else { throw SecurityError.seccomp("unknown architecture \"\(arch)\"") }
            let rc = seccomp_arch_add(ctx, token)
            if rc != 0 && rc != -EEXIST { throw SecurityError.seccomp("seccomp_arch_add(\(arch)): \(Errno.name(-rc))") }
        }

        var flags: UInt32 = 0
        for f in spec.flags ?? [] { flags |= try flag(f) }

        var unknown: [String] = []
        // The highest syscall number the profile names on this architecture, whatever
        // its action: numbers above it are calls newer than the profile (see enosysStub).
        var newestNamed: Int32 = -1
        for rule in spec.syscalls ?? [] {
            for name in rule.names {
                let nr = seccomp_syscall_resolve_name(name)
                if nr != __NR_SCMP_ERROR && nr >= 0 { newestNamed = max(newestNamed, nr) }
            }
        }
        for rule in spec.syscalls ?? [] {
            let act = try action(rule.action, errnoRet: rule.errnoRet, defaultErrno: spec.defaultErrnoRet)
            // libseccomp refuses a rule whose action equals the default; it would be a no-op.
            if act == defaultAction { continue }
            var cmps: [scmp_arg_cmp] = []
            for arg in rule.args ?? [] {
                guard arg.index < 6 else { throw SecurityError.seccomp("syscall argument index \(arg.index) is out of range 0-5") }
                cmps.append(scmp_arg_cmp(arg: arg.index, op: try compareOp(arg.op),
                                         datum_a: arg.value, datum_b: arg.valueTwo ?? 0))
            }
            for name in rule.names {
                let nr = seccomp_syscall_resolve_name(name)
                if nr == __NR_SCMP_ERROR { unknown.append(name); continue }
                let rc = cmps.withUnsafeBufferPointer {
                    seccomp_rule_add_array(ctx, act, nr, UInt32($0.count), $0.baseAddress)
                }
                if rc != 0 {
                    throw SecurityError.seccomp("cannot add rule for \(name) (\(rule.action)): \(Errno.message(-rc))")
                }
            }
        }

        // Export the BPF program into an anonymous memory file and read it back.
        let fd = sb_memfd("swiftbox-seccomp")
        guard fd >= 0 else { throw KernelError("memfd_create", ["swiftbox-seccomp"]) }
        defer { close(fd) }
        let rc = seccomp_export_bpf(ctx, fd)
        guard rc == 0 else { throw SecurityError.seccomp("seccomp_export_bpf: \(Errno.message(-rc))") }
        let size = lseek(fd, 0, SEEK_END)
        lseek(fd, 0, SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n == Int(size) else { throw KernelError("pread", ["memfd"]) }
        // Calls newer than the profile get ENOSYS rather than the default action's errno
        // (usually EPERM): "not implemented" is what makes glibc fall back from clone3,
        // close_range, faccessat2 or openat2 to the older call, where EPERM is taken as
        // a real refusal. runc and crun do the same. Not needed when the default allows.
        let allows: Set<UInt32> = [0x7fff_0000, 0x7ffc_0000]
        if !allows.contains(defaultAction) && newestNamed >= 0 {
            bytes = enosysStub(arch: seccomp_arch_native(), newestNamed: UInt32(newestNamed)) + bytes
        }
        return SeccompProgram(bytes: bytes, flags: flags, unknownSyscalls: unknown)
    }

    /// Six classic-BPF instructions put before libseccomp's program (struct sock_filter,
    /// linux/filter.h; jumps are relative and forward, so the program after them is
    /// unchanged):
    ///
    ///     0: ld  [4]                      seccomp_data.arch
    ///     1: jeq #NATIVE_ARCH, 0, 4       another architecture: to 6
    ///     2: ld  [0]                      seccomp_data.nr
    ///     3: jge #0x40000000, 2, 0        x32 calls (x86_64 only): to 6
    ///     4: jgt #newestNamed, 0, 1       known to the profile: to 6
    ///     5: ret #SECCOMP_RET_ERRNO|ENOSYS
    ///     6: libseccomp's program
    static func enosysStub(arch: UInt32, newestNamed: UInt32) -> [UInt8] {
        let auditArchX86_64: UInt32 = 0xC000_003E
        let x32Bit: UInt32 = arch == auditArchX86_64 ? 0x4000_0000 : 0xFFFF_FFFF
        let program: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)] = [
            (0x20, 0, 0, 4),                       // BPF_LD|BPF_W|BPF_ABS
            (0x15, 0, 4, arch),                    // BPF_JMP|BPF_JEQ|BPF_K
            (0x20, 0, 0, 0),
            (0x35, 2, 0, x32Bit),                  // BPF_JMP|BPF_JGE|BPF_K
            (0x25, 0, 1, newestNamed),             // BPF_JMP|BPF_JGT|BPF_K
            (0x06, 0, 0, 0x0005_0000 | UInt32(ENOSYS)),   // BPF_RET|BPF_K
        ]
        var out: [UInt8] = []
        for i in program {
            out += [UInt8(i.code & 0xff), UInt8(i.code >> 8), i.jt, i.jf]
            out += (0..<4).map { UInt8((i.k >> (8 * UInt32($0))) & 0xff) }
        }
        return out
    }
}
