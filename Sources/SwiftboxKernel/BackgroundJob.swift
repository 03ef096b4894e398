// One piece of work on a pthread of its own, joined by wait(): for work that mostly
// waits on the kernel or on another process (netlink round trips, an nft run) while
// the caller does something else. Without a thread (pthread_create failed) wait() runs
// the work itself.
#if canImport(Glibc)
import Glibc
#endif

/// What the thread's C entry point calls (a C function pointer cannot name a generic type).
public class ThreadBody {
    func run() {}
}

public final class BackgroundJob<T>: ThreadBody {
    private var result: Result<T, Error>?
    private var tid = pthread_t()
    private var started = false
    private var joined = false
    private let body: () throws -> T

    public init(_ body: @escaping () throws -> T) {
        self.body = body
        super.init()
        let arg = Unmanaged.passRetained(self as ThreadBody).toOpaque()
        started = pthread_create(&tid, nil, { p in
            Unmanaged<ThreadBody>.fromOpaque(p!).takeRetainedValue().run()
            return nil
        }, arg) == 0
        if !started { Unmanaged<ThreadBody>.fromOpaque(arg).release() }
    }

    override func run() { result = Result { try body() } }

    /// The work's result, once its thread has ended (again on later calls).
    public func wait() throws -> T {
        if !started {
            started = true
            joined = true
            result = Result { try body() }
        } else if !joined {
            pthread_join(tid, nil)
            joined = true
        }
        return try result!.get()
    }
}
