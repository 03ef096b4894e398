// Thin wrappers: see include/sb_bpf.h.
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sb_bpf.h"

static int sb_bpf(int cmd, union bpf_attr *attr) {
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int sb_bpf_load_device_program(const void *insns, uint32_t count, char *log, uint32_t log_size) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = count;
    // Device programs need no GPL-only helpers; the license is only recorded.
    attr.license = (uint64_t)(uintptr_t)"Apache-2.0";
    int fd = sb_bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0 || log == NULL || log_size == 0) return fd;
    // Load again with the verifier's log, only to explain the failure.
    int saved = errno;
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = log_size;
    attr.log_level = 1;
    log[0] = 0;
    (void)sb_bpf(BPF_PROG_LOAD, &attr);
    errno = saved;
    return -1;
}

int sb_bpf_attach_device_program(int cgroup_fd, int prog_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    return sb_bpf(BPF_PROG_ATTACH, &attr);
}

int sb_bpf_detach_device_program(int cgroup_fd, int prog_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    return sb_bpf(BPF_PROG_DETACH, &attr);
}

int sb_bpf_query_device_programs(int cgroup_fd, uint32_t *ids, uint32_t *count) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t)cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
    attr.query.prog_cnt = *count;
    int rc = sb_bpf(BPF_PROG_QUERY, &attr);
    *count = attr.query.prog_cnt;
    return rc;
}

int sb_bpf_program_fd(uint32_t id) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = id;
    attr.open_flags = 0;
    return sb_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
}
