// CShim: the only C in swiftbox.
//
// Swift code must not run in the child between clone(2) and execve(2): the Swift
// runtime and Dispatch own threads and locks that do not survive a fork of a
// multi-threaded process. So Swift compiles the container's start into a flat list
// of `sb_op` records (a "launch plan") and this small executor runs that list in the
// child with raw system calls only. Failure is reported to the parent as
// (op index, errno) over an error pipe; success is seen by the parent as that
// pipe closing on execve (it is O_CLOEXEC).
#ifndef SWIFTBOX_CSHIM_H
#define SWIFTBOX_CSHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// O_PATH (a GNU extension, so Swift's Glibc module does not export it).
#define SB_O_PATH 010000000

/// The kinds of operation a launch plan can hold. Each is one kernel step (or a
/// tight group of them); docs/concepts.md and swiftbox-concepts(7) explain them.
typedef enum {
    SB_OP_SETNS = 1,          // a: path of /proc/PID/ns/X        n1: CLONE_NEW* type
    SB_OP_WAIT_PARENT,        // block until the parent has placed us in cgroups
    SB_OP_UNSHARE,            // n1: CLONE_NEW* flags (used for the cgroup namespace)
    SB_OP_SET_PROPAGATION,    // n1: MS_SLAVE|MS_PRIVATE|MS_SHARED|MS_UNBINDABLE (recursive on /)
    SB_OP_BIND_ROOTFS,        // a: rootfs path; bind it onto itself and open it as the root fd
    SB_OP_MOUNT,              // a: source b: destination (inside root) c: fstype d: data
                              // flags: MS_* ; n1: propagation flags ; n2: 1 = bind target is a file
    SB_OP_MKNOD,              // b: destination (inside root) n1: mode (type|perm) n2: dev_t n3: uid<<32|gid
    SB_OP_SYMLINK,            // a: link target  b: link path (inside root)
    SB_OP_OPEN_EXEC_FIFO,     // a: host path of the exec fifo (opened O_RDWR before pivot_root)
    SB_OP_PIVOT_ROOT,         // pivot_root(".", ".") inside the root, then detach the old root
    SB_OP_WRITE_FILE,         // a: path  d: contents (sysctl, oom_score_adj)
    SB_OP_MASK_PATH,          // a: path: /dev/null over a file, read-only empty tmpfs over a dir
    SB_OP_READONLY_PATH,      // a: path: bind onto itself, remount read-only
    SB_OP_REMOUNT_ROOT_RO,    // remount / read-only
    SB_OP_SETHOSTNAME,        // a: name
    SB_OP_SETDOMAINNAME,      // a: name
    SB_OP_SETRLIMIT,          // n1: resource n2: soft n3: hard
    SB_OP_CONSOLE,            // n1: fd of the connected console socket  n2/n3: rows/columns
    SB_OP_NO_NEW_PRIVS,
    SB_OP_SECCOMP,            // blob: struct sock_filter[] (blob_len bytes) n1: SECCOMP_FILTER_FLAG_*
    SB_OP_DROP_BOUNDING,      // n1: low 32 bits, n2: high 32 bits of the caps to KEEP
    SB_OP_KEEPCAPS,           // n1: 0/1
    SB_OP_SETGROUPS,          // blob: gid_t[] (blob_len bytes)
    SB_OP_SETRESGID,          // n1: gid
    SB_OP_SETRESUID,          // n1: uid
    SB_OP_CAPSET,             // blob: 6 x uint32 {eff lo, perm lo, inh lo, eff hi, perm hi, inh hi}
    SB_OP_AMBIENT,            // n1: low 32 bits, n2: high 32 bits of ambient caps to raise
    SB_OP_UMASK,              // n1: mask
    SB_OP_CHDIR,              // a: directory; n1 = 1: before the user switch, EACCES/EPERM tolerated
    SB_OP_CLOSE_FDS,          // n1: first fd to mark close-on-exec (3 + preserved fds)
    SB_OP_WAIT_START,         // report "created" to the parent, then block on the exec fifo
    SB_OP_EXEC,               // a: program  argv/envp in the plan; PATH lookup like execvp
    SB_OP_JOIN_CGROUPS,       // blob: int[] of open cgroup v1 `tasks` files; write "0" to each
    SB_OP_INIT,               // fork: the child goes on to exec; we stay as a minimal init (--init)
    SB_OP_PARENT_PRIVATE,     // a: rootfs path; make the mount it lives on MS_PRIVATE (for pivot_root)
    SB_OP_CHROOT,             // no mount namespace of our own: chroot(2) into the root fd instead of pivot_root
    SB_OP_LOOPBACK_UP,        // set IFF_UP on "lo" of a new network namespace (ioctl SIOCSIFFLAGS)
} sb_op_kind;

typedef struct {
    int kind;
    const char *a;
    const char *b;
    const char *c;
    const char *d;
    unsigned long flags;
    int64_t n1;
    int64_t n2;
    int64_t n3;
    const void *blob;
    size_t blob_len;
    const char *desc;           // human-readable form, printed by --log-level trace
} sb_op;

typedef struct {
    const sb_op *ops;
    size_t count;
    char *const *argv;          // NULL-terminated
    char *const *envp;          // NULL-terminated
    int trace_fd;               // >= 0: write one line per op as it runs (--log-level trace)
    int preserve_fds;           // fds 3 .. 3+preserve_fds-1 are passed to the container
    int nondumpable;            // 1: the child is not dumpable until its execve (it enters a
                                // running container: its /proc/PID/exe must stay closed there)
    int64_t *stamps;            // NULL, or count + 1 slots of MAP_SHARED memory (`swiftbox run
                                // --trace`): [0] = CLOCK_MONOTONIC ns when the child began,
                                // [i + 1] = when op i began; the parent reads them after execve
} sb_plan;

