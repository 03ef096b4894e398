// When the C executor's own steps happen (`swiftbox run --trace`): between clone and
// execve the child may run no Swift and should do no extra system call, so it notes a
// CLOCK_MONOTONIC time before each op in memory it shares with us (executor.c
// stamp()). We map that memory before the clone (MAP_SHARED: the child's copy of our
// address space keeps pointing at the same pages) and read it once execve has closed
// the report pipe, or the child has reported its failure — after that it writes no more.
//
// Only made when a Narrator records: the untraced start passes NULL and pays one
// pointer test per op.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SwiftboxKernel

public final class ExecutorStamps {
    /// Slot 0: the child began (the clone returned in it); slot i + 1: op i began.
    let slots: UnsafeMutablePointer<Int64>
    let count: Int
    let bytes: Int

    /// Shared, zeroed memory for a plan of `ops` operations (a 0 slot: never reached).
    public init(ops: Int) throws {
        count = ops + 1
        bytes = count * MemoryLayout<Int64>.stride
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else { throw KernelError("mmap", ["\(bytes)", "MAP_SHARED|MAP_ANONYMOUS"]) }
        slots = p.bindMemory(to: Int64.self, capacity: count)
    }

    deinit { munmap(slots, bytes) }

    var pointer: UnsafeMutablePointer<Int64> { slots }

    /// When the child began, if it did.
    public var childStart: Int64? { slots[0] == 0 ? nil : slots[0] }

    /// Each op the child began: (index, start, duration). An op lasts until the next
    /// one began; the last one begun (execve, or the one that failed) until `end`, when
    /// the parent saw the report pipe close or the failure come.
    public func opTimes(end: Int64) -> [(op: Int, start: Int64, duration: Int64)] {
        var begun: [(op: Int, start: Int64)] = []
        for i in 0..<(count - 1) where slots[i + 1] != 0 { begun.append((i, slots[i + 1])) }
        return begun.enumerated().map { k, b in
            let next = k + 1 < begun.count ? begun[k + 1].start : end
            return (b.op, b.start, max(0, next - b.start))
        }
    }
}

extension LaunchedChild {
    /// `step` (the plan's clone → execve narration, begun at `start`) with its lines
    /// timed: the clone line from `start` to the child's first instruction, and each
    /// `child[i]:` line by the child's stamps; `end`: when the parent saw the execve (or
    /// the failure). Between the clone and the first op the child closes the fds it
    /// inherited (executor.c close_inherited_fds): no line of its own.
    public func timed(_ step: NarratedStep, start: Int64, end: Int64) -> NarratedStep {
        guard let stamps else { return step }
        var times: [LineTime] = []
        if let began = stamps.childStart,
           let k = step.lines.firstIndex(where: { $0.hasPrefix("parent: clone(") || $0.hasPrefix("parent: clone3(") }) {
            times.append(LineTime(line: k, start: start, duration: max(0, began - start), pid: getpid()))
        }
        var lineOf: [Int: Int] = [:]
        for (k, line) in step.lines.enumerated() where line.hasPrefix("child[") {
            if let close = line.firstIndex(of: "]"), let i = Int(line[line.index(line.startIndex, offsetBy: 6)..<close]) { lineOf[i] = k }
        }
        times += stamps.opTimes(end: end).compactMap { t in
            lineOf[t.op].map { LineTime(line: $0, start: t.start, duration: t.duration, pid: pid) }
        }
        var s = step
        s.lineTimes = times
        return s
    }
}

extension OCIRuntime {
    /// Traced: the clone → execve step, ending now, with the executor's ops timed.
    func recordLaunch(_ child: LaunchedChild, _ step: @autoclosure () -> NarratedStep, start: Int64) {
        guard let narrator = Narrator.current else { return }
        let end = Narrator.monotonicNanoseconds()
        narrator.record(child.timed(step(), start: start, end: end), start: start, end: end)
    }
}
