// Container output in Docker's json-file format: one JSON object per line,
// {"log":"text\n","stream":"stdout","time":"2026-11-25T16:00:00.123456789Z"}.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

public struct LogEntry: Codable, Equatable, Sendable {
    public var log: String
    public var stream: String
    public var time: String
}

/// Splits a stream into lines (a partial line is held until its newline, or flushed at
/// 16 KiB) and appends them to the log file.
public final class LogWriter {
    let fd: Int32
    var pending: [String: [UInt8]] = [:]

    public init(path: String) throws {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw KernelError("open", [path, "O_APPEND"]) }
    }

    deinit { close(fd) }

    public func append(_ bytes: UnsafeRawBufferPointer, stream: String) {
        var buf = pending[stream] ?? []
        for b in bytes {
            buf.append(b)
            if b == UInt8(ascii: "\n") || buf.count >= 16384 {
                emit(buf, stream)
                buf.removeAll(keepingCapacity: true)
            }
        }
        pending[stream] = buf
    }

    public func flush() {
        for (stream, buf) in pending where !buf.isEmpty { emit(buf, stream) }
        pending = [:]
    }

    func emit(_ bytes: [UInt8], _ stream: String) {
        let entry = LogEntry(log: String(decoding: bytes, as: UTF8.self), stream: stream, time: Clock.rfc3339Nano())
        guard var line = try? JSONEncoder().encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

public enum LogReader {
    /// The entries of a log file (malformed lines are skipped).
    public static func entries(_ path: String, from offset: Int = 0) -> (entries: [LogEntry], end: Int) {
        guard let bytes = try? FileSystem.read(path), bytes.count > offset else { return ([], offset) }
        var out: [LogEntry] = []
        var start = offset
        var end = offset
        for i in offset..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            if let e = try? JSONDecoder().decode(LogEntry.self, from: Data(bytes[start..<i])) { out.append(e) }
            start = i + 1
            end = start
        }
        return (out, end)
    }
}
