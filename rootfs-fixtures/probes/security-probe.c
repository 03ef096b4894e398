// Tries, from inside a container, the things a default container must not be able to
// do, and prints one line per attempt: "<name> ok" or "<name> <errno name>".
// Built statically by the tests (gcc -static) and imported into a test image.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>

static void report(const char *name, long rc) {
    if (rc >= 0) printf("%s ok\n", name);
    else printf("%s %s\n", name, strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    report("mount", mount("tmpfs", "/tmp", "tmpfs", 0, NULL));
    report("unshare", unshare(CLONE_NEWNS));
    int fd = open("/proc/1/ns/mnt", O_RDONLY);
    report("setns", fd < 0 ? -1 : setns(fd, CLONE_NEWNS));
    report("keyctl", syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "probe"));
    report("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
    report("bpf", syscall(SYS_bpf, 0, NULL, 0));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
    report("init_module", syscall(SYS_init_module, NULL, 0, ""));
    report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0));
    report("sethostname", sethostname("hijacked", 8));
    // LINUX_REBOOT_CMD_CAD_OFF (0): EPERM without CAP_SYS_BOOT; in a child pid namespace the
    // kernel answers EINVAL even with it, so the probe never restarts anything.
    report("reboot", syscall(SYS_reboot, 0xfee1dead, 672274793, 0, NULL));
    report("raw_socket", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    fd = open("/proc/sys/kernel/hostname", O_WRONLY);
    report("write_proc_sys", fd < 0 ? -1 : write(fd, "x", 1));
    fd = open("/proc/kcore", O_RDONLY);
    char b[16];
    report("read_kcore", fd < 0 ? -1 : (read(fd, b, sizeof b) > 0 ? 0 : -1));
    // A host process, by its pid on the host: invisible from the container's pid namespace.
    if (argc > 1) report("ptrace_host", ptrace(PTRACE_ATTACH, atoi(argv[1]), NULL, NULL));
    return 0;
}
