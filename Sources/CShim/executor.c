// The launch-plan executor: runs in the container's first process, between clone(2)
// and execve(2). Raw system calls only — no allocation, no locks, no FILE* streams —
// because the parent is a multi-threaded Swift process and only this thread was
// copied. (snprintf into a stack buffer is the one libc formatter used: it takes no
// lock and allocates nothing for the %s/%d/%ld conversions used here.)
//
// Read it next to swiftbox-concepts(7): each case below is one step a container
// runtime performs, in the order the plan (built in Swift, SwiftboxRuntime/LaunchPlan)
// asks for it.
#define _GNU_SOURCE
#include "cshim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <net/if.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// State the ops share while the plan runs.
typedef struct {
    const sb_plan *plan;
    int sync_fd;     // read end: the parent releases SB_OP_WAIT_PARENT through it
    int report_fd;   // write end: failures and "created"; closes on execve (O_CLOEXEC)
    int root_fd;     // O_PATH fd of the bind-mounted rootfs, before pivot_root
    int fifo_fd;     // the exec fifo, for create/start
    int cwd_done;    // the working directory was entered before the user switch
} exec_state;

static void report(exec_state *st, int kind, int index, int err, int detail) {
    sb_report r = { kind, index, err, detail };
    ssize_t n;
    do { n = write(st->report_fd, &r, sizeof r); } while (n < 0 && errno == EINTR);
}

static void __attribute__((noreturn)) fail(exec_state *st, int index, int err, int detail) {
    report(st, SB_REPORT_FAILED, index, err, detail);
    _exit(127);
}

