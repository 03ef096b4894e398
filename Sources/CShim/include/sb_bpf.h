// bpf(2) for cgroup device programs. Swift cannot call the variadic syscall(2), and
// union bpf_attr is easiest filled in C; so these four wrappers take plain values.
// The program itself is generated in Swift (SwiftboxCgroup/DeviceFilterProgram.swift)
// as an array of struct bpf_insn encodings. See bpf(2) and
// Documentation/bpf/prog_cgroup_device.rst (historically cgroup-v2.rst "Device
// controller").
#ifndef SB_BPF_H
#define SB_BPF_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program: `insns` holds `count`
/// struct bpf_insn (8 bytes each). The verifier's complaint, if any, goes to `log`
/// (log_level 1). Returns the program fd (O_CLOEXEC) or -1 with errno.
int sb_bpf_load_device_program(const void *insns, uint32_t count, char *log, uint32_t log_size);

/// BPF_PROG_ATTACH of `prog_fd` to the cgroup v2 directory `cgroup_fd`, attach type
/// BPF_CGROUP_DEVICE, flags BPF_F_ALLOW_MULTI (other programs, e.g. a parent's, keep
/// running too: the device is allowed only if every one of them allows it).
int sb_bpf_attach_device_program(int cgroup_fd, int prog_fd);

/// BPF_PROG_DETACH of `prog_fd` (attach type BPF_CGROUP_DEVICE) from `cgroup_fd`.
int sb_bpf_detach_device_program(int cgroup_fd, int prog_fd);

/// BPF_PROG_QUERY: the ids of the BPF_CGROUP_DEVICE programs attached to this very
/// cgroup (not its ancestors'). `*count`: capacity in, number found out.
int sb_bpf_query_device_programs(int cgroup_fd, uint32_t *ids, uint32_t *count);

/// BPF_PROG_GET_FD_BY_ID: an fd for a loaded program (to detach it).
int sb_bpf_program_fd(uint32_t id);

#ifdef __cplusplus
}
#endif
#endif
