// Images by name: <root>/images/repositories.json maps tags to image IDs (the
// config digest, as Docker's IDs are) and records each image's manifest. Blobs live
// in the ContentStore; unpacked layers in the SnapshotStore. Every read-modify-write
// of the index holds an flock on a lock file and replaces the index with rename(2),
// so concurrent swiftbox processes never lose each other's updates.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

public struct ImageRecord: Codable, Equatable, Sendable {
    public var id: Digest
    public var manifest: Digest
    public var manifestMediaType: String
    public var layers: [Descriptor]
    public var diffIDs: [Digest]
    public var created: String?
    /// When swiftbox stored it (for `images` CREATED when the image has no date).
    public var stored: String
    public var size: Int64
    public var repoDigests: [String]?
    /// A build step's result, kept as the build cache (never tagged): hidden from
    /// `images`, left by `image prune`, removed by `builder prune` and `system prune -a`.
    public var intermediate: Bool?
}

public struct ImageIndexFile: Codable, Equatable, Sendable {
    public var images: [String: ImageRecord] = [:]   // key: id hex
    public var tags: [String: String] = [:]          // normalised reference → id hex
}

public struct ImageStore: Sendable {
    public let root: String
    public let content: ContentStore
    public let snapshots: SnapshotStore

    public init(root: String) {
        self.root = root + "/images"
        self.content = ContentStore(root: root + "/images")
        self.snapshots = SnapshotStore(root: root + "/images/snapshots", content: ContentStore(root: root + "/images"))
    }

    var indexPath: String { root + "/repositories.json" }

    /// Run `body` on the index under an exclusive lock, saving what it returns.
    public func update<T>(_ body: (inout ImageIndexFile) throws -> T) throws -> T {
        try FileSystem.makeDirectories(root, mode: 0o700)
        let lock = try FileLock(path: root + "/repositories.lock")
        defer { lock.unlock() }
        var index = try readIndex()
        let result = try body(&index)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let bytes = Array(try enc.encode(index))
        try FileSystem.writeAtomically(indexPath, bytes)
        DecodedFiles.wrote(index, as: bytes, to: indexPath)
        return result
    }

    public func readIndex() throws -> ImageIndexFile {
        do {
            // Decoded once per process per version (DecodedFiles): a start reads it in
            // the CLI and again in the monitor forked from it.
            return try DecodedFiles.read(indexPath) { try JSONDecoder().decode(ImageIndexFile.self, from: Data($0)) }
        } catch is KernelError {
            return ImageIndexFile()   // not written yet (or unreadable): no images
        } catch {
            throw ImageError.malformed("\(indexPath): unreadable image index (\(error))")
        }
    }

