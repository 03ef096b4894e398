// Printing narrated steps (Narrator): the numbered list of `run --dry-run`, the same
// list with times for `run --trace`, the one-line summary of where the time went, and
// Chrome's trace-event JSON (`--trace=FILE.json`; chrome://tracing or ui.perfetto.dev
// open it).
import SwiftboxKernel
import SwiftboxRuntime

public enum Narration {
    /// Grouped by subject (image, container, network, cgroups, launch, monitor), in the
    /// order each group's steps began. A dry run's steps carry no times: their order is kept.
    public static func grouped(_ steps: [NarratedStep]) -> [NarratedStep] {
        let ordered = steps.enumerated().sorted { a, b in
            let sa = StepSubject.allCases.firstIndex(of: a.element.subject)!, sb = StepSubject.allCases.firstIndex(of: b.element.subject)!
            if sa != sb { return sa < sb }
            if let x = a.element.start, let y = b.element.start, x != y { return x < y }
            return a.offset < b.offset
        }
        return ordered.map(\.element)
    }

    /// The container's directory and ID, from the step that records the container
    /// (StartSteps.record's first line), as shell variables: the text is shorter, and
    /// a learner who sets them can paste the commands.
    public static func variables(_ steps: [NarratedStep]) -> [(name: String, value: String)] {
        // The record step's "mkdir DIR", else (a start) the overlay's "mkdir -p DIR/upper …".
        let dir: String
        if let line = steps.first(where: { $0.subject == .container && $0.title.hasPrefix("record") })?.lines.first, line.hasPrefix("mkdir ") {
            dir = String(line.dropFirst("mkdir ".count))
        } else if let line = steps.first(where: { $0.subject == .image && $0.title.hasPrefix("mount the root") })?.lines.first,
                  line.hasPrefix("mkdir -p "), let upper = line.split(separator: " ").dropFirst(2).first, upper.hasSuffix("/upper") {
            dir = String(upper.dropLast("/upper".count))
        } else {
            return []
        }
        guard let id = dir.split(separator: "/").last.map(String.init), id.count == 64 else { return [] }
        return [("C", dir), ("ID", id)]
    }

    /// The numbered list, one group per subject; with times when the steps have them.
    /// `abbreviate`: the container's directory and ID written as $C and $ID.
    public static func text(_ steps: [NarratedStep], abbreviate: Bool = true) -> String {
        let steps = grouped(steps)
        let origin = steps.compactMap(\.start).min()
        var out = ""
        let vars = abbreviate ? variables(steps) : []
        if let c = vars.first, let id = vars.last {
            out += "ID=\(id.value)\nC=\(c.value.dropLast(id.value.count))$ID\n"
        }
        func short(_ s: String) -> String {
            var s = s
            for v in vars { s = s.replacing(v.value, with: "$" + v.name) }
            return s
        }
        var subject: StepSubject?
        for (i, s) in steps.enumerated() {
            if s.subject != subject {
                out += "\(s.subject.rawValue)\n"
                subject = s.subject
            }
            let number = String(i + 1)
            var head = String(repeating: " ", count: max(0, 4 - number.count)) + number + "  "
            if let origin, let start = s.start {
                head += pad("+" + ms(start - origin), 8) + " ms  " + pad(ms(s.duration ?? 0), 7) + " ms  "
            }
            out += head + short(s.title) + "\n"
            // A timed line (an op of the C executor) carries its own time columns.
            var times: [Int: LineTime] = [:]
            for t in s.lineTimes ?? [] { times[t.line] = t }
            for (k, line) in s.lines.enumerated() {
                var cols = ""
                if let origin, let t = times[k] { cols = pad("+" + ms(t.start - origin), 8) + " ms  " + pad(ms(t.duration), 7) + " ms  " }
                out += "        " + cols + short(line) + "\n"
            }
        }
        return out
    }

