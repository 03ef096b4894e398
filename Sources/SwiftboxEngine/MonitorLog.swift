// The monitor's own account of what it does, in <container dir>/monitor.log: its stdio
// is /dev/null (it outlives the terminal that started it), so without this a monitor
// that failed, restarted its container or removed it left no trace of why. One line per
// event, appended with a single write(2) each, so lines from the monitors of successive
// starts (and a racing second monitor) never interleave within a line:
//
//   2026-12-02T17:30:00.123456789Z monitor[4242]: started the container: pid 4250
//
// The file goes with the container's directory when it is removed.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

struct MonitorLog {
    /// Opened once for the monitor's life; -1 when it cannot be (the monitor runs on).
    private let fd: Int32
    private let prefix: String

    init(path: String) {
        // O_CLOEXEC: the container, the runtime and hooks this monitor starts must not
        // inherit the monitor's log.
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        prefix = " monitor[\(getpid())]: "
    }

    func callAsFunction(_ text: String) {
        guard fd >= 0 else { return }
        let line = Clock.rfc3339Nano() + prefix + text + "\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
    }
}