static void trace(exec_state *st, size_t index) {
    if (st->plan->trace_fd < 0) return;
    char buf[512];
    const sb_op *op = &st->plan->ops[index];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int n = snprintf(buf, sizeof buf, "swiftbox: trace: %ld.%06ld child[%zu] %s\n", (long)ts.tv_sec,
                     ts.tv_nsec / 1000, index, op->desc ? op->desc : "?");
    if (n > 0) (void)!write(st->plan->trace_fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/// `swiftbox run --trace`: note when slot `slot` began, in memory the parent shares
/// (mmap MAP_SHARED, inherited across clone). No system call (clock_gettime is in the
/// vDSO), no write(2), no formatting, so the times are the ops' own; untraced, one
/// NULL test per op.
static inline void stamp(const sb_plan *plan, size_t slot) {
    if (plan->stamps == NULL) return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    plan->stamps[slot] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/// openat2(2) with RESOLVE_IN_ROOT: ".." and absolute symlinks are resolved as if
/// root_fd were "/", so nothing in the image can make us leave the rootfs.
int sb_open_in_root(int root_fd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    while (*path == '/') path++;
    if (*path == 0) path = ".";
    return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/// Create every missing component of `path` inside the root (directories, and an
/// empty file for the last one when `last_is_file`), then return an O_PATH fd of it.
/// Each component is created relative to its parent *as resolved inside the root*.
int sb_mkdir_all_in_root(int root_fd, const char *path, int last_is_file) {
    char buf[4096];
    size_t len = strlen(path);
    if (len >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, path, len + 1);
    int fd = sb_open_in_root(root_fd, buf, O_PATH);
    if (fd >= 0 || errno != ENOENT) return fd;

    int parent = sb_open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
    if (parent < 0) return -1;
    char *p = buf;
    while (*p == '/') p++;
    while (*p) {
        char *slash = strchr(p, '/');
        int last = (slash == NULL);
        if (!last) *slash = 0;
        int isfile = last && last_is_file;
        // Resolve the prefix so far, inside the root.
        int next = sb_open_in_root(root_fd, buf, O_PATH);
        if (next < 0 && errno == ENOENT) {
            if (isfile) {
                int f = openat(parent, p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (f < 0 && errno != EEXIST) { close(parent); return -1; }
                if (f >= 0) close(f);
            } else if (mkdirat(parent, p, 0755) < 0 && errno != EEXIST) {
                close(parent); return -1;
            }
            next = sb_open_in_root(root_fd, buf, O_PATH);
        }
        close(parent);
        if (next < 0) return -1;
        parent = next;
        if (last) break;
        *slash = '/';
        p = slash + 1;
        while (*p == '/') p++;
    }
    return parent;
}

static void fd_path(char *out, size_t size, int fd) { snprintf(out, size, "/proc/self/fd/%d", fd); }

/// mount(2) onto a destination resolved inside the root, through /proc/self/fd so the
/// kernel mounts exactly on what openat2 resolved (no second, racy path walk).
static int op_mount(exec_state *st, const sb_op *op, int *detail) {
    *detail = 1;
    int fd = sb_mkdir_all_in_root(st->root_fd, op->b, op->n2 == 1);
    if (fd < 0) return -1;
    char target[64];
    fd_path(target, sizeof target, fd);
    unsigned long flags = op->flags;
    int is_bind = (flags & MS_BIND) != 0;
    *detail = 2;
    // A bind mount ignores most flags on the first call; they need a remount.
    unsigned long first = is_bind ? (flags & (MS_BIND | MS_REC)) : flags;
    if (mount(op->a, target, op->c, first, op->d) < 0) { close(fd); return -1; }
    close(fd);
    unsigned long rest = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    if (is_bind && rest != 0) {
        // Re-open: the old fd names the directory *under* the new mount.
        *detail = 3;
        fd = sb_open_in_root(st->root_fd, op->b, O_PATH);
        if (fd < 0) return -1;
        fd_path(target, sizeof target, fd);
        if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | rest, NULL) < 0) { close(fd); return -1; }
        close(fd);
    }
    if (op->n1 != 0) {
        *detail = 4;
        fd = sb_open_in_root(st->root_fd, op->b, O_PATH);
        if (fd < 0) return -1;
        fd_path(target, sizeof target, fd);
        if (mount(NULL, target, NULL, (unsigned long)op->n1, NULL) < 0) { close(fd); return -1; }
        close(fd);
    }
    return 0;
}

/// Open (creating it inside the root if needed) the parent directory of `path`;
/// `*name` is set to the last component.
static int open_parent_in_root(exec_state *st, const char *path, const char **name) {
    char parent[4096];
    const char *slash = strrchr(path, '/');
    size_t plen = slash ? (size_t)(slash - path) : 0;
    if (plen >= sizeof parent) { errno = ENAMETOOLONG; return -1; }
    memcpy(parent, path, plen);
    parent[plen] = 0;
    *name = slash ? slash + 1 : path;
    return plen ? sb_mkdir_all_in_root(st->root_fd, parent, 0) : sb_open_in_root(st->root_fd, "/", O_PATH);
}

static int op_mknod(exec_state *st, const sb_op *op) {
    const char *name;
    int dfd = open_parent_in_root(st, op->b, &name);
    if (dfd < 0) return -1;
    int rc = mknodat(dfd, name, (mode_t)op->n1, (dev_t)op->n2);
    if (rc < 0 && errno == EEXIST) rc = 0;
    if (rc == 0) {
        // mknod is subject to the umask; set the exact mode and owner the plan asks for.
        rc = fchmodat(dfd, name, (mode_t)(op->n1 & 07777), 0);
        if (rc == 0)
            rc = fchownat(dfd, name, (uid_t)((uint64_t)op->n3 >> 32), (gid_t)(op->n3 & 0xffffffff),
                          AT_SYMLINK_NOFOLLOW);
    }
    close(dfd);
    return rc;
}

static int op_symlink(exec_state *st, const sb_op *op) {
    const char *name;
    int dfd = open_parent_in_root(st, op->b, &name);
    if (dfd < 0) return -1;
    int rc = symlinkat(op->a, dfd, name);
    if (rc < 0 && errno == EEXIST) rc = 0;
    close(dfd);
    return rc;
}

/// The mount `path` lives on: walk up from `path` until a directory is the root of a
/// mount (statx(2) STATX_ATTR_MOUNT_ROOT), and make that one mount MS_PRIVATE. "/" is
/// always a mount root, so the walk ends. Not recursive: only the new root's parent
/// must stop being shared for pivot_root(2), and only our copy of the mount table
/// changes (we are in our own mount namespace).
static int op_parent_private(const sb_op *op) {
    char buf[4096];
    size_t len = strlen(op->a);
    if (len == 0 || len >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, op->a, len + 1);
    for (;;) {
        struct statx sx;
        if (statx(AT_FDCWD, buf, 0, 0, &sx) < 0) return -1;
        if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0) { errno = ENOTSUP; return -1; }
        if (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) return mount(NULL, buf, NULL, MS_PRIVATE, NULL);
        char *slash = strrchr(buf, '/');
        if (slash == NULL) { errno = EINVAL; return -1; }
        if (slash == buf) slash[1] = 0; else *slash = 0;
    }
}

/// A new network namespace holds one link, `lo`, and it is down: no 127.0.0.1, so a
/// process cannot reach itself on localhost. `ip link set lo up`, the netdevice(7)
/// way: read the flags (SIOCGIFFLAGS), add IFF_UP (SIOCSIFFLAGS). On the way up the
/// kernel gives a loopback device 127.0.0.1/8 and ::1 by itself. Four system calls,
/// where an rtnetlink request would need a message built here and its ack read back.
static int op_loopback_up(int *detail) {
    *detail = 1;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    int rc = -1;
    *detail = 2;
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        *detail = 3;
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(s);
    errno = saved;
    return rc;
}

/// pivot_root(2) with new_root == put_old == ".": the old root ends up stacked under
/// the new one and is then detached. chroot(2) would leave the host's root reachable.
static int op_pivot_root(exec_state *st, int *detail) {
    *detail = 1;
    if (fchdir(st->root_fd) < 0) return -1;
    *detail = 2;
    if (syscall(SYS_pivot_root, ".", ".") < 0) return -1;
    // Make the old root a slave before detaching it, so the unmount cannot
    // propagate back to the host's mount table.
    *detail = 3;
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return -1;
    *detail = 4;
    if (umount2(".", MNT_DETACH) < 0) return -1;
    *detail = 5;
    if (chdir("/") < 0) return -1;
    close(st->root_fd);
    st->root_fd = -1;
    return 0;
}

/// Keep the per-mount flags the kernel may have locked (nosuid, nodev, noexec) when
/// remounting read-only.
static unsigned long locked_flags(const char *path) {
    struct statvfs s;
    unsigned long f = 0;
    if (statvfs(path, &s) == 0) {
        if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
        if (s.f_flag & ST_NODEV) f |= MS_NODEV;
        if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    }
    return f;
}

static int op_mask_path(const sb_op *op) {
    struct stat s;
    if (stat(op->a, &s) < 0) return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(s.st_mode)) return mount("tmpfs", op->a, "tmpfs", MS_RDONLY, NULL);
    return mount("/dev/null", op->a, NULL, MS_BIND, NULL);
}

static int op_readonly_path(const sb_op *op) {
    if (mount(op->a, op->a, NULL, MS_BIND | MS_REC, NULL) < 0) return errno == ENOENT ? 0 : -1;
    return mount(op->a, op->a, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | locked_flags(op->a), NULL);
}

static int op_write_file(const sb_op *op) {
    int fd = open(op->a, O_WRONLY | O_CLOEXEC | O_TRUNC);
    if (fd < 0) return -1;
    size_t len = strlen(op->d);
    ssize_t n = write(fd, op->d, len);
    int saved = errno;
    close(fd);
    if (n != (ssize_t)len) { errno = n < 0 ? saved : EIO; return -1; }
    return 0;
}

/// The console-socket protocol (runc's): allocate a pty *inside* the container's
/// devpts, send the master over the Unix socket with SCM_RIGHTS, and make the slave
/// our controlling terminal and stdio.
static int op_console(const sb_op *op, int *detail) {
    *detail = 1;
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    int unlock = 0;
    *detail = 2;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) return -1;
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) return -1;
    // process.consoleSize: rows in n2, columns in n3 (0 = leave the kernel's default).
    if (op->n2 > 0 && op->n3 > 0) {
        struct winsize ws = { (unsigned short)op->n2, (unsigned short)op->n3, 0, 0 };
        ioctl(slave, TIOCSWINSZ, &ws);
    }
    *detail = 3;
    char name[] = "/dev/ptmx";
    struct iovec iov = { name, sizeof name - 1 };
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &master, sizeof(int));
    if (sendmsg((int)op->n1, &msg, 0) < 0) return -1;
    close(master);
    close((int)op->n1);
    // /dev/console is the terminal too (programs such as init systems and getty write
    // there): bind the slave over it, creating an empty file to mount on when the
    // image has none (as runc does). An existing node is mounted over, never opened.
    *detail = 6;
    struct stat cs;
    if (lstat("/dev/console", &cs) < 0) {
        int f = open("/dev/console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (f < 0) return -1;
        close(f);
    }
    char slave_path[64];
    fd_path(slave_path, sizeof slave_path, slave);
    if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0) return -1;
    *detail = 4;
    if (setsid() < 0) return -1;
    if (ioctl(slave, TIOCSCTTY, 0) < 0) return -1;
    *detail = 5;
    for (int i = 0; i < 3; i++)
        if (dup2(slave, i) < 0) return -1;
    if (slave > 2) close(slave);
    return 0;
}

