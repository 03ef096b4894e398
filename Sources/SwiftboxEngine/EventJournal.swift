// Events (`swiftbox events`) without a daemon: every process that changes something —
// the CLI, each container's monitor — appends one JSON line to <root>/events.jsonl.
// The file is opened with O_APPEND and each event is one write(2) of less than
// PIPE_BUF (4096) bytes: the kernel moves to the end and writes under the inode lock,
// so lines of concurrent writers never interleave, and a reader that follows the file
// sees whole lines (a torn last line, from a crash mid-write, is skipped).
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

/// One event, in Docker's JSON shape (`docker events --format json`).
public struct EngineEvent: Codable, Equatable, Sendable {
    public struct EventActor: Codable, Equatable, Sendable {
        public var ID: String
        public var Attributes: [String: String]
    }
    public var status: String?
    public var id: String?
    public var from: String?
    public var `Type`: String
    public var Action: String
    public var Actor: EventActor
    public var scope: String
    public var time: Int64
    public var timeNano: Int64

    public init(type: String, action: String, id: String, attributes: [String: String], timeNano: Int64 = WallTime.now()) {
        self.Type = type
        self.Action = action
        self.Actor = .init(ID: id, Attributes: attributes)
        self.scope = "local"
        self.timeNano = timeNano
        self.time = timeNano / 1_000_000_000
        // Docker's deprecated top-level fields, still printed for containers.
        if type == "container" {
            status = action
            self.id = id
            from = attributes["image"]
        }
    }

    /// Docker's text line: "2026-11-25T16:00:00.123456789Z container start ID (image=busybox, name=web)".
    public var text: String {
        let attrs = self.Actor.Attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(WallTime.format(timeNano)) \(self.Type) \(Action) \(self.Actor.ID)" + (attrs.isEmpty ? "" : " (\(attrs))")
    }
}

public struct EventJournal: Sendable {
    /// Lines stay below PIPE_BUF so each is one atomic append.
    public static let maxLine = 4000
    /// Past this size the journal moves to events.jsonl.1 (one generation kept).
    public let rotateAt: Int
    public let path: String
    public var previousPath: String { path + ".1" }

    public init(root: String, rotateAt: Int = 8 << 20) {
        path = root + "/events.jsonl"
        self.rotateAt = rotateAt
    }

    /// Append one event; best effort (an event log must never fail a container operation).
    public func append(_ event: EngineEvent) {
        var e = event
        var line = EventJournal.encode(e)
        // Too long (a huge label): drop attributes other than name and image.
        if line.count >= EventJournal.maxLine {
            e.Actor.Attributes = e.Actor.Attributes.filter { $0.key == "name" || $0.key == "image" || $0.key == "exitCode" }
            line = EventJournal.encode(e)
            guard line.count < EventJournal.maxLine else { return }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var st = stat()
        if fstat(fd, &st) == 0 && Int(st.st_size) >= rotateAt { rotate() }
    }

    /// Under a lock, so two writers past the limit rotate once: rename(2) keeps every
    /// line (a writer that opened the old file appends to events.jsonl.1).
    func rotate() {
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { return }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { return }
        var st = stat()
        if stat(path, &st) == 0 && Int(st.st_size) >= rotateAt { rename(path, previousPath) }
    }

    /// The previous generation (events.jsonl.1).
    public func readPrevious() -> [EngineEvent] { EventJournal(path: previousPath).read().events }

    /// Every event still kept, the previous generation first.
    public func readAll() -> [EngineEvent] { readPrevious() + read().events }

    init(path: String) {
        self.path = path
        rotateAt = Int.max
    }

    /// The tiny API other parts call: `journal.append(type: "container", action: "oom", id: c.id, attributes: [...])`.
    public func append(type: String = "container", action: String, id: String, attributes: [String: String] = [:]) {
        append(EngineEvent(type: type, action: action, id: id, attributes: attributes))
    }

    static func encode(_ e: EngineEvent) -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? enc.encode(e)) ?? Data()) + [UInt8(ascii: "\n")]
    }

    /// Events from byte `offset` on; the offset after the last whole line. A file
    /// shorter than `offset` was rotated: read it from the start.
    public func read(from offset: Int = 0) -> (events: [EngineEvent], next: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return ([], 0) }
        defer { close(fd) }
        var st = stat()
        var offset = offset
        if fstat(fd, &st) == 0 && Int(st.st_size) < offset { offset = 0 }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var pos = off_t(offset)
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, pos) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buf[0..<n]
            pos += off_t(n)
        }
        var events: [EngineEvent] = []
        var consumed = 0
        let decoder = JSONDecoder()
        while let nl = bytes[consumed...].firstIndex(of: UInt8(ascii: "\n")) {
            if let e = try? decoder.decode(EngineEvent.self, from: Data(bytes[consumed..<nl])) { events.append(e) }
            consumed = nl + 1
        }
        return (events, offset + consumed)
    }
}

/// `--filter container=…|event=…|type=…|image=…|label=…`: the same key ORs, different keys AND (as Docker).
public struct EventFilter: Sendable {
    var terms: [String: [String]] = [:]

    public init(_ specs: [String]) throws {
        for spec in specs {
            let kv = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, ["container", "event", "type", "image", "label", "network", "volume"].contains(kv[0]) else {
                throw EngineError.failed("invalid filter '\(spec)': use container=, event=, type=, image=, label=, network= or volume=")
            }
            terms[kv[0], default: []].append(kv[1])
        }
    }

    public func matches(_ e: EngineEvent) -> Bool {
        for (key, values) in terms {
            let ok = values.contains { v in
                switch key {
                case "container": return e.Type == "container" && (e.Actor.ID.hasPrefix(v) || e.Actor.Attributes["name"] == v)
                // "health_status" matches "health_status: healthy" too, as Docker.
                case "event": return e.Action == v || e.Action.hasPrefix(v + ":")
                case "type": return e.Type == v
                case "image": return e.Actor.Attributes["image"] == v
                case "network": return e.Type == "network" && (e.Actor.ID.hasPrefix(v) || e.Actor.Attributes["name"] == v)
                case "volume": return e.Type == "volume" && (e.Actor.ID == v || e.Actor.Attributes["name"] == v)
                case "label":
                    let lv = v.split(separator: "=", maxSplits: 1).map(String.init)
                    return lv.count == 1 ? e.Actor.Attributes[lv[0]] != nil : e.Actor.Attributes[lv[0]] == lv[1]
                default: return false
                }
            }
            if !ok { return false }
        }
        return true
    }
}
