// Small helpers Swift cannot import directly: the W* status macros, signal
// forwarding with an async-signal-safe handler, and SCM_RIGHTS receipt.
#define _GNU_SOURCE
#include "cshim.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int sb_wifexited(int status) { return WIFEXITED(status); }
int sb_wexitstatus(int status) { return WEXITSTATUS(status); }
int sb_wifsignaled(int status) { return WIFSIGNALED(status); }
int sb_wtermsig(int status) { return WTERMSIG(status); }

// Signal forwarding for a foreground run/exec. Armed with pid 0 before the child is
// cloned, it holds what arrives until sb_forward_signals(child) names the target and
// then delivers it: a child that needs no go-ahead from the parent may execve and be
// seen running (and its caller may signal us) before clone's caller has even saved
// the state, and a SIGTERM in that window must not kill us and orphan the container.
static volatile pid_t forward_target = -1;
static volatile sig_atomic_t forward_pending[NSIG];
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
#define N_FORWARDED (sizeof forwarded / sizeof forwarded[0])

static void forward(int sig) {
    pid_t target = forward_target;
    if (target > 0) kill(target, sig);
    else if (target == 0) forward_pending[sig] = 1;
}

void sb_forward_signals(pid_t pid) {
    static int installed = 0;
    forward_target = pid;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = forward;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < N_FORWARDED; i++) sigaction(forwarded[i], &sa, NULL);
        installed = 1;
    }
    if (pid <= 0) return;
    for (size_t i = 0; i < N_FORWARDED; i++) {
        if (forward_pending[forwarded[i]]) { forward_pending[forwarded[i]] = 0; kill(pid, forwarded[i]); }
    }
}

// In a cloned child before execve (async-signal-safe): the copy of the parent's
// handlers would hold a forwarded signal in the child's own memory and lose it;
// with the default actions a signal before execve ends the child, as it should.
void sb_forward_reset(void) {
    forward_target = -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_FORWARDED; i++) sigaction(forwarded[i], &sa, NULL);
}

int sb_recv_fd(int sock) {
    char buf[256];
    struct iovec iov = { buf, sizeof buf };
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0) return -1;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

int sb_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

int sb_pidfd_open(int pid) { return (int)syscall(434 /* SYS_pidfd_open */, pid, 0); }

int sb_mkfifo(const char *path, unsigned int mode) { return mkfifo(path, (mode_t)mode); }

int sb_set_nonblock(int fd, int on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
}

int sb_fsetxattr(int fd, const char *name, const void *value, size_t size) {
    return fsetxattr(fd, name, value, size, 0);
}

int sb_setxattr_at(int dirfd, const char *name, const char *key, const void *value, size_t size) {
    char path[4096 + 64];
    snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dirfd, name);
    return lsetxattr(path, key, value, size, 0);
}

int sb_set_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int sb_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

int sb_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int sb_is_mount_root(const char *path) {
    struct statx stx;
    // AT_NO_AUTOMOUNT: asking must not trigger an automount.
    if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &stx) != 0) {
        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
    }
    if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) return -1;
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
}

int sb_fork_detached(int ready_fd) {
    // Whatever stdio still buffers would be written twice, once by each process.
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0) return pid;
    setsid();
    // Handlers the parent installed point at code that expects the parent's state.
    for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
    if (ready_fd != 3) { dup2(ready_fd, 3); }
    // dup2 clears close-on-exec on fd 3, and nothing else of the parent's may stay open:
    // a lock, a pipe the parent reads to EOF, a listening socket.
    syscall(SYS_close_range, 4U, ~0U, 0);
    return 0;
}

// The arguments as the kernel laid them out (Swift's CommandLine holds copies): glibc
// passes argc and argv to the constructors in .init_array.
static int original_argc;
static char **original_argv;
__attribute__((constructor)) static void sb_capture_argv(int argc, char **argv) {
    original_argc = argc;
    original_argv = argv;
}

void sb_set_cmdline(const char *args, size_t len) {
    int argc = original_argc;
    char **argv = original_argv;
    if (len == 0 || argc <= 0 || argv == NULL) return;
    char *copy = malloc(len);
    if (copy != NULL) {
        memcpy(copy, args, len);
        // The kernel checks start <= end after each call: the copy lies below the stack
        // (where the old arguments are), so the start moves first.
        if (prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)copy, 0, 0) == 0 &&
            prctl(PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)(copy + len), 0, 0) == 0) return;
        free(copy);
    }
    char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    size_t room = (size_t)(end - start);
    size_t n = len < room ? len : room;
    memcpy(start, args, n);
    memset(start + n, 0, room - n);
    start[room - 1] = 0;
}

int sb_open_pty(char *slave_path, size_t size) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, slave_path, size) != 0) { close(m); return -1; }
    return m;
}

static volatile sig_atomic_t winch_pending = 0;
static void on_winch(int sig) { (void)sig; winch_pending = 1; }

void sb_watch_winch(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_winch;   // no SA_RESTART: poll returns EINTR and the loop resizes
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, NULL);
}

int sb_take_winch(void) {
    int v = winch_pending;
    winch_pending = 0;
    return v;
}

int sb_setns_pid(int fd) { return setns(fd, CLONE_NEWPID); }

static volatile sig_atomic_t interrupt_signal = 0;
static void on_interrupt(int sig) { interrupt_signal = sig; }

void sb_watch_interrupt(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int sb_interrupted(void) { return interrupt_signal; }
