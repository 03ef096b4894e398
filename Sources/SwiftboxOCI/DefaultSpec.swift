// The config.json that `swiftbox oci spec` writes: a minimal, locked-down container
// running `sh`, with the mounts, masked paths and capabilities runtimes conventionally
// start from (the values are the runtime-spec's and runc's documented defaults).

public enum DefaultSpec {
    public static let defaultCapabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]

    public static let maskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ]

    public static let readonlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    public static func make(args: [String] = ["sh"]) -> RuntimeSpec {
        let caps = RuntimeSpec.Capabilities(bounding: defaultCapabilities, effective: defaultCapabilities,
                                            permitted: defaultCapabilities)
        let process = RuntimeSpec.Process(
            terminal: false, user: .init(uid: 0, gid: 0), args: args,
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], cwd: "/",
            capabilities: caps, rlimits: [.init(type: "RLIMIT_NOFILE", soft: 1024, hard: 1024)], noNewPrivileges: true)
        let mounts: [RuntimeSpec.Mount] = [
            .init(destination: "/proc", type: "proc", source: "proc"),
            .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            .init(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            .init(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            .init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        ]
        let linux = RuntimeSpec.Linux(
            namespaces: ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { RuntimeSpec.Namespace(type: $0) },
            maskedPaths: maskedPaths, readonlyPaths: readonlyPaths)
        return RuntimeSpec(ociVersion: "1.0.2", process: process, root: .init(path: "rootfs", readonly: true),
                           hostname: "swiftbox", mounts: mounts, linux: linux)
    }
}