static int op_capset(const sb_op *op) {
    const uint32_t *v = op->blob;
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    data[0].effective = v[0]; data[0].permitted = v[1]; data[0].inheritable = v[2];
    data[1].effective = v[3]; data[1].permitted = v[4]; data[1].inheritable = v[5];
    return (int)syscall(SYS_capset, &hdr, data);
}

static int op_drop_bounding(const sb_op *op) {
    uint64_t keep = ((uint64_t)(uint32_t)op->n2 << 32) | (uint32_t)op->n1;
    for (int cap = 0; cap <= (int)op->n3; cap++) {
        if (keep & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -1;
    }
    return 0;
}

static int op_ambient(const sb_op *op) {
    uint64_t raise = ((uint64_t)(uint32_t)op->n2 << 32) | (uint32_t)op->n1;
    for (int cap = 0; cap < 64; cap++) {
        if (!(raise & (1ULL << cap))) continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return -1;
    }
    return 0;
}

static int op_seccomp(const sb_op *op) {
    struct sock_fprog prog;
    prog.len = (unsigned short)(op->blob_len / sizeof(struct sock_filter));
    prog.filter = (struct sock_filter *)op->blob;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int)op->n1, &prog);
}

/// One candidate of the PATH search: execve(2) it, or (probe) only check that execve
/// would find a regular file there that this process may execute — faccessat(2) with
/// AT_EACCESS, so the check uses the credentials the program will run with.
static int exec_candidate(const char *path, char *const *argv, char *const *envp, int probe) {
    if (!probe) { execve(path, argv, envp); return -1; }
    struct stat sb;
    if (stat(path, &sb) < 0) return -1;
    if (!S_ISREG(sb.st_mode)) { errno = EACCES; return -1; }
    return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS);
}

