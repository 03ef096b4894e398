// A build step's result (an intermediate image, the build cache) is recorded in a file
// of its own, <root>/images/intermediate/<id hex>.json, not in repositories.json.
//
// Why: every command that knows images reads the index, and every write of it encodes
// and fsyncs the whole file. Builds add images at every step and keep them until
// `builder prune`: in the index, after a few dozen builds of the bench's Dockerfile
// (repositories.json 100–200 KB), each step's commit spent several milliseconds
// encoding it, and every `swiftbox run` decoded the whole cache. As files of their
// own, a step writes one small file (no fsync: it is cache, and a short or missing
// record is a miss), and the index stays the size of what `images` lists.
//
// Readers: `resolve` by full ID finds them (a build creates its RUN containers from
// them); garbage collection keeps their blobs and snapshots; `builder prune` and
// `system prune -a` remove them. Records of earlier versions, in the index with
// "intermediate": true, keep working where they are.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

extension ImageStore {
    var intermediateDir: String { root + "/intermediate" }

    func intermediatePath(_ hex: String) -> String { intermediateDir + "/" + hex + ".json" }

    /// The intermediate record of an ID (64 hex characters), or nil.
    public func intermediate(_ hex: String) -> ImageRecord? {
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        return try? DecodedFiles.read(intermediatePath(hex)) { try JSONDecoder().decode(ImageRecord.self, from: Data($0)) }
    }

    /// Every intermediate record in its own file.
    public func intermediates() -> [ImageRecord] {
        FileSystem.listDirectory(intermediateDir).compactMap { name in
            guard name.hasSuffix(".json") else { return nil }
            return intermediate(String(name.dropLast(5)))
        }
    }

    func saveIntermediate(_ record: ImageRecord) throws {
        try FileSystem.makeDirectories(intermediateDir, mode: 0o700)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let bytes = Array(try enc.encode(record))
        try FileSystem.writeAtomically(intermediatePath(record.id.hex), bytes, mode: 0o600, fsync: false)
    }

    /// Remove every intermediate record file (not the tagged images among them, which
    /// are in the index as well); the number removed.
    @discardableResult
    public func removeIntermediates() -> Int {
        var n = 0
        for name in FileSystem.listDirectory(intermediateDir) where unlink(intermediateDir + "/" + name) == 0 { n += 1 }
        return n
    }
}
