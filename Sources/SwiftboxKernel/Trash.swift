// A trash directory: remove a tree now, delete it later.
//
// Deleting a directory tree costs more than its unlink(2) and rmdir(2) calls suggest.
// Every file or directory that owns a disk block frees it, and on a filesystem mounted
// with `discard` (ext4 on these machines) the freeing waits for the disk to acknowledge
// a discard request: ~0.1 ms each, 15-20 of them for a stopped container (its
// directory, config, state, hosts files, bundle, writable layer). Measured here, that
// was 1.5-2 ms of every `run --rm`, spent after the container had already exited.
//
// So removal is two steps. `take` renames the tree into the trash: one rename(2) in the
// same filesystem, and from then on the tree is gone for every reader, under every name
// it had. `emptyInBackground` then deletes what the trash holds in a process of its own
// (forked, detached: the command returns at once), or right here when this process
// cannot fork safely. One process empties a trash at a time (a lock beside it); one
// that finds the lock taken leaves the work to its holder, who looks again after
// letting go. A trash left with entries (the emptier was killed) is emptied by the
// next removal or by `system prune`.
#if canImport(Glibc)
import Glibc
#endif

public struct Trash: Sendable {
    /// Where taken trees wait for deletion; in the same filesystem as what goes in.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    var lockPath: String { directory + ".lock" }

    /// Move `path` (file or tree) into the trash. False when it cannot be renamed there
    /// (another filesystem, the trash cannot be made): then the caller deletes in place.
    /// True also when `path` does not exist: there is nothing left to remove.
    @discardableResult
    public func take(_ path: String) -> Bool {
        guard FileSystem.fileType(path) != nil else { return true }
        if access(directory, F_OK) != 0 { try? FileSystem.makeDirectories(directory, mode: 0o700) }
        let base = path.split(separator: "/").last.map(String.init) ?? "entry"
        // Unique within the trash even if the same name is taken twice before an emptying.
        let target = directory + "/" + base + ".\(getpid()).\(Trash.counter.next())"
        return rename(path, target) == 0
    }

    /// Take `path`, or delete it here when it cannot be taken.
    public func remove(_ path: String) throws {
        if !take(path) { try FileSystem.removeTree(path) }
    }

    /// Delete the trash's entries without waiting: in a detached child when this process
    /// is single-threaded (a fork is safe), else here. `argv` is what `ps` shows for it.
    /// `afterwards` runs there too, once the trash is empty (or another process empties it).
    public func emptyInBackground(as argv: [String], afterwards: @escaping () -> Void = {}) {
        if let child = try? DetachedProcess.fork(as: argv, { self.empty(); afterwards(); exit(0) }) {
            close(child.reader)
            return
        }
        empty()
        afterwards()
    }

    /// Delete every entry. Another process holding the lock empties the trash, and looks
    /// again once it let go, so nothing taken meanwhile is left behind: without
    /// `waiting` this returns at once then; with it, this waits for its turn, so that
    /// the trash is empty when it returns (`system prune`).
    public func empty(waiting: Bool = false) {
        guard access(directory, F_OK) == 0 else { return }   // nothing was ever taken
        var attempted = Set<String>()
        while true {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            guard flock(fd, waiting ? LOCK_EX : LOCK_EX | LOCK_NB) == 0 else { close(fd); return }
            for name in FileSystem.listDirectory(directory) {
                attempted.insert(name)
                try? FileSystem.removeTree(directory + "/" + name)
            }
            close(fd)   // lets go of the lock
            // Anything new arrived while we held the lock (its taker found it held)? Once
            // more. Entries that could not be deleted are not retried in a loop.
            if FileSystem.listDirectory(directory).allSatisfy({ attempted.contains($0) }) { return }
        }
    }

    /// Nothing waits for deletion.
    public var isEmpty: Bool { FileSystem.listDirectory(directory).isEmpty }

    /// A per-process sequence for unique entry names.
    final class Counter: @unchecked Sendable {
        private var value = 0
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func next() -> Int {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            value += 1
            return value
        }
    }
    static let counter = Counter()
}
