// The build cache: a step's key → the image its result is (an intermediate record in
// the image store, never tagged, hidden from `images`). A key is the SHA-256 of
//   the parent step's key
//   + the instruction after variable substitution
//   + for RUN, every build argument in scope (its environment)
//   + for COPY/ADD, the checksum of exactly the files it reads (CopySources)
// so a change anywhere misses from the first step that sees it, and only from there.
// A FROM's key is its base image's ID: a new base misses everything after it.
//
// <root>/builder/cache/<key> holds "sha256:<image id>"; the image is recorded in
// images/intermediate/ (ImageStore+Intermediate). An entry whose image is gone
// (pruned) is a miss. `builder prune` removes the entries and the intermediate images,
// and the image store's garbage collection then frees their layers.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage
import SwiftboxKernel

struct BuildCache {
    let dir: String
    let images: ImageStore

    static func key(parent: String, _ parts: [String]) -> String {
        var h = SHA256Hasher()
        h.update(Array(parent.utf8))
        for p in parts { h.update(Array("\n\(p.utf8.count):".utf8)); h.update(Array(p.utf8)) }
        return h.finalizeHex()
    }

    func lookup(_ key: String) -> ImageRecord? {
        guard let text = try? FileSystem.readString(dir + "/" + key) else { return nil }
        guard let record = try? images.resolve(text.trimmed()) else { return nil }
        // Its layers must still be there (a blob removed by hand, a pruned store), and
        // whole: a step's layer is written without fsync (the tagged image flushes
        // them), so after a crash of the machine one may be short; it is then a miss.
        guard record.layers.allSatisfy({ images.content.size($0.digest) == $0.size }) else { return nil }
        return record
    }

    func store(_ key: String, _ record: ImageRecord) throws {
        try FileSystem.makeDirectories(dir, mode: 0o700)
        try FileSystem.writeAtomically(dir + "/" + key, Array(record.id.description.utf8), fsync: false)
    }

    /// Remove every entry and intermediate image; the number of entries removed.
    func prune() throws -> Int {
        let entries = FileSystem.listDirectory(dir)
        for e in entries { unlink(dir + "/" + e) }
        _ = try images.update { index in
            for (hex, r) in index.images where r.intermediate == true && !index.tags.values.contains(hex) { index.images[hex] = nil }
        }
        images.removeIntermediates()
        // The hints to the layers COPY steps made (CopyReuse): they point at layers the
        // collection below may remove.
        try? FileSystem.removeTree(String(dir.dropLast("/cache".count)) + "/copy-hints")
        try images.garbageCollect()
        return entries.count
    }
}
