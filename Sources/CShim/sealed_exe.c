// A view of our own executable that a container cannot write to (CVE-2019-5736).
//
// A process that enters a running container (exec, a health probe, a container that
// joins another's pid namespace) is visible there between clone(2) and execve(2), and
// a container program that exec's "/proc/self/exe" (a `#!/proc/self/exe` script where
// /bin/sh was) runs our binary inside the container. Either way the container can open
// /proc/PID/exe, keep the descriptor, and once we are gone reopen it for writing
// through /proc/self/fd/N: the host's swiftbox binary. So the process that enters a
// container first re-executes itself from one of these, and the file the container can
// reach is read-only whatever it does:
//
// 1. A detached read-only bind mount of the running binary: open_tree(2) with
//    OPEN_TREE_CLONE makes a private copy of the mount holding /proc/self/exe, attached
//    to no mount table (an "anonymous" mount namespace that only the descriptor holds);
//    mount_setattr(2) makes it MOUNT_ATTR_RDONLY. No copy, no mount on the host, nothing
//    to clean up. The descriptor is O_CLOEXEC, so execveat(2) itself drops the anonymous
//    namespace, and from then on the mount belongs to no namespace: mount_setattr
//    and open_tree refuse it (EINVAL), even for the host's root, and
//    every open for writing fails with EROFS.
// 2. Where the kernel cannot (Linux < 5.12, or no CAP_SYS_ADMIN over our mount
//    namespace): a memfd_create(2) copy sealed with F_SEAL_WRITE|SHRINK|GROW|SEAL, whose
//    writes fail with EPERM. It costs a copy of the binary per process.
//
// docs/oci-runtime.md has the measurements behind this choice.
#define _GNU_SOURCE
#include "cshim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif

int sb_exe_is_sealed(void) {
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    int sealed = 0;
    struct statvfs vfs;
    // A read-only mount (or a read-only file system): opening for writing fails with
    // EROFS. A mount of the host's that is read-only cannot be made writable from a
    // container either: mount_setattr and remount act only on mounts in the caller's
    // own mount namespace.
    if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) sealed = 1;
    // A memfd whose contents are sealed.
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_WRITE)) sealed = 1;
    close(fd);
    return sealed;
}

/// A read-only detached bind mount of /proc/self/exe (1. above), or -1.
static int sealed_bind_mount(void) {
    // The magic link is followed: the clone is of exactly the file we run, wherever it
    // lives and even if its path has since been replaced.
    int fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0) return -1;
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/// A sealed memfd copy of /proc/self/exe (2. above), or -1.
static int sealed_memfd_copy(void) {
    int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0) return -1;
    int fd = memfd_create("swiftbox", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    int saved = errno;
    if (fd >= 0) {
        for (;;) {
            // sendfile(2) copies inside the kernel, 2 GiB at most per call.
            ssize_t n = sendfile(fd, src, NULL, 1 << 30);
            if (n > 0) continue;
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { saved = errno; close(fd); fd = -1; }
            break;
        }
    }
    if (fd >= 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        saved = errno;
        close(fd);
        fd = -1;
    }
    close(src);
    errno = saved;
    return fd;
}

int sb_exec_sealed(char *const argv[], char *const envp[], int *method) {
    int fd = sealed_bind_mount();
    *method = 1;
    if (fd < 0) {
        fd = sealed_memfd_copy();
        *method = 2;
    }
    if (fd < 0) return -1;
    // execveat(2) with AT_EMPTY_PATH runs the file the descriptor names; it is
    // close-on-exec, and for an ELF file that is fine (the kernel has opened it by then).
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

// --- Sealing before Swift starts ------------------------------------------------------
//
// SealedExecutable.ensure (Swift) re-executes a command once it knows it will enter a
// container; by then this process has paid for the Swift runtime's start and the
// argument parser. For the commands whose verb is `exec` (swiftbox exec, oci exec,
// compose exec, swiftbox-oci exec) we know from argv alone, so this constructor
// re-executes them before main: the first process costs little more than its execve.
// It only moves the re-execution earlier: Swift checks again (and the launcher refuses
// an unsealed exec), so a command this misses is still sealed, and one it takes for an
// exec by mistake just runs sealed.

/// Is `exec` the verb? Skips `oci`/`compose` and options (with a value after an option
/// that has no "=": a guess that errs on the safe side).
static int verb_is_exec(int argc, char **argv) {
    for (int i = 1; i < argc && i < 16; i++) {
        const char *a = argv[i];
        if (strcmp(a, "exec") == 0) return 1;
        if (a[0] == '-' || strcmp(a, "oci") == 0 || strcmp(a, "compose") == 0) continue;
        if (i > 1 && argv[i - 1][0] == '-' && strchr(argv[i - 1], '=') == NULL) continue;
        return 0;
    }
    return 0;
}

__attribute__((constructor)) static void sb_seal_early(int argc, char **argv, char **envp) {
    if (argc < 2 || argv == NULL || envp == NULL) return;
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    // Only the swiftbox binary (not a test runner that links this library).
    if (strcmp(name, "swiftbox") != 0 && strcmp(name, "swiftbox-oci") != 0) return;
    if (!verb_is_exec(argc, argv) || getenv("SWIFTBOX_SEALED_EXE") != NULL || sb_exe_is_sealed()) return;
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = 0;
    size_t count = 0;
    while (envp[count]) count++;
    char **env = calloc(count + 2, sizeof *env);
    char *marker = malloc(n + 64);
    if (env == NULL || marker == NULL) { free(env); free(marker); return; }
    memcpy(env, envp, count * sizeof *env);
    // The marker SealedExecutable reads: our pid (kept by execve) and the host path.
    snprintf(marker, (size_t)n + 64, "SWIFTBOX_SEALED_EXE=%d %s", (int)getpid(), path);
    env[count] = marker;
    int method;
    sb_exec_sealed(argv, env, &method);
    // Failed: carry on unsealed; SealedExecutable.ensure tries again and reports why.
    free(env);
    free(marker);
}
