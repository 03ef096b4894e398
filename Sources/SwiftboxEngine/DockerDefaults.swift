// What Docker gives a container unless told otherwise — values from Docker's
// documentation ("Runtime privilege and Linux capabilities") and its default OCI spec.
public enum DockerDefaults {
    /// The 14 capabilities a default container keeps.
    public static let capabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    public static let maskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    public static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
    /// Set in every network namespace of a container's own, as Docker 20.10 does (checked
    /// against its dockerd: `cat /proc/sys/net/ipv4/ping_group_range` → `0 2147483647`):
    /// any user may ping (ICMP datagram sockets, no CAP_NET_RAW: under --userns-remap
    /// the container's root has none over the engine's namespace) and bind ports < 1024.
    public static let networkSysctls = ["net.ipv4.ip_unprivileged_port_start": "0", "net.ipv4.ping_group_range": "0 2147483647"]

    public static let path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Docker's rule for the process: --entrypoint replaces the image's Entrypoint and
    /// drops its Cmd; arguments after the image replace Cmd.
    public static func command(imageEntrypoint: [String]?, imageCmd: [String]?, entrypoint: String?, args: [String]) -> [String] {
        if let entrypoint {
            return (entrypoint.isEmpty ? [] : [entrypoint]) + args
        }
        return (imageEntrypoint ?? []) + (args.isEmpty ? (imageCmd ?? []) : args)
    }

    /// Image Env, then the user's -e (a later NAME= wins), PATH and HOSTNAME filled in.
    public static func environment(image: [String]?, user: [String], hostname: String) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        func add(_ kv: String) {
            let name = String(kv.split(separator: "=", maxSplits: 1).first ?? "")
            if values[name] == nil { order.append(name) }
            values[name] = kv
        }
        add(path)
        add("HOSTNAME=\(hostname)")
        (image ?? []).forEach(add)
        user.forEach(add)
        return order.compactMap { values[$0] }
    }
}