/// What the child reports over the error pipe.
typedef struct {
    int32_t kind;               // SB_REPORT_*
    int32_t op_index;           // the op that failed
    int32_t err;                // errno
    int32_t detail;             // op-specific (e.g. which step inside the op)
} sb_report;

enum { SB_REPORT_FAILED = 1, SB_REPORT_CREATED = 2 };

/// Result of sb_launch in the parent.
typedef struct {
    pid_t pid;                  // the child's pid (in the caller's pid namespace), or -1
    int sync_fd;                // write 1 byte to release SB_OP_WAIT_PARENT (or -1)
    int report_fd;              // read sb_report records; EOF means execve succeeded
    int err;                    // errno of clone itself when pid == -1
} sb_launch_result;

/// clone(2) a child with `clone_flags` (CLONE_NEW*) that runs `plan`.
/// `pidns_fd` >= 0: join that pid namespace for the child (setns in this thread first).
/// `cgroup_fd` >= 0: a cgroup v2 directory to start the child in (clone3 with
/// CLONE_INTO_CGROUP); if the kernel lacks clone3, res.err is ENOSYS and nothing ran.
sb_launch_result sb_launch(const sb_plan *plan, unsigned long clone_flags, int pidns_fd, int cgroup_fd);

/// Is /proc/self/exe safe to show a container (sealed_exe.c): 1 when it is on a read-only
/// mount or file system, or a memfd sealed against writes; else 0.
int sb_exe_is_sealed(void);

/// Re-execute our own executable from a sealed view of it (sealed_exe.c): a detached
/// read-only bind mount, else a sealed memfd copy (*method: 1 or 2). Returns only on
/// failure, -1 with errno.
int sb_exec_sealed(char *const argv[], char *const envp[], int *method);

/// Status helpers (the W* macros are not importable into Swift).
int sb_wifexited(int status);
int sb_wexitstatus(int status);
int sb_wifsignaled(int status);
int sb_wtermsig(int status);

/// Forward the usual terminating signals received by this process to `pid`.
void sb_forward_signals(pid_t pid);
void sb_forward_reset(void);

/// Receive a file descriptor sent with SCM_RIGHTS on `sock` (tests and console helpers).
int sb_recv_fd(int sock);

/// memfd_create(2) with MFD_CLOEXEC (needs _GNU_SOURCE, so not importable directly).
int sb_memfd(const char *name);

/// pidfd_open(2): a descriptor that polls readable when the process exits (-1 on error).
int sb_pidfd_open(int pid);

/// openat2(2) with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS: `path` is resolved as if
/// root_fd were "/" (absolute symlinks and ".." cannot leave it). O_CLOEXEC is added.
int sb_open_in_root(int root_fd, const char *path, int flags);

/// Create the missing directories of `path` inside the root (and an empty file for
/// the last component when last_is_file), then return an O_PATH fd of it.
int sb_mkdir_all_in_root(int root_fd, const char *path, int last_is_file);

/// fsetxattr(2) on an open file.
int sb_fsetxattr(int fd, const char *name, const void *value, size_t size);

/// lsetxattr(2) on the entry `name` in directory `dirfd` (via /proc/self/fd), for
/// entries that cannot be opened (symlinks).
int sb_setxattr_at(int dirfd, const char *name, const char *key, const void *value, size_t size);

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below us are reparented to us, not init.
int sb_set_subreaper(void);

/// posix_spawn flag POSIX_SPAWN_SETSID (glibc >= 2.26), not exported to Swift.
int sb_spawn_setsid_flag(void);

/// fork(2) for a helper that outlives its parent without an execve: in the child, a
/// session of its own, default signal dispositions and an empty signal mask, stdio on
/// /dev/null, `ready_fd` moved to fd 3 and every other descriptor closed. Returns what
/// fork returns (0 in the child). Only for single-threaded callers.
int sb_fork_detached(int ready_fd);

/// Make /proc/self/cmdline (what ps shows) read `args`, `len` bytes of NUL-terminated
/// strings: a forked helper names itself. With CAP_SYS_RESOURCE (prctl PR_SET_MM) the
/// kernel is pointed at a copy; without it the strings are written over the original
/// arguments (argv[0] .. the end of argv[argc-1]), cut to the space they had.
void sb_set_cmdline(const char *args, size_t len);

/// Is `path` (not followed if a symlink) the root of a mount? statx(2)'s
/// STATX_ATTR_MOUNT_ROOT (Linux 5.8): 1 yes, 0 no (or no such path), -1 when the kernel
/// cannot tell (then read /proc/self/mountinfo).
int sb_is_mount_root(const char *path);

/// pipe2(fds, O_CLOEXEC) (GNU; not exported to Swift).
int sb_pipe_cloexec(int fds[2]);

/// A new pseudo-terminal: returns the master fd and writes the slave's path (tests).
int sb_open_pty(char *slave_path, size_t size);

/// SIGWINCH bookkeeping for an attached terminal: start counting, and take the count.
void sb_watch_winch(void);
int sb_take_winch(void);

/// Create a FIFO at path with mode.
int sb_mkfifo(const char *path, unsigned int mode);

/// ioctl(TIOCSWINSZ) and friends are variadic; wrap the few we need.
int sb_set_nonblock(int fd, int on);

/// setns(fd, CLONE_NEWPID): set the pid namespace of our future children (pid_namespaces(7)).
int sb_setns_pid(int fd);

/// A long operation that must clean up when interrupted (a build): SIGINT, SIGTERM
/// and SIGHUP only set a flag, which sb_interrupted returns (the signal's number, or 0)
/// and the operation checks between its steps.
void sb_watch_interrupt(void);
int sb_interrupted(void);

#ifdef __cplusplus
}
#endif
#endif
