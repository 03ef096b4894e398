// Following a container's json-file log the way `tail -F` follows a file: through an
// open descriptor, reading only what was appended since the last look.
//
// The descriptor is what makes it robust. The monitor rotates the log by renaming it
// (log → log.1) and may remove the whole container directory once a --rm container has
// exited; a reader holding the file open still reads everything that was written to it.
// When a different file appears at the path (a rotation), the old one is read to its
// end first, then the new one is opened. Reading by path instead meant reading the
// whole file again every 2 ms, and losing the end of a removed container's output.
#if canImport(Glibc)
import Glibc
#endif

public final class LogTail {
    public let path: String
    var fd: Int32 = -1
    /// Bytes after the last newline: a line still being written.
    var partial: [UInt8] = []

    /// `create`: make the (empty) log if it is not there yet, so that a reader opened
    /// before the container starts holds it from the first line on: a short-lived --rm
    /// container can exit and be removed before a reader that opens the file later
    /// would find it.
    public init(path: String, create: Bool = false) {
        self.path = path
        open(create: create)
    }

    deinit { if fd >= 0 { close(fd) } }

    func open(create: Bool = false) {
        fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0), 0o640)
        partial = []
    }

    /// The entries appended since the last call (malformed lines are skipped).
    public func next() -> [LogEntry] {
        if fd < 0 { open() }
        var out = readAppended()
        // Rotated: another file at the path (or the same path gone: keep what we hold).
        var atPath = stat()
        var held = stat()
        if fd >= 0, stat(path, &atPath) == 0, fstat(fd, &held) == 0,
           atPath.st_ino != held.st_ino || atPath.st_dev != held.st_dev {
            close(fd)
            open()
            out += readAppended()
        }
        return out
    }

    func readAppended() -> [LogEntry] {
        guard fd >= 0 else { return [] }
        var bytes = partial
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65536) { buf in
            while true {
                let n = read(fd, buf.baseAddress, buf.count)
                if n > 0 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n])); continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
        }
        let (entries, end) = LogReader.parse(bytes[...])
        partial = Array(bytes[end...])
        return entries
    }
}
