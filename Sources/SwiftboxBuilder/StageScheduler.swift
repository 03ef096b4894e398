// Independent stages build at the same time, as BuildKit builds them: a stage starts
// once every stage it needs is done, at most `width` at once (this machine has 2
// cores; a RUN mostly waits on its container, a COPY on the disk). The lowest-numbered
// ready stage goes first, so a build of one chain of stages runs in file order on this
// thread. The first failure cancels the rest (they stop at their next step) and is
// the one reported.
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import SwiftboxKernel

struct StageScheduler {
    let run: BuildRun
    /// Stage → the stages it needs.
    let graph: [Int: Set<Int>]
    var width = 2

    func run(_ build: @escaping @Sendable (Int) throws -> Void) throws {
        var done = Set<Int>()
        var running = Set<Int>()
        var failure: Error?
        let finished = DispatchSemaphore(value: 0)
        let completed = Completions()
        while done.count < graph.count {
            let ready = graph.keys.filter { !done.contains($0) && !running.contains($0) && graph[$0]!.isSubset(of: done) }.sorted()
            if failure == nil, let next = ready.first, running.count < width {
                running.insert(next)
                if running.count == 1 && ready.count == 1 {
                    // Nothing to overlap with: build it here, without a thread.
                    running.remove(next)
                    do { try build(next) } catch { failure = error; break }
                    done.insert(next)
                    continue
                }
                DispatchQueue.global().async {
                    var error: Error?
                    do { try build(next) } catch let e { error = e }
                    completed.add(next, error)
                    finished.signal()
                }
                continue
            }
            guard !running.isEmpty else { break }
            finished.wait()
            let batch = completed.take()
            for (i, error) in batch {
                running.remove(i)
                if let error {
                    if failure == nil { failure = error; run.cancel() }
                } else {
                    done.insert(i)
                }
            }
            // More than one may have finished for this one signal: take the others' too.
            for _ in 1..<max(1, batch.count) { finished.wait() }
        }
        if let failure { throw failure }
    }
}

/// The stages that finished on other threads, and how.
final class Completions: @unchecked Sendable {
    private let lock = Lock()
    private var items: [(Int, Error?)] = []
    func add(_ stage: Int, _ error: Error?) { lock.withLock { items.append((stage, error)) } }
    func take() -> [(Int, Error?)] { lock.withLock { defer { items.removeAll() }; return items } }
}
