// Pull progress. On a terminal: one line per layer, redrawn in place with ANSI cursor
// movement ("a1b2c3d4e5f6: Downloading [=====>      ] 12.1MB/25.0MB"), at most ten
// times a second. Elsewhere (logs, CI): one plain line per event, as Docker prints.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public final class ProgressBoard: @unchecked Sendable {
    let lock = Lock()
    let tty: Bool
    var order: [String] = []
    var lines: [String: String] = [:]
    var drawn = 0
    var lastDraw: UInt64 = 0
    let output: (String) -> Void

    public init(tty: Bool = isatty(1) != 0, output: @escaping (String) -> Void = { s in
        _ = s.withCString { fputs($0, stdout) }
        fflush(stdout)
    }) {
        self.tty = tty
        self.output = output
    }

    /// A plain event line ("Digest: …"), printed below the board.
    public func event(_ text: String) {
        lock.withLock {
            if tty { redraw(force: true) }
            output(text + "\n")
            if tty { drawn = 0; order = []; lines = [:] }
        }
    }

    /// A layer's state; `done`/`total` bytes draw a bar on a terminal.
    public func update(_ id: String, _ status: String, done: Int64? = nil, total: Int64? = nil) {
        lock.withLock {
            if lines[id] == nil { order.append(id) }
            var text = "\(id): \(status)"
            if let done, let total, total > 0 {
                let width = 30
                let filled = min(width, Int(Double(done) / Double(total) * Double(width)))
                text += " [" + String(repeating: "=", count: max(0, filled - 1)) + (filled > 0 ? ">" : "")
                    + String(repeating: " ", count: width - filled) + "] \(Self.size(done))/\(Self.size(total))"
            }
            let changed = lines[id]?.hasPrefix("\(id): \(status)") != true
            lines[id] = text
            if tty { redraw(force: done == nil) } else if changed && done == nil { output(text + "\n") }
        }
    }

    func redraw(force: Bool) {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
        guard force || now - lastDraw >= 100 else { return }
        lastDraw = now
        var s = drawn > 0 ? "\u{1B}[\(drawn)A" : ""
        for id in order { s += "\r\u{1B}[2K" + (lines[id] ?? "") + "\n" }
        drawn = order.count
        output(s)
    }

    static func size(_ bytes: Int64) -> String {
        let mb = Double(bytes) / 1_000_000
        return mb >= 1 ? "\((mb * 10).rounded() / 10)MB" : "\((Double(bytes) / 100).rounded() / 10)kB"
    }
}
