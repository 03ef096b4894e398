// A private containerd — and, for the docker tests, a dockerd on top of it — that
// drives swiftbox as its OCI runtime (through a `swiftbox-oci` symlink to the binary
// under test). Everything lives under one directory named swiftbox-test-…: the
// daemons' roots, states, sockets and logs, the runtime's state (--runc-root), the
// FIFOs, dockerd's config file and key. The daemons run in a network namespace of
// their own (docker0, its iptables rules and sysctls live and die with it), their
// containers' cgroups go under a parent of their own, and `stop` removes it all:
// the engines' containers, the daemons, their mounts, cgroups, the namespace, and the
// host directories their shims create (/run/containerd/s, /run/docker/plugins) if
// they were not there before.
//
// nsenter --net, not `ip netns exec`: the latter also remounts /sys, which hides the
// cgroup mounts dockerd needs ("Devices cgroup isn't mounted").
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class PrivateEngine {
    /// swiftbox-test-<engine>-<pid>: the directory's, the namespace's and the cgroup parent's name.
    let name: String
    let dir: String
    var containerdSocket: String { dir + "/containerd.sock" }
    var dockerSocket: String { dir + "/docker.sock" }
    var runtimeLink: String { dir + "/bin/swiftbox-oci" }
    /// The busybox image as a docker-archive, which `docker load` and `ctr images import` both take.
    var imageArchive: String { dir + "/busybox.tar" }
    private(set) var daemons: [(name: String, pid: pid_t)] = []
    /// Host directories the engines' shims create where they like: removed if we made them.
    static let hostDirectories = ["/run/containerd/s", "/run/containerd/fifo", "/run/containerd", "/run/docker/plugins", "/run/docker"]
    private let hostDirectoriesBefore: Set<String>

    init(engine: String) throws {
        name = "swiftbox-test-\(engine)-\(getpid())"
        dir = NSTemporaryDirectory() + name
        hostDirectoriesBefore = Set(Self.hostDirectories.filter { FileManager.default.fileExists(atPath: $0) })
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: runtimeLink, withDestinationPath: PrivilegedTestCase.binary)
        let ns = PrivilegedTestCase.shell(["/usr/sbin/ip", "netns", "add", name])
        guard ns.status == 0 else { throw EngineError("ip netns add \(name): \(ns.err)") }
        _ = PrivilegedTestCase.shell(["/usr/sbin/ip", "netns", "exec", name, "/usr/sbin/ip", "link", "set", "lo", "up"])
    }

    struct EngineError: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    /// The last lines of a daemon's log: what the assertion messages show when it fails.
    func log(_ daemon: String, lines: Int = 25) -> String {
        let text = (try? String(contentsOfFile: dir + "/\(daemon).log", encoding: .utf8)) ?? "(no \(daemon).log)"
        return "\n--- \(daemon).log (last \(lines) lines) ---\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// The busybox image of the tests as a docker-archive tagged swiftbox-test/busybox:latest.
    func makeImageArchive() throws {
        guard let layout = EngineTestCase.imageLayout else { throw EngineError("rootfs-fixtures/busybox-image.sh failed") }
        let r = PrivilegedTestCase.shell(["/usr/bin/skopeo", "copy", "oci:\(layout):latest",
                                          "docker-archive:\(imageArchive):swiftbox-test/busybox:latest"])
        guard r.status == 0 else { throw EngineError("skopeo copy to a docker-archive: \(r.err)") }
    }

    /// containerd with its own root, state, sockets and /opt, and no CRI plugin.
    func startContainerd() throws {
        let config = """
        version = 2
        root = "\(dir)/containerd/root"
        state = "\(dir)/containerd/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "\(containerdSocket)"
        [ttrpc]
          address = "\(containerdSocket).ttrpc"
        [debug]
          address = ""
        [metrics]
          address = ""
        [plugins."io.containerd.internal.v1.opt"]
          path = "\(dir)/containerd/opt"

        """
        try config.write(toFile: dir + "/containerd.toml", atomically: true, encoding: .utf8)
        try start("containerd", ["/usr/bin/containerd", "--config", dir + "/containerd.toml"]) {
            PrivilegedTestCase.shell(["/usr/bin/ctr", "-a", self.containerdSocket, "version"]).status == 0
        }
    }

    /// dockerd on that containerd (so dockerd starts none of its own, which would write
    /// to /opt/containerd), with its own config file (its trust key goes here, not to
    /// /etc/docker/key.json) and `swiftbox` among its runtimes.
    func startDockerd() throws {
        try "{\"deprecated-key-path\": \"\(dir)/docker/key.json\"}\n".write(toFile: dir + "/daemon.json", atomically: true, encoding: .utf8)
        try start("dockerd", ["/usr/sbin/dockerd", "--config-file", dir + "/daemon.json", "--containerd", containerdSocket,
                              "--data-root", dir + "/docker/data", "--exec-root", dir + "/docker/exec",
                              "--pidfile", dir + "/docker/dockerd.pid", "-H", "unix://" + dockerSocket,
                              "--cgroup-parent", "/" + name, "--add-runtime", "swiftbox=" + runtimeLink]) {
            PrivilegedTestCase.shell(["/usr/bin/docker", "-H", "unix://" + self.dockerSocket, "version"]).status == 0
        }
    }

    /// Spawn a daemon in the namespace, its output to DIR/NAME.log, and wait (at most a
    /// minute) until `ready`; fail early, with its log, if it exits.
    private func start(_ daemon: String, _ argv: [String], ready: () -> Bool) throws {
        let full = ["/usr/bin/nsenter", "--net=/run/netns/" + name] + argv
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, dir + "/\(daemon).log", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cargs = full.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, full[0], &actions, nil, &cargs, environ)
        guard rc == 0 else { throw EngineError("posix_spawn \(full[0]): \(String(cString: strerror(rc)))") }
        daemons.append((daemon, pid))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if ready() { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                daemons.removeLast()
                throw EngineError("\(daemon) exited while starting" + log(daemon))
            }
            usleep(100_000)
        }
        throw EngineError("\(daemon) did not answer within a minute" + log(daemon))
    }

    /// Stop everything and return what is left behind (empty when clean).
    func stop() -> [String] {
        if daemons.contains(where: { $0.name == "dockerd" }) {
            let docker = ["/usr/bin/docker", "-H", "unix://" + dockerSocket]
            for id in PrivilegedTestCase.shell(docker + ["ps", "-aq"]).out.split(separator: "\n") {
                _ = PrivilegedTestCase.shell(docker + ["rm", "-f", String(id)])
            }
        }
        if daemons.contains(where: { $0.name == "containerd" }) {
            // Tasks and containers of every namespace (ctr's and dockerd's "moby").
            let ctr = ["/usr/bin/ctr", "-a", containerdSocket]
            for ns in PrivilegedTestCase.shell(ctr + ["namespaces", "ls", "-q"]).out.split(separator: "\n").map(String.init) {
                for id in PrivilegedTestCase.shell(ctr + ["-n", ns, "tasks", "ls", "-q"]).out.split(separator: "\n").map(String.init) {
                    _ = PrivilegedTestCase.shell(ctr + ["-n", ns, "tasks", "kill", "-a", "-s", "SIGKILL", id])
                    _ = PrivilegedTestCase.shell(ctr + ["-n", ns, "tasks", "delete", "-f", id])
                }
                for id in PrivilegedTestCase.shell(ctr + ["-n", ns, "containers", "ls", "-q"]).out.split(separator: "\n") {
                    _ = PrivilegedTestCase.shell(ctr + ["-n", ns, "containers", "delete", String(id)])
                }
            }
        }
        // The daemons, newest first, SIGTERM then (after 20 s) SIGKILL; we are their parent.
        for (_, pid) in daemons.reversed() { Self.terminate(pid) }
        daemons = []
        // Shims outlive a killed containerd: theirs name our socket on their command line.
        for pid in Self.processes(mentioning: dir + "/") { kill(pid, SIGKILL) }
        for m in mounts().reversed() { umount2(m, Int32(MNT_DETACH)) }
        for root in cgroupDirectories() { Self.removeTree(root) }
        _ = PrivilegedTestCase.shell(["/usr/sbin/ip", "netns", "del", name])
        for d in Self.hostDirectories where !hostDirectoriesBefore.contains(d) { rmdir(d) }   // only if empty
        try? FileManager.default.removeItem(atPath: dir)
        return leftovers()
    }

    func leftovers() -> [String] {
        var left = mounts().map { "mount \($0)" } + cgroupDirectories().map { "cgroup \($0)" }
        left += Self.processes(mentioning: dir + "/").map { "process \($0)" }
        if FileManager.default.fileExists(atPath: "/run/netns/" + name) { left.append("network namespace \(name)") }
        if FileManager.default.fileExists(atPath: dir) { left.append("directory \(dir)") }
        return left
    }

    /// Mount points under DIR (the overlays, dockerd's bind of its data-root, the nsfs
    /// mounts of its network namespaces), in mount order.
    func mounts() -> [String] {
        PrivilegedTestCase.mountinfo().split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = fields[4].replacingOccurrences(of: "\\040", with: " ")
            return point == dir || point.hasPrefix(dir + "/") ? point : nil
        }
    }

    /// /sys/fs/cgroup/<hierarchy>/<name>: dockerd's cgroup parent and ctr's namespace.
    func cgroupDirectories() -> [String] {
        let roots = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
        return (roots.map { "/sys/fs/cgroup/\($0)/\(name)" } + ["/sys/fs/cgroup/\(name)"])
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// rmdir a cgroup directory and its children, deepest first (cgroupfs has no rm -r).
    static func removeTree(_ path: String) {
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var st = stat()
            if lstat(path + "/" + child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(path + "/" + child) }
        }
        rmdir(path)
    }

    static func terminate(_ pid: pid_t) {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    /// Live processes whose command line contains `text`.
    static func processes(mentioning text: String) -> [pid_t] {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> pid_t? in
            // procfs reports a size of 0: read through a handle to the end, not by size.
            guard let pid = pid_t(entry), pid != me, let handle = FileHandle(forReadingAtPath: "/proc/\(entry)/cmdline") else { return nil }
            let data = handle.readDataToEndOfFile()
            try? handle.close()
            guard !data.isEmpty else { return nil }   // a zombie, or a kernel thread
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return line.contains(text) ? pid : nil
        }
    }
}