/// execve(2), searching PATH from the *container's* environment like execvp(3); with
/// `probe`, the same search without the execve (0 when it would find the program).
static int op_exec(exec_state *st, const sb_op *op, int probe) {
    const char *file = op->a;
    char *const *argv = st->plan->argv;
    char *const *envp = st->plan->envp;
    if (strchr(file, '/')) return exec_candidate(file, argv, envp, probe);
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (char *const *e = envp; *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) { path = *e + 5; break; }
    int saved = ENOENT;
    char buf[4096];
    const char *p = path;
    while (1) {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        int n = dlen ? snprintf(buf, sizeof buf, "%.*s/%s", (int)dlen, p, file)
                     : snprintf(buf, sizeof buf, "%s", file);
        if (n > 0 && (size_t)n < sizeof buf) {
            if (exec_candidate(buf, argv, envp, probe) == 0) return 0;   // only a probe returns 0
            if (errno == EACCES) saved = EACCES;
            else if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        }
        if (!colon) break;
        p = colon + 1;
    }
    errno = saved;
    return -1;
}

/// --init: stay as PID 1 and let a child exec the program. PID 1 forwards the signals
/// it gets to that child and reaps every zombie reparented to it (what an ordinary
/// program at PID 1 never does); it exits with the child's status.
static void __attribute__((noreturn)) mini_init(exec_state *st, pid_t child) {
    // Our copy of the report pipe must close, or the runtime would never see the
    // child's exec succeed (it waits for every copy of the write end to close).
    close(st->report_fd);
    sigset_t all;
    sigfillset(&all);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&all, &info);
        if (sig < 0) continue;
        if (sig == SIGCHLD) {
            int status;
            pid_t p;
            while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
                if (p == child) {
                    while (waitpid(-1, NULL, WNOHANG) > 0) {}
                    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                }
            }
        } else {
            kill(child, sig);
        }
    }
}