    /// "trace: 23.4 ms …: image 1.2 ms, network …" — the time of each subject (steps of
    /// a subject may overlap others': the network is set up while the rootfs is mounted).
    /// Subjects the command has no step of are left out (an exec has no image, network
    /// or monitor).
    public static func summary(_ steps: [NarratedStep]) -> String {
        let timed = steps.filter { $0.start != nil }
        guard let first = timed.compactMap(\.start).min() else { return "trace: no steps recorded" }
        let last = timed.map { $0.start! + ($0.duration ?? 0) }.max()!
        func total(_ f: (NarratedStep) -> Bool) -> Int64 { timed.filter(f).reduce(0) { $0 + ($1.duration ?? 0) } }
        let isWait = { (s: NarratedStep) in s.subject == .monitor && s.title == "wait for the container" }
        let isExecWait = { (s: NarratedStep) in s.subject == .launch && s.title == "wait for the process" }
        let isClone = { (s: NarratedStep) in s.subject == .launch && s.title.hasPrefix("clone") }
        let isRecord = { (s: NarratedStep) in s.subject == .container && s.title.hasPrefix("record") }
        var parts: [String] = []
        func part(_ name: String, _ f: (NarratedStep) -> Bool) {
            if timed.contains(where: f) { parts.append("\(name) \(ms(total(f))) ms") }
        }
        part("image") { $0.subject == .image }
        part(timed.contains(where: isRecord) ? "record" : "container") { $0.subject == .container }
        part("network") { $0.subject == .network }
        part("cgroups") { $0.subject == .cgroups }
        if timed.contains(where: isClone) { parts.append("clone→execve \(ms(total(isClone))) ms" + executorBreakdown(timed.filter(isClone))) }
        part("monitor") { $0.subject == .monitor && !isWait($0) }
        part("the container ran", isWait)
        part("the process ran", isExecWait)
        return "trace: \(ms(last - first)) ms from the first step to the last: " + parts.joined(separator: ", ")
    }

    /// Where clone → execve went, from the executor's stamps: " (clone 0.31 ms, 66 ops
    /// 1.99 ms, execve 0.55 ms)"; empty when the lines were not timed. The clone line's
    /// time runs until the child's first instruction; the ops' until the execve was seen.
    static func executorBreakdown(_ clones: [NarratedStep]) -> String {
        var clone: Int64 = 0, ops: Int64 = 0, exec: Int64 = 0, count = 0
        for s in clones {
            for t in s.lineTimes ?? [] where t.line < s.lines.count {
                let line = s.lines[t.line]
                if line.hasPrefix("parent: clone") { clone += t.duration }
                else if line.contains("]: execve(") { exec += t.duration }
                else { ops += t.duration; count += 1 }
            }
        }
        guard count > 0 || exec > 0 else { return "" }
        return " (clone \(ms(clone)) ms, \(count) ops \(ms(ops)) ms, execve \(ms(exec)) ms)"
    }

    /// Chrome trace-event JSON: one complete event ("ph":"X") per step, times in µs
    /// from the first step, the real pid and tid (the CLI, the monitor, its threads);
    /// then inside clone → execve its timed lines: the clone (cat "clone") and the
    /// executor's ops (cat "executor", events of the container's process).
    public static func chromeTrace(_ steps: [NarratedStep]) -> String {
        let timed = grouped(steps).filter { $0.start != nil }
        let origin = timed.compactMap(\.start).min() ?? 0
        var events: [String] = []
        for (i, s) in timed.enumerated() {
            let args = s.lines.map(Diagnostics.jsonString).joined(separator: ",")
            events.append("{\"name\":\(Diagnostics.jsonString("\(i + 1) \(s.title)")),\"cat\":\"\(s.subject.rawValue)\",\"ph\":\"X\","
                + "\"ts\":\(us(s.start! - origin)),\"dur\":\(us(s.duration ?? 0)),\"pid\":\(s.pid ?? 0),\"tid\":\(s.tid ?? 0),"
                + "\"args\":{\"lines\":[\(args)]}}")
            // The clone (the parent's) and the executor's ops (the child's), inside the
            // clone → execve step.
            for t in s.lineTimes ?? [] where t.line < s.lines.count {
                let cat = s.lines[t.line].hasPrefix("parent") ? "clone" : "executor"
                events.append("{\"name\":\(Diagnostics.jsonString(s.lines[t.line])),\"cat\":\"\(cat)\",\"ph\":\"X\","
                    + "\"ts\":\(us(t.start - origin)),\"dur\":\(us(t.duration)),\"pid\":\(t.pid),\"tid\":\(t.pid)}")
            }
        }
        return "{\"traceEvents\":[\n" + events.joined(separator: ",\n") + "\n],\"displayTimeUnit\":\"ms\"}\n"
    }

    static func ms(_ ns: Int64) -> String {
        let hundredths = (ns + 5_000) / 10_000
        let frac = String(hundredths % 100)
        return "\(hundredths / 100)." + String(repeating: "0", count: 2 - frac.count) + frac
    }

    static func us(_ ns: Int64) -> String {
        let frac = String(ns % 1000)
        return "\(ns / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
}
