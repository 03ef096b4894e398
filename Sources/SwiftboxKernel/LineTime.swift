// A timed line inside a narrated step: the C executor's ops between clone and execve
// are lines of one step (`child[7]: mount(…)`, as the dry run prints them) and, when
// traced, each also has its own start and duration, read from the memory the child
// stamped (SwiftboxRuntime ExecutorStamps). Keeping them lines, not steps, keeps the
// dry run and the trace the same list; the times are printed beside the lines.
public struct LineTime: Equatable, Sendable, Codable {
    /// The index in the step's `lines`.
    public var line: Int
    /// CLOCK_MONOTONIC ns, like the step's own start.
    public var start: Int64
    public var duration: Int64
    /// The process that did it (the container's first process, before its execve).
    public var pid: Int32

    public init(line: Int, start: Int64, duration: Int64, pid: Int32) {
        self.line = line
        self.start = start
        self.duration = duration
        self.pid = pid
    }

    /// One field of the steps file (StepCoding): "line:start:duration:pid" joined by ",";
    /// empty for none.
    static func encode(_ times: [LineTime]?) -> String {
        (times ?? []).map { "\($0.line):\($0.start):\($0.duration):\($0.pid)" }.joined(separator: ",")
    }

    static func decode(_ field: String) -> [LineTime]? {
        let times = field.split(separator: ",").compactMap { item -> LineTime? in
            let p = item.split(separator: ":")
            guard p.count == 4, let line = Int(p[0]), let start = Int64(p[1]), let duration = Int64(p[2]), let pid = Int32(p[3])
            else { return nil }
            return LineTime(line: line, start: start, duration: duration, pid: pid)
        }
        return times.isEmpty ? nil : times
    }
}