static int op_init(exec_state *st) {
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);   // no signal may slip past between fork and the wait loop
    pid_t child = fork();
    if (child < 0) return -1;
    if (child > 0) mini_init(st, child);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}

static void run_plan(exec_state *st) {
    const sb_plan *plan = st->plan;
    for (size_t i = 0; i < plan->count; i++) {
        const sb_op *op = &plan->ops[i];
        int detail = 0;
        int rc = 0;
        stamp(plan, i + 1);
        trace(st, i);
        switch (op->kind) {
        case SB_OP_SETNS: {
            int fd = open(op->a, O_RDONLY | O_CLOEXEC);
            if (fd < 0) { rc = -1; break; }
            rc = setns(fd, (int)op->n1);
            close(fd);
            break;
        }
        case SB_OP_WAIT_PARENT: {
            char c;
            ssize_t n;
            do { n = read(st->sync_fd, &c, 1); } while (n < 0 && errno == EINTR);
            if (n != 1) _exit(126);   // the parent went away: nothing to report to
            // Kept open: a plan may wait more than once (user namespace maps, then the
            // hooks before pivot_root). It is O_CLOEXEC, so execve closes it.
            break;
        }
        case SB_OP_UNSHARE: rc = unshare((int)op->n1); break;
        case SB_OP_SET_PROPAGATION: rc = mount(NULL, "/", NULL, (unsigned long)op->n1, NULL); break;
        case SB_OP_BIND_ROOTFS:
            detail = 1;
            rc = mount(op->a, op->a, NULL, MS_BIND | MS_REC, NULL);
            if (rc == 0) {
                detail = 2;
                st->root_fd = open(op->a, O_PATH | O_DIRECTORY | O_CLOEXEC);
                rc = st->root_fd < 0 ? -1 : 0;
            }
            break;
        case SB_OP_MOUNT: rc = op_mount(st, op, &detail); break;
        case SB_OP_MKNOD: rc = op_mknod(st, op); break;
        case SB_OP_SYMLINK: rc = op_symlink(st, op); break;
        case SB_OP_OPEN_EXEC_FIFO:
            // O_RDWR never blocks on a FIFO; we later block in read() until
            // `start` writes a byte.
            st->fifo_fd = open(op->a, O_RDWR | O_CLOEXEC);
            rc = st->fifo_fd < 0 ? -1 : 0;
            break;
        case SB_OP_PIVOT_ROOT: rc = op_pivot_root(st, &detail); break;
        case SB_OP_WRITE_FILE: rc = op_write_file(op); break;
        case SB_OP_MASK_PATH: rc = op_mask_path(op); break;
        case SB_OP_READONLY_PATH: rc = op_readonly_path(op); break;
        case SB_OP_REMOUNT_ROOT_RO:
            rc = mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags("/"), NULL);
            break;
        case SB_OP_SETHOSTNAME: rc = sethostname(op->a, strlen(op->a)); break;
        case SB_OP_SETDOMAINNAME: rc = setdomainname(op->a, strlen(op->a)); break;
        case SB_OP_SETRLIMIT: {
            struct rlimit rl = { (rlim_t)op->n2, (rlim_t)op->n3 };
            rc = setrlimit((int)op->n1, &rl);
            break;
        }
        case SB_OP_CONSOLE: rc = op_console(op, &detail); break;
        case SB_OP_NO_NEW_PRIVS: rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); break;
        case SB_OP_SECCOMP: rc = op_seccomp(op); break;
        case SB_OP_DROP_BOUNDING: rc = op_drop_bounding(op); break;
        case SB_OP_KEEPCAPS: rc = prctl(PR_SET_KEEPCAPS, (unsigned long)op->n1, 0, 0, 0); break;
        case SB_OP_SETGROUPS:
            rc = (int)syscall(SYS_setgroups, op->blob_len / sizeof(gid_t), op->blob);
            break;
        case SB_OP_SETRESGID: rc = (int)syscall(SYS_setresgid, (gid_t)op->n1, (gid_t)op->n1, (gid_t)op->n1); break;
        case SB_OP_SETRESUID: rc = (int)syscall(SYS_setresuid, (uid_t)op->n1, (uid_t)op->n1, (uid_t)op->n1); break;
        case SB_OP_CAPSET: rc = op_capset(op); break;
        case SB_OP_AMBIENT: rc = op_ambient(op); break;
        case SB_OP_UMASK: umask((mode_t)op->n1); break;
        case SB_OP_CHDIR:
            if (op->n1 == 1) {
                // As the runtime's user first (runc does the same): if the container's
                // user could not search the path, the later chdir would fail.
                rc = chdir(op->a);
                if (rc == 0) st->cwd_done = 1;
                else if (errno == EACCES || errno == EPERM) rc = 0;
            } else if (!st->cwd_done) {
                rc = chdir(op->a);
            }
            break;
        case SB_OP_CLOSE_FDS:
            rc = (int)syscall(SYS_close_range, (unsigned int)op->n1, ~0U, CLOSE_RANGE_CLOEXEC);
            break;
        case SB_OP_WAIT_START: {
            // Look the program up now, as runc does, so a missing or non-executable
            // program fails `create` with its name (engines show create's error, and
            // Docker turns it into exit code 127 or 126) instead of a silent 127 after
            // `start`. The plan's last op is the execve.
            const sb_op *last = &plan->ops[plan->count - 1];
            if (last->kind == SB_OP_EXEC && op_exec(st, last, 1) < 0) fail(st, (int)plan->count - 1, errno, 0);
            report(st, SB_REPORT_CREATED, (int)i, 0, 0);
            char c;
            ssize_t n;
            do { n = read(st->fifo_fd, &c, 1); } while (n < 0 && errno == EINTR);
            if (n != 1) _exit(126);
            close(st->fifo_fd);
            break;
        }
        case SB_OP_EXEC: rc = op_exec(st, op, 0); break;
        case SB_OP_INIT: rc = op_init(st); break;
        case SB_OP_PARENT_PRIVATE: rc = op_parent_private(op); break;
        case SB_OP_CHROOT:
            // Without a mount namespace of our own, pivot_root would move the host's
            // root: chroot(2) into the rootfs instead (the mounts stay the host's).
            detail = 1;
            if (fchdir(st->root_fd) < 0) { rc = -1; break; }
            detail = 2;
            if (chroot(".") < 0) { rc = -1; break; }
            detail = 3;
            rc = chdir("/");
            close(st->root_fd);
            st->root_fd = -1;
            break;
        case SB_OP_LOOPBACK_UP: rc = op_loopback_up(&detail); break;
        case SB_OP_JOIN_CGROUPS: {
            // Writing "0" (= the caller) to a v1 `tasks` file moves just this thread,
            // and the kernel then skips the global threadgroup lock whose first
            // acquisition costs an RCU grace period (6-10 ms here) — the price a
            // parent pays writing our pid to cgroup.procs. We are single-threaded,
            // so moving this thread moves the whole process.
            const int *fds = op->blob;
            for (size_t k = 0; k < op->blob_len / sizeof(int) && rc == 0; k++) {
                detail = (int)k + 1;
                if (write(fds[k], "0", 1) != 1) rc = -1;
                close(fds[k]);
            }
            break;
        }
        default: errno = EINVAL; rc = -1; break;
        }
        if (rc < 0) fail(st, (int)i, errno, detail);
    }
    fail(st, (int)plan->count, ENOEXEC, 0);   // a plan must end in SB_OP_EXEC
}

