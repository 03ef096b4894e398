// `swiftbox build` on a terminal (--progress auto or tty): BuildKit's compact view.
// Each step is one line — "=> [2/5] RUN pip install …  1.2s", "=> CACHED [3/5] COPY …"
// — and while a step runs, the last few lines of its output are shown under it and
// redrawn in place (cursor up, clear line); when it ends they are wiped and only its
// line stays. A failing step's last lines stay on the screen.
import SwiftboxBuilder
#if canImport(Glibc)
import Glibc
#endif

final class TTYProgress: BuildProgressPrinter {
    /// Output lines shown under a running step.
    static let window = 5
    var names: [Int: String] = [:]
    var tails: [Int: [String]] = [:]
    /// Lines drawn below the last finished step (redrawn on every change).
    var drawn = 0
    var running: [Int] = []
    var failedVertex: Int?
    let columns: Int

    init() {
        var ws = winsize()
        columns = ioctl(2, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 20 ? Int(ws.ws_col) : 80
    }

    func print(_ e: BuildEvent) {
        switch e {
        case .started(let v, let name):
            names[v] = name
            running.append(v)
        case .cached(let v):
            running.removeAll { $0 == v }
            commit("=> CACHED \(names[v] ?? "")")
        case .output(let v, let line, _):
            tails[v] = Array(((tails[v] ?? []) + [line]).suffix(TTYProgress.window))
        case .done(let v, let seconds):
            running.removeAll { $0 == v }
            commit("=> \(names[v] ?? "") \(ProgressTime.tenths(seconds))s")
        case .failed(let v, let message):
            running.removeAll { $0 == v }
            failedVertex = v
            commit(["=> ERROR \(names[v] ?? "")"] + (tails[v] ?? []).map { "   > " + $0 } + ["   \(message)"])
        case .note(let text):
            commit(text)
        }
        redraw()
    }

    /// Lines that stay: written over the live area, which is drawn again below them.
    func commit(_ lines: String...) { commit(lines) }
    func commit(_ lines: [String]) {
        clearLive()
        for l in lines { put(fit(l) + "\n") }
    }

    func redraw() {
        clearLive()
        var live: [String] = []
        for v in running {
            live.append("=> \(names[v] ?? "")")
            live += (tails[v] ?? []).map { "   " + $0 }
        }
        for l in live { put(fit(l) + "\n") }
        drawn = live.count
    }

    /// Move up over the live lines and clear them.
    func clearLive() {
        guard drawn > 0 else { return }
        put("\u{1B}[\(drawn)A\u{1B}[J")
        drawn = 0
    }

    func fit(_ line: String) -> String { line.count > columns - 1 ? String(line.prefix(columns - 2)) + "…" : line }
    func put(_ s: String) { FileHandleStderr.write(s) }
    func flushFailure() {}
}

/// What `swiftbox build` and `compose build` print progress with.
protocol BuildProgressPrinter: AnyObject {
    func print(_ e: BuildEvent)
    func flushFailure()
}
