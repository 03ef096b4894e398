// Hands a LaunchPlan to the C executor: converts each op into an `sb_op` record (C
// strings and byte blobs that stay alive until the child has been cloned), calls
// sb_launch, and turns the child's (op index, errno) reports back into errors that
// name the operation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CShim
import SwiftboxKernel

public struct LaunchError: Error, CustomStringConvertible {
    public var op: String
    public var errno: Int32
    /// The process could not be found or executed: Docker maps these to 127 and 126.
    public var isExec: Bool

    public var description: String {
        if isExec {
            if errno == ENOENT { return "exec \(op): executable file not found in $PATH or no such file" }
            // Lower case, as Go prints errnos: dockerd picks the exit code by substring
            // ("permission denied" → 126), and runc's messages are what it expects.
            return "exec \(op): \(Errno.message(errno).lowercased())"
        }
        return "\(op): \(Errno.name(errno)) (\(Errno.message(errno)))"
    }
}

/// A child that was cloned and is waiting for `release`.
public final class LaunchedChild {
    public let pid: Int32
    var syncFD: Int32
    let reportFD: Int32
    let plan: LaunchPlan
    /// When the clone began (CLOCK_MONOTONIC ns), set only when a Narrator records.
    public var launchedAt: Int64 = 0
    /// When each op of the executor began, when a Narrator records.
    let stamps: ExecutorStamps?

    init(pid: Int32, syncFD: Int32, reportFD: Int32, plan: LaunchPlan, stamps: ExecutorStamps?) {
        self.pid = pid
        self.syncFD = syncFD
        self.reportFD = reportFD
        self.plan = plan
        self.stamps = stamps
    }

    deinit {
        if syncFD >= 0 { close(syncFD) }
        close(reportFD)
    }

    /// Let the child go past SB_OP_WAIT_PARENT.
    /// Called once per SB_OP_WAIT_PARENT in the plan, in order.
    public func release() throws {
        var byte: UInt8 = 1
        guard write(syncFD, &byte, 1) == 1 else { throw KernelError("write", ["sync pipe"]) }
    }

    public enum Outcome: Equatable { case created, executed }

    /// Wait for the child's report: "created" (blocked on the exec fifo), or the error
    /// pipe closing because execve succeeded. Throws the child's failure.
    public func awaitOutcome() throws -> Outcome {
        var report = sb_report()
        let size = MemoryLayout<sb_report>.size
        while true {
            let n = withUnsafeMutableBytes(of: &report) { read(reportFD, $0.baseAddress, size) }
            if n < 0 && errno == EINTR { continue }
            if n == 0 { return .executed }
            guard n == size else { throw KernelError("read", ["report pipe"]) }
            break
        }
        if report.kind == Int32(SB_REPORT_CREATED) { return .created }
        let index = Int(report.op_index)
        let op = index < plan.ops.count ? plan.ops[index] : nil
        if case .exec(let path, _, _)? = op {
            throw LaunchError(op: path, errno: report.err, isExec: true)
        }
        let text = op.map { "\($0)" } ?? "launch plan"
        let step = report.detail > 0 ? " (step \(report.detail))" : ""
        throw LaunchError(op: text + step, errno: report.err, isExec: false)
    }
}

public enum Launcher {
    /// Clone the child. It runs the plan up to SB_OP_WAIT_PARENT and waits for `release`.
    /// `stamps`: shared memory the child notes each op's start in (a traced start).
    public static func launch(_ plan: LaunchPlan, traceFD: Int32 = -1, cgroupTaskFDs: [Int32] = [],
                              cgroupDirectoryFD: Int32 = -1, stamps: ExecutorStamps? = nil) throws -> LaunchedChild {
        // A child that joins a running container must not lead it to our binary.
        if plan.entersRunningContainer { try SealedExecutable.require() }
        let arena = CArena()
        arena.cgroupTaskFDs = cgroupTaskFDs
        var ops: [sb_op] = plan.ops.map { arena.convert($0) }
        var argv: [UnsafeMutablePointer<CChar>?] = []
        var envp: [UnsafeMutablePointer<CChar>?] = []
        if case .exec(_, let args, let env)? = plan.ops.last {
            argv = args.map { arena.string($0) } + [nil]
            envp = env.map { arena.string($0) } + [nil]
        }
        var pidnsFD: Int32 = -1
        if let path = plan.joinPidNamespace {
            pidnsFD = open(path, O_RDONLY | O_CLOEXEC)
            guard pidnsFD >= 0 else { throw KernelError("open", [path]) }
        }
        defer { if pidnsFD >= 0 { close(pidnsFD) } }
        let back = try Launcher.enter(plan.joinBeforeClone)
        defer { Launcher.leave(back) }
        let result: sb_launch_result = ops.withUnsafeMutableBufferPointer { opsBuf in
            argv.withUnsafeMutableBufferPointer { argvBuf in
                envp.withUnsafeMutableBufferPointer { envBuf in
                    var cplan = sb_plan(ops: opsBuf.baseAddress, count: opsBuf.count,
                                        argv: argvBuf.baseAddress, envp: envBuf.baseAddress, trace_fd: traceFD,
                                        preserve_fds: plan.preserveFDs,
                                        nondumpable: plan.entersRunningContainer ? 1 : 0,
                                        stamps: stamps?.pointer)
                    return sb_launch(&cplan, plan.cloneFlags, pidnsFD, cgroupDirectoryFD)
                }
            }
        }
        withExtendedLifetime(arena) {}
        guard result.pid > 0 else {
            let flags = plan.cloneNamespaces.map(\.flagName).joined(separator: "|")
            throw KernelError("clone", [flags.isEmpty ? "SIGCHLD" : flags + "|SIGCHLD"], errno: result.err)
        }
        return LaunchedChild(pid: result.pid, syncFD: result.sync_fd, reportFD: result.report_fd, plan: plan, stamps: stamps)
    }
}

