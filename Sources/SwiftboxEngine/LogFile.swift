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
/// 16 KiB) and appends them to the log file; with `maxSize`, the file is rotated as
/// Docker's json-file driver does (log → log.1 → … → log.<maxFiles-1>).
public final class LogWriter {
    let path: String
    var fd: Int32
    var size: Int64
    let maxSize: Int64?
    let maxFiles: Int
    var pending: [String: [UInt8]] = [:]

    public init(path: String, maxSize: Int64? = nil, maxFiles: Int = 1) throws {
        self.path = path
        self.maxSize = maxSize
        self.maxFiles = max(1, maxFiles)
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw KernelError("open", [path, "O_APPEND"]) }
        var st = stat()
        fstat(fd, &st)
        size = Int64(st.st_size)
    }

    deinit { close(fd) }

    func rotateIfNeeded() {
        guard let maxSize, size >= maxSize else { return }
        close(fd)
        if maxFiles > 1 {
            for i in stride(from: maxFiles - 1, to: 0, by: -1) {
                rename(i == 1 ? path : "\(path).\(i - 1)", "\(path).\(i)")
            }
        } else {
            unlink(path)
        }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        size = 0
    }

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
        rotateIfNeeded()
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        size += Int64(line.count)
    }
}

public enum LogReader {
    /// Rotated files first (oldest first), then the current one.
    public static func allEntries(_ path: String) -> [LogEntry] {
        var files: [String] = []
        var i = 1
        while FileSystem.exists("\(path).\(i)") { files.insert("\(path).\(i)", at: 0); i += 1 }
        return files.flatMap { entries($0) }
    }

    /// The entries of a log file (malformed lines are skipped).
    public static func entries(_ path: String) -> [LogEntry] {
        guard let bytes = try? FileSystem.read(path) else { return [] }
        return parse(bytes[...]).entries
    }

    /// The entries of the complete lines in `bytes` (malformed ones skipped), and where
    /// the incomplete last line, if any, begins.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> (entries: [LogEntry], end: Int) {
        var out: [LogEntry] = []
        var start = bytes.startIndex
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            if let e = try? JSONDecoder().decode(LogEntry.self, from: Data(bytes[start..<i])) { out.append(e) }
            start = i + 1
        }
        return (out, start)
    }
}
