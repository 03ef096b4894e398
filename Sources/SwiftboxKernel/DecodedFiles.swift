// What this process already decoded, per file, for as long as the file's bytes are the
// same.
//
// swiftbox's records — the image index, a container's config and state, the runtime's
// record — are small JSON files. One `run` reads the same few records in several
// places: the CLI, then the monitor forked from it (which inherits this memory), then
// the CLI again after the exit. Decoding one with Codable costs 0.1-0.7 ms here
// (measured with perf: about a fifth of a start's CPU was JSON), reading its bytes a few
// microseconds. So the bytes and the value decoded from them (or just encoded into
// them) are remembered per path, and a read that finds the same bytes returns the
// value without decoding. Comparing the content, not a stat(2) identity, is what makes
// it safe: a record rewritten within one timestamp tick into a recycled inode looks
// unchanged to stat, never to a comparison of its bytes.
#if canImport(Glibc)
import Glibc
#endif

public enum DecodedFiles {
    final class Memory: @unchecked Sendable {
        private var entries: [String: (bytes: [UInt8], value: Any)] = [:]
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }

        func get(_ path: String) -> (bytes: [UInt8], value: Any)? {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            return entries[path]
        }

        func set(_ path: String, _ entry: (bytes: [UInt8], value: Any)?) {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            // A long-lived process (compose, a monitor) reads many records over time:
            // keep the memory small, forgetting everything rather than growing.
            if entries.count >= 64 { entries.removeAll(keepingCapacity: true) }
            entries[path] = entry
        }
    }
    static let memory = Memory()

    /// The value `decode` makes of the file's bytes, or the one remembered for the same
    /// bytes. Throws what reading (a missing file: KernelError) or `decode` throws.
    public static func read<T>(_ path: String, _ type: T.Type = T.self, decode: ([UInt8]) throws -> T) throws -> T {
        let bytes = try FileSystem.read(path)
        if let known = memory.get(path), known.bytes == bytes, let value = known.value as? T { return value }
        let value = try decode(bytes)
        memory.set(path, (bytes, value))
        return value
    }

    /// `bytes`, the encoding of `value`, were just written to `path`.
    public static func wrote<T>(_ value: T, as bytes: [UInt8], to path: String) {
        memory.set(path, (bytes, value))
    }
}