    /// Record an image whose manifest, config and layers are already in the content store
    /// (checked: the config lists one diff_id per layer, every layer is present), and point
    /// `tags` at it. Each layer's content is checked against its diff_id when unpacked.
    @discardableResult
    /// `unpack`: unpack every layer now (into its snapshot, once per chain ID) and refuse
    /// the image if one cannot be — a hostile entry (`..`, a link or whiteout out of the
    /// root), a diff ID that does not match — so `load` never reports "Loaded" for an
    /// image the first `run` would refuse.
    public func register(manifestDigest: Digest, tags: [ImageReference], unpack: Bool = false, intermediate: Bool = false) throws -> ImageRecord {
        let manifestBytes = try content.read(manifestDigest)
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(manifestBytes))
        let configBytes = try content.read(manifest.config.digest)
        let config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes))
        guard config.rootfs.diff_ids.count == manifest.layers.count else {
            throw ImageError.malformed("image \(manifest.config.digest.short): config lists \(config.rootfs.diff_ids.count) diff_ids for \(manifest.layers.count) layers")
        }
        for layer in manifest.layers where !content.has(layer.digest) { throw ImageError.blobMissing(layer.digest) }
        let size = manifest.layers.reduce(Int64(0)) { $0 + $1.size }
        let record = ImageRecord(id: manifest.config.digest, manifest: manifestDigest,
                                 manifestMediaType: manifest.mediaType ?? MediaType.ociManifest,
                                 layers: manifest.layers, diffIDs: config.rootfs.diff_ids, created: config.created,
                                 stored: Clock.rfc3339(nanoseconds: false), size: size, repoDigests: nil,
                                 intermediate: intermediate ? true : nil)
        if unpack { _ = try snapshots.prepare(record) }
        if intermediate && tags.isEmpty {
            // A build step's result: its own file (ImageStore+Intermediate), unless it
            // is an image of the index already (a step that made a tagged image again).
            if let old = (try? readIndex())?.images[record.id.hex] { return old }
            if let old = self.intermediate(record.id.hex), old.manifest == record.manifest { return old }
            try saveIntermediate(record)
            return record
        }
        // Nothing to change (the same image registered again, its tags already on it): the
        // index is not rewritten (a rewrite is an fsync).
        if let index = try? readIndex(), let old = index.images[record.id.hex], old.manifest == record.manifest,
           (old.intermediate == true) == intermediate, tags.allSatisfy({ index.tags[$0.description] == record.id.hex }) {
            return old
        }
        try update { index in
            var r = record
            if let old = index.images[record.id.hex] {
                r.stored = old.stored
                r.repoDigests = old.repoDigests
                // A build's final image that was a cached step before is an image now.
                if old.intermediate == nil || !intermediate { r.intermediate = intermediate ? old.intermediate : nil }
            }
            index.images[record.id.hex] = r
            for t in tags { index.tags[t.description] = record.id.hex }
        }
        return record
    }

    /// Find an image by reference, full or short ID (a unique hex prefix, as Docker
    /// accepts), or "sha256:…".
    public func resolve(_ text: String) throws -> ImageRecord {
        let index = try readIndex()
        var hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        hex = hex.lowercased()
        if hex.count >= 4, hex.allSatisfy({ $0.isHexDigit }) {
            let matches = index.images.keys.filter { $0.hasPrefix(hex) }
            if matches.count == 1, let r = index.images[matches[0]] { return r }
            if matches.count > 1 { throw ImageError.notFound("\(text) (ambiguous: \(matches.count) images match)") }
            // A build step's result, by its full ID (ImageStore+Intermediate).
            if matches.isEmpty, let r = intermediate(hex) { return r }
        }
        if let ref = try? ImageReference.parse(text), let id = index.tags[ref.description], let r = index.images[id] {
            return r
        }
        throw ImageError.notFound(text)
    }

    public func config(of record: ImageRecord) throws -> ImageConfig {
        do {
            return try DecodedFiles.read(content.path(record.id)) { try JSONDecoder().decode(ImageConfig.self, from: Data($0)) }
        } catch is KernelError {
            throw ImageError.blobMissing(record.id)
        }
    }

    public func tags(of id: Digest, in index: ImageIndexFile) -> [String] {
        index.tags.filter { $0.value == id.hex }.map(\.key).sorted()
    }

    public func tag(_ source: String, as target: ImageReference) throws {
        let record = try resolve(source)
        try update { $0.tags[target.description] = record.id.hex }
    }

    /// `rmi`: untag a reference; an image with no tags left (or removed by ID) is deleted
    /// together with the blobs and snapshots nothing else uses. Returns what was done,
    /// in Docker's words ("Untagged: …", "Deleted: …").
    public func remove(_ text: String, force: Bool) throws -> [String] {
        let record = try resolve(text)
        var lines: [String] = []
        try update { index in
            let byTag = (try? ImageReference.parse(text)).flatMap { index.tags[$0.description] } == record.id.hex
            let tags = tags(of: record.id, in: index)
            if byTag, let ref = try? ImageReference.parse(text) {
                index.tags[ref.description] = nil
                lines.append("Untagged: \(ref.familiar)")
            } else {
                if tags.count > 1 && !force {
                    throw ImageError.inUse("conflict: unable to delete \(record.id.short) (must be forced) - image is referenced in multiple repositories")
                }
                for t in tags {
                    index.tags[t] = nil
                    lines.append("Untagged: \((try? ImageReference.parse(t))?.familiar ?? t)")
                }
            }
            if !index.tags.values.contains(record.id.hex) {
                index.images[record.id.hex] = nil
                lines.append("Deleted: \(record.id)")
            }
        }
        try garbageCollect()
        return lines
    }

    /// `image prune` / `system prune`: remove untagged images (every image with `all`),
    /// except those in `keep` (images containers were created from), then collect the
    /// blobs and snapshots nothing refers to any more. Returns the removed images.
    /// The build cache (intermediate records) only with `buildCache`.
    public func prune(all: Bool, keep: Set<String>, buildCache: Bool = false) throws -> [ImageRecord] {
        var removed: [ImageRecord] = []
        try update { index in
            for (hex, r) in index.images where !keep.contains(r.id.description) && (all || !index.tags.values.contains(hex))
                && (buildCache || r.intermediate != true) {
                index.images[hex] = nil
                index.tags = index.tags.filter { $0.value != hex }
                removed.append(r)
            }
        }
        if buildCache {
            removed += intermediates().filter { !keep.contains($0.id.description) }
            removeIntermediates()
        }
        try garbageCollect()
        return removed
    }

    /// Remove blobs and snapshots no image refers to, and leftovers of interrupted writes.
    public func garbageCollect() throws {
        let index = try readIndex()
        var keep = Set<Digest>()
        var keepChains = Set<String>()
        for r in Array(index.images.values) + intermediates() {
            keep.insert(r.id)
            keep.insert(r.manifest)
            r.layers.forEach { keep.insert($0.digest) }
            for c in SnapshotStore.chainIDs(r.diffIDs) { keepChains.insert(c.hex) }
        }
        for d in content.all() where !keep.contains(d) { content.delete(d) }
        content.cleanIngest()
        snapshots.removeAll(except: keepChains)
    }
}