/// Owns the C memory of one conversion; freed after clone (the child has its own copy).
final class CArena {
    var pointers: [UnsafeMutableRawPointer] = []
    var cgroupTaskFDs: [Int32] = []

    deinit { pointers.forEach { free($0) } }

    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let p = strdup(s)!
        pointers.append(UnsafeMutableRawPointer(p))
        return p
    }

    func blob(_ bytes: [UInt8]) -> UnsafeRawPointer {
        let p = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        pointers.append(p)
        return UnsafeRawPointer(p)
    }

    func convert(_ op: LaunchOp) -> sb_op {
        var c = sb_op()
        c.desc = UnsafePointer(string(op.description))
        func s(_ v: String) -> UnsafePointer<CChar> { UnsafePointer(string(v)) }
        switch op {
        case .setns(let path, let type):
            c.kind = Int32(SB_OP_SETNS.rawValue); c.a = s(path); c.n1 = Int64(type.cloneFlag)
        case .waitParent: c.kind = Int32(SB_OP_WAIT_PARENT.rawValue)
        case .unshare(let kind): c.kind = Int32(SB_OP_UNSHARE.rawValue); c.n1 = Int64(kind.cloneFlag)
        case .setPropagation(let flags, _): c.kind = Int32(SB_OP_SET_PROPAGATION.rawValue); c.n1 = Int64(flags)
        case .bindRootfs(let path): c.kind = Int32(SB_OP_BIND_ROOTFS.rawValue); c.a = s(path)
        case .makeParentMountPrivate(let path): c.kind = Int32(SB_OP_PARENT_PRIVATE.rawValue); c.a = s(path)
        case .chrootRootfs: c.kind = Int32(SB_OP_CHROOT.rawValue)
        case .mount(let m):
            c.kind = Int32(SB_OP_MOUNT.rawValue)
            c.a = s(m.source); c.b = s(m.destination)
            c.c = m.fsType.isEmpty ? nil : s(m.fsType)
            c.d = m.data.isEmpty ? nil : s(m.data)
            c.flags = m.flags; c.n1 = Int64(m.propagation); c.n2 = m.targetIsFile ? 1 : 0
        case .mknod(let path, let type, let major, let minor, let mode, let uid, let gid):
            c.kind = Int32(SB_OP_MKNOD.rawValue); c.b = s(path)
            let fileType: UInt32 = type == "b" ? 0o060000 : type == "p" ? 0o010000 : 0o020000
            c.n1 = Int64(fileType | mode)
            c.n2 = Int64(bitPattern: makedev(UInt64(major), UInt64(minor)))
            c.n3 = Int64(bitPattern: (UInt64(uid) << 32) | UInt64(gid))
        case .symlink(let target, let path): c.kind = Int32(SB_OP_SYMLINK.rawValue); c.a = s(target); c.b = s(path)
        case .openExecFifo(let path): c.kind = Int32(SB_OP_OPEN_EXEC_FIFO.rawValue); c.a = s(path)
        case .pivotRoot: c.kind = Int32(SB_OP_PIVOT_ROOT.rawValue)
        case .writeFile(let path, let content): c.kind = Int32(SB_OP_WRITE_FILE.rawValue); c.a = s(path); c.d = s(content)
        case .maskPath(let p): c.kind = Int32(SB_OP_MASK_PATH.rawValue); c.a = s(p)
        case .readonlyPath(let p): c.kind = Int32(SB_OP_READONLY_PATH.rawValue); c.a = s(p)
        case .remountRootReadonly: c.kind = Int32(SB_OP_REMOUNT_ROOT_RO.rawValue)
        case .sethostname(let h): c.kind = Int32(SB_OP_SETHOSTNAME.rawValue); c.a = s(h)
        case .setdomainname(let d): c.kind = Int32(SB_OP_SETDOMAINNAME.rawValue); c.a = s(d)
        case .setrlimit(_, let res, let soft, let hard):
            c.kind = Int32(SB_OP_SETRLIMIT.rawValue); c.n1 = Int64(res)
            c.n2 = Int64(bitPattern: soft); c.n3 = Int64(bitPattern: hard)
        case .console(let fd, let rows, let cols):
            c.kind = Int32(SB_OP_CONSOLE.rawValue); c.n1 = Int64(fd); c.n2 = Int64(rows); c.n3 = Int64(cols)
        case .noNewPrivileges: c.kind = Int32(SB_OP_NO_NEW_PRIVS.rawValue)
        case .seccomp(let prog):
            c.kind = Int32(SB_OP_SECCOMP.rawValue); c.blob = blob(prog.bytes); c.blob_len = prog.bytes.count
            c.n1 = Int64(prog.flags)
        case .dropBounding(let keep, let last):
            c.kind = Int32(SB_OP_DROP_BOUNDING.rawValue)
            c.n1 = Int64(keep & 0xffff_ffff); c.n2 = Int64(keep >> 32); c.n3 = Int64(last)
        case .keepCaps(let on): c.kind = Int32(SB_OP_KEEPCAPS.rawValue); c.n1 = on ? 1 : 0
        case .setgroups(let gids):
            c.kind = Int32(SB_OP_SETGROUPS.rawValue)
            let bytes = gids.withUnsafeBytes { Array($0) }
            c.blob = blob(bytes); c.blob_len = bytes.count
        case .setresgid(let g): c.kind = Int32(SB_OP_SETRESGID.rawValue); c.n1 = Int64(g)
        case .setresuid(let u): c.kind = Int32(SB_OP_SETRESUID.rawValue); c.n1 = Int64(u)
        case .capset(let e, let p, let i):
            c.kind = Int32(SB_OP_CAPSET.rawValue)
            let words: [UInt32] = [UInt32(e & 0xffff_ffff), UInt32(p & 0xffff_ffff), UInt32(i & 0xffff_ffff),
                                   UInt32(e >> 32), UInt32(p >> 32), UInt32(i >> 32)]
            let bytes = words.withUnsafeBytes { Array($0) }
            c.blob = blob(bytes); c.blob_len = bytes.count
        case .ambient(let a):
            c.kind = Int32(SB_OP_AMBIENT.rawValue); c.n1 = Int64(a & 0xffff_ffff); c.n2 = Int64(a >> 32)
        case .umask(let m): c.kind = Int32(SB_OP_UMASK.rawValue); c.n1 = Int64(m)
        case .chdirBeforeUser(let d): c.kind = Int32(SB_OP_CHDIR.rawValue); c.a = s(d); c.n1 = 1
        case .chdir(let d): c.kind = Int32(SB_OP_CHDIR.rawValue); c.a = s(d)
        case .closeFDs(let from): c.kind = Int32(SB_OP_CLOSE_FDS.rawValue); c.n1 = Int64(from)
        case .waitStart: c.kind = Int32(SB_OP_WAIT_START.rawValue)
        case .exec(let path, _, _): c.kind = Int32(SB_OP_EXEC.rawValue); c.a = s(path)
        case .initProcess: c.kind = Int32(SB_OP_INIT.rawValue)
        case .loopbackUp: c.kind = Int32(SB_OP_LOOPBACK_UP.rawValue)
        case .joinCgroups:
            c.kind = Int32(SB_OP_JOIN_CGROUPS.rawValue)
            let bytes = cgroupTaskFDs.withUnsafeBytes { Array($0) }
            c.blob = blob(bytes); c.blob_len = bytes.count
        }
        return c
    }
}

