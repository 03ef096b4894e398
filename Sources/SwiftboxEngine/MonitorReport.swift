// The caller's side of the ready pipe: read the monitor's messages (MonitorMessage) until
// it says the container started or why not, or closes the pipe without saying either.
#if canImport(Glibc)
import Glibc
#endif

enum MonitorReport {
    /// The container's pid once the monitor reports it started. Throws the monitor's
    /// MonitorFailure, or a message it could not read; nil when the pipe closed first
    /// (the monitor died). `onAttach` runs when the monitor waits for an attach client.
    static func read(_ fd: Int32, onAttach: (() -> Void)?) throws -> Int32? {
        var pending: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[..<nl]
                let message = try MonitorMessage.decode(line: line)
                pending.removeSubrange(...nl)
                switch message {
                case .awaitingAttach: onAttach?()
                case .started(let pid): return pid
                case .failed(let failure): throw failure
                }
            }
            let n = Glibc.read(fd, &buf, buf.count)
            if n > 0 { pending += buf[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }
}
