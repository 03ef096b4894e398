// Putting a device program in place: bpf(2) BPF_PROG_LOAD, then BPF_PROG_ATTACH to the
// container's cgroup v2 directory (attach type BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI).
// The attachment holds the program: our fd is closed at once, and the kernel frees
// the program when the cgroup is removed (rmdir) — nothing to clean up.
//
// On a hybrid host the container is in the v1 devices hierarchy *and* in a cgroup2
// directory; the kernel asks both: devcgroup_check_permission() runs the task's
// cgroup2 device programs first, then the v1 devices controller's list
// (security/device_cgroup.c). Either alone enforces the rules, so swiftbox uses the v1
// list there and loads a program only on pure cgroup v2 hosts (ResourcePlan.make).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CShim
import SwiftboxKernel

public enum DeviceFilterLoader {
    /// Attach the program of `rules` to the cgroup v2 directory `directory`. Programs
    /// attached there before (by an earlier `update`) are detached once the new one is
    /// in: in between both run, and a device is allowed only if both allow it.
    public static func attach(_ rules: [DeviceRule], directory: String) throws {
        let program = DeviceFilterProgram.instructions(rules)
        let code = DeviceFilterProgram.bytes(program)
        var log = [CChar](repeating: 0, count: 16384)
        let prog = code.withUnsafeBytes { sb_bpf_load_device_program($0.baseAddress, UInt32(program.count), &log, UInt32(log.count)) }
        guard prog >= 0 else {
            let e = errno
            let verifier = String(cString: log).split(separator: "\n").suffix(3).joined(separator: "; ")
            throw KernelError("bpf", ["BPF_PROG_LOAD", "BPF_PROG_TYPE_CGROUP_DEVICE", "\(program.count) insns"
                                      + (verifier.isEmpty ? "" : ", verifier: \(verifier)")], errno: e)
        }
        defer { close(prog) }
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw KernelError("open", [directory, "O_DIRECTORY"]) }
        defer { close(dir) }
        let previous = try attachedPrograms(dir, directory: directory)
        guard sb_bpf_attach_device_program(dir, prog) == 0 else {
            throw KernelError("bpf", ["BPF_PROG_ATTACH", directory, "BPF_CGROUP_DEVICE", "BPF_F_ALLOW_MULTI"])
        }
        for id in previous {
            let old = sb_bpf_program_fd(id)
            guard old >= 0 else { continue }   // detached meanwhile
            defer { close(old) }
            guard sb_bpf_detach_device_program(dir, old) == 0 || errno == ENOENT else {
                throw KernelError("bpf", ["BPF_PROG_DETACH", directory, "program \(id)"])
            }
        }
    }

    /// The ids of the device programs attached to this cgroup itself.
    static func attachedPrograms(_ dir: Int32, directory: String) throws -> [UInt32] {
        var ids = [UInt32](repeating: 0, count: 64)
        var count = UInt32(ids.count)
        guard sb_bpf_query_device_programs(dir, &ids, &count) == 0 else {
            throw KernelError("bpf", ["BPF_PROG_QUERY", directory, "BPF_CGROUP_DEVICE"])
        }
        return Array(ids.prefix(Int(count)))
    }
}