/// makedev(3) as glibc encodes dev_t (the macro is not importable).
func makedev(_ major: UInt64, _ minor: UInt64) -> UInt64 {
    ((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff)
}

extension Launcher {
    /// Put this thread into each namespace (LaunchPlan.joinBeforeClone); what to
    /// setns back to afterwards: the thread's own namespaces, opened first.
    static func enter(_ namespaces: [JoinedNamespace]) throws -> [(fd: Int32, flag: Int32)] {
        var back: [(fd: Int32, flag: Int32)] = []
        do {
            for ns in namespaces {
                let flag = Int32(ns.type.cloneFlag)
                let own = open("/proc/thread-self/ns/\(ns.type.procName)", O_RDONLY | O_CLOEXEC)
                guard own >= 0 else { throw KernelError("open", ["/proc/thread-self/ns/\(ns.type.procName)"]) }
                back.append((own, flag))
                let target = open(ns.path, O_RDONLY | O_CLOEXEC)
                guard target >= 0 else { throw KernelError("open", [ns.path]) }
                defer { close(target) }
                guard sb_setns(target, flag) == 0 else { throw KernelError("setns", [ns.path, ns.type.flagName]) }
            }
        } catch {
            leave(back)
            throw error
        }
        return back
    }

    static func leave(_ back: [(fd: Int32, flag: Int32)]) {
        for (fd, flag) in back.reversed() { _ = sb_setns(fd, flag); close(fd) }
    }
}
