// ID-mapped mounts: see include/sb_idmap.h.
#define _GNU_SOURCE
#include "sb_idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t sb_spawn_userns_holder(int *release_fd) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    // A raw clone without a new stack behaves as fork(2) but can create the user
    // namespace in the same step. The child only calls read(2) and _exit(2), which is
    // safe in a child of a multi-threaded process.
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        close(fds[1]);
        char byte;
        while (read(fds[0], &byte, 1) < 0 && errno == EINTR) {}
        _exit(0);
    }
    int saved = errno;
    close(fds[0]);
    if (pid < 0) { close(fds[1]); errno = saved; return -1; }
    *release_fd = fds[1];
    return pid;
}

int sb_idmapped_bind(const char *source, const char *target, int userns_fd) {
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) return -1;
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
    // Without a target (a dry run asking whether it would work), the clone is never
    // attached: closing its fd frees it, and the mount table never saw it.
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0 ||
        (target != NULL && syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0)) {
        int saved = errno;
        close(tree);
        errno = saved;
        return -1;
    }
    close(tree);
    return 0;
}
