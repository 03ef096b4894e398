// Records a killed `create` left half made (issue #15). `create` claims the name, makes
// the container's directory, writes config.json (through config.json.tmp-PID and a
// rename), then state.json. Killed in between, it leaves a name claim whose container
// has no config.json, and perhaps a directory with only the temporary file: no reader
// lists such a "ghost", yet it held the name for ever.
//
// Telling a ghost from a create still at work: the creator holds an exclusive flock on
// its claim from the moment the claim exists (EngineStore.reserve) until the record is
// whole, and the kernel drops the lock when the creator dies. So a claim whose record
// has no config.json and whose lock can be taken is garbage; one whose lock is held is
// a create in progress and is left alone. A container directory without config.json
// is garbage unless a locked claim names it (its creator claims the name before it
// makes the directory). They are removed by `rm -f NAME`, `container prune`, and a
// create of the same name.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

extension EngineStore {
    /// Remove the claim `name` if it is a ghost's (and the ghost's directory). True when
    /// it was one and is gone.
    @discardableResult
    public func removeIfIncomplete(claim name: String) -> Bool {
        guard (try? EngineStore.validate(name: name)) != nil else { return false }   // never a path elsewhere
        let path = namesDir + "/" + name
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        // Held: its creator is at work.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        guard let id = (try? FileSystem.readString(path))?.trimmed(), !id.isEmpty, !id.contains("/"), id != ".", id != ".." else {
            // An empty claim: its creator died before writing the ID (older versions).
            return unlinkIfSame(path, fd)
        }
        if FileSystem.exists(dir(id) + "/config.json") { return false }
        try? FileSystem.removeTree(dir(id))
        return unlinkIfSame(path, fd)
    }

    /// Unlink `path` if it is still the file open as `fd` (not a claim made since).
    private func unlinkIfSame(_ path: String, _ fd: Int32) -> Bool {
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, lstat(path, &named) == 0, open.st_ino == named.st_ino, open.st_dev == named.st_dev else { return false }
        return unlink(path) == 0
    }

    /// Every ghost: claims without a record, staging claims of dead creators, and
    /// container directories without config.json that no creator at work owns. The IDs
    /// and names removed.
    @discardableResult
    public func removeIncomplete() -> [String] {
        var removed: [String] = []
        // Directories first, claims second: a creator claims before it makes its
        // directory, so one at work is seen holding its claim below.
        let bare = FileSystem.listDirectory(containersDir).filter { !FileSystem.exists(dir($0) + "/config.json") }
        var busy = Set<String>()
        for name in FileSystem.listDirectory(namesDir) {
            let path = namesDir + "/" + name
            if name.hasPrefix(".claim-") {
                // A staging claim (EngineStore.reserve) whose creator died before linking it.
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { continue }
                if flock(fd, LOCK_EX | LOCK_NB) == 0 { if unlinkIfSame(path, fd) { removed.append(name) } } else { busy.insert(String(name.dropFirst(7))) }
                close(fd)
                continue
            }
            let id = (try? FileSystem.readString(path))?.trimmed() ?? ""
            if FileSystem.exists(dir(id) + "/config.json") && !id.isEmpty { continue }
            if removeIfIncomplete(claim: name) { removed.append(name) } else { busy.insert(id) }
        }
        for id in bare where !busy.contains(id) && !id.hasPrefix(".") {
            // Re-checked: a create may have finished meanwhile.
            guard !FileSystem.exists(dir(id) + "/config.json"), FileSystem.exists(dir(id)) else { continue }
            try? FileSystem.removeTree(dir(id))
            removed.append(id)
        }
        return removed
    }
}
