/* syscall-probe: call each syscall number given on the command line with harmless
 * arguments and print "NR ERRNO" (0 when the call returned without an error).
 * The arguments (5000, 4000, 0, …) make most calls fail with EINVAL or EBADF when
 * they run at all, so what a seccomp filter answered (ENOSYS, EPERM, a profile's own
 * errno) stands out. Built with gcc -static by the privileged tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        long nr = strtol(argv[i], NULL, 10);
        errno = 0;
        long rc = syscall(nr, 5000L, 4000L, 0L, 0L, 0L, 0L);
        printf("%ld %d\n", nr, rc < 0 ? errno : 0);
    }
    return 0;
}
