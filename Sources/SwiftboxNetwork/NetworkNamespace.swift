// Network namespaces from a multi-threaded process. setns(2)/unshare(2) with
// CLONE_NEWNET act on the calling *thread* only, so we do them on a short-lived
// thread of our own that exits afterwards: the rest of the process (and Swift's
// other threads) never changes namespace. What leaves the thread is a file
// descriptor: the namespace itself (/proc/thread-self/ns/net) or a netlink socket,
// which stays bound to the namespace it was created in.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel

public enum NetworkNamespace {
    /// A new network namespace (with `lo` up): its fd (O_CLOEXEC) and a netlink
    /// socket inside it. The namespace lives as long as something holds the fd or a
    /// process is in it.
    /// `sysctls` ("net.ipv4.ping_group_range": "0 2147483647") are written in it: a
    /// net.* file under /proc/sys is the one of the namespace of the thread that opens it.
    public static func create(sysctls: [String: String] = [:]) throws -> (fd: Int32, socket: NetlinkSocket) {
        try onThread {
            guard sb_unshare(sb_clone_newnet()) == 0 else { throw KernelError("unshare", ["CLONE_NEWNET"]) }
            let fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw KernelError("open", ["/proc/thread-self/ns/net"]) }
            do {
                for (key, value) in sysctls.sorted(by: { $0.key < $1.key }) {
                    try FileSystem.write("/proc/sys/" + key.split(separator: ".").joined(separator: "/"), value)
                }
                let s = try NetlinkSocket()
                try s.perform(RouteRequests.setLink(index: 1, up: true), "ip link set lo up")   // lo is always index 1
                return (fd, s)
            } catch { close(fd); throw error }
        }
    }

    /// A netlink socket inside the namespace `fd` refers to (e.g. /proc/PID/ns/net).
    public static func socket(in fd: Int32) throws -> NetlinkSocket {
        try onThread {
            guard sb_setns(fd, sb_clone_newnet()) == 0 else { throw KernelError("setns", ["\(fd)", "CLONE_NEWNET"]) }
            return try NetlinkSocket()
        }
    }

    /// Run `body` inside the namespace `fd` on a thread of its own (for sockets other
    /// than netlink, e.g. a test's client).
    public static func run<T>(in fd: Int32, _ body: @escaping () throws -> T) throws -> T {
        try onThread {
            guard sb_setns(fd, sb_clone_newnet()) == 0 else { throw KernelError("setns", ["\(fd)", "CLONE_NEWNET"]) }
            return try body()
        }
    }

    /// Run `body` on a new pthread and wait for it. The thread ends with it, so a
    /// namespace it entered is left behind with it.
    static func onThread<T>(_ body: @escaping () throws -> T) throws -> T {
        var result: Result<T, Error>?
        let box = ThreadBody { result = Result { try body() } }
        let arg = Unmanaged.passRetained(box).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { p in
            let b = Unmanaged<ThreadBody>.fromOpaque(p!).takeRetainedValue()
            b.body()
            return nil
        }, arg)
        guard rc == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(arg).release()
            throw KernelError("pthread_create", [], errno: rc)
        }
        pthread_join(tid, nil)
        return try result!.get()
    }
}

final class ThreadBody {
    let body: () -> Void
    init(_ b: @escaping () -> Void) { body = b }
}