typedef struct {
    const sb_plan *plan;
    int sync_r, sync_w, report_r, report_w;
} child_args;

static void add_keep(int *keep, int *n, int fd) {
    if (fd >= 3 && *n < 64) keep[(*n)++] = fd;
}

/// Close every inherited descriptor the container has no business seeing, *now*
/// rather than at execve: while a created container waits for `start`, an fd it
/// inherited by accident (a caller's pipe or socket) would keep that caller waiting
/// for an EOF that never comes. Kept: stdio, the preserved fds, and the fds the plan
/// itself uses.
static void close_inherited_fds(const sb_plan *plan, int sync_r, int report_w) {
    int keep[64];
    int n = 0;
    add_keep(keep, &n, sync_r);
    add_keep(keep, &n, report_w);
    add_keep(keep, &n, plan->trace_fd);
    for (int fd = 3; fd < 3 + plan->preserve_fds; fd++) add_keep(keep, &n, fd);
    for (size_t i = 0; i < plan->count; i++) {
        const sb_op *op = &plan->ops[i];
        if (op->kind == SB_OP_CONSOLE) add_keep(keep, &n, (int)op->n1);
        if (op->kind == SB_OP_JOIN_CGROUPS)
            for (size_t k = 0; k < op->blob_len / sizeof(int); k++) add_keep(keep, &n, ((const int *)op->blob)[k]);
    }
    // Sort (insertion sort: no libc allocation) and close the gaps between kept fds.
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) { int t = keep[j]; keep[j] = keep[j - 1]; keep[j - 1] = t; }
    unsigned int from = 3;
    for (int i = 0; i < n; i++) {
        if ((unsigned int)keep[i] > from) syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
        if ((unsigned int)keep[i] + 1 > from) from = (unsigned int)keep[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}

static int child_main(void *arg) {
    child_args *c = arg;
    stamp(c->plan, 0);    // the clone is done: what follows is the child's own time
    sb_forward_reset();   // the parent's forwarding handlers are not ours (helpers.c)
    close(c->sync_w);
    close(c->report_r);
    close_inherited_fds(c->plan, c->sync_r, c->report_w);
    exec_state st = { c->plan, c->sync_r, c->report_w, -1, -1 };
    run_plan(&st);
    _exit(127);
}

sb_launch_result sb_launch(const sb_plan *plan, unsigned long clone_flags, int pidns_fd, int cgroup_fd) {
    sb_launch_result res = { -1, -1, -1, 0 };
    int sync_p[2], report_p[2];
    if (pipe2(sync_p, O_CLOEXEC) < 0) { res.err = errno; return res; }
    if (pipe2(report_p, O_CLOEXEC) < 0) {
        res.err = errno; close(sync_p[0]); close(sync_p[1]); return res;
    }
    // Joining a pid namespace only affects children: setns(CLONE_NEWPID) on this
    // thread, then clone.
    if (pidns_fd >= 0 && setns(pidns_fd, CLONE_NEWPID) < 0) {
        res.err = errno;
        close(sync_p[0]); close(sync_p[1]); close(report_p[0]); close(report_p[1]);
        return res;
    }
    // A child that enters a running container is visible there from the moment it is
    // cloned, and its /proc/PID/exe is our executable until it calls execve. Not
    // dumpable, /proc/PID/exe and /proc/PID/map_files open only for holders of
    // CAP_SYS_PTRACE (ptrace_may_access in proc(5)); the child inherits the flag with
    // its copy of our memory, and execve resets it for the container's program
    // (prctl(2) PR_SET_DUMPABLE). We take it back right after the clone. The sealed
    // executable (sealed_exe.c) covers the holders of CAP_SYS_PTRACE.
    int dumpable = plan->nondumpable ? prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) : -1;
    if (dumpable > 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        res.err = errno;
        close(sync_p[0]); close(sync_p[1]); close(report_p[0]); close(report_p[1]);
        return res;
    }
    child_args args = { plan, sync_p[0], sync_p[1], report_p[0], report_p[1] };
    pid_t pid;
    int saved;
    if (cgroup_fd >= 0) {
        // clone3(2) with CLONE_INTO_CGROUP: the child starts life in its cgroup v2
        // directory, with no migration afterwards. Without a stack it continues on a
        // copy of ours, like fork(2).
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = (uint64_t)clone_flags | CLONE_INTO_CGROUP;
        ca.exit_signal = SIGCHLD;
        ca.cgroup = (uint64_t)cgroup_fd;
        pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
        if (pid == 0) child_main(&args);
        saved = errno;
    } else {
        // The child gets a copy of our memory (no CLONE_VM); this stack is only the
        // starting point of its copy and can be freed in the parent right after.
        size_t stack_size = 256 * 1024;
        char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) {
            res.err = errno;
            close(sync_p[0]); close(sync_p[1]); close(report_p[0]); close(report_p[1]);
            return res;
        }
        pid = clone(child_main, stack + stack_size, (int)(clone_flags | SIGCHLD), &args);
        saved = errno;
        munmap(stack, stack_size);
    }
    if (dumpable > 0) prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
    close(sync_p[0]);
    close(report_p[1]);
    if (pid < 0) {
        res.err = saved;
        close(sync_p[1]); close(report_p[0]);
        return res;
    }
    res.pid = pid;
    res.sync_fd = sync_p[1];
    res.report_fd = report_p[0];
    return res;
}
