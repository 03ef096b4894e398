// `load`: images from an archive, as `docker save` writes it (manifest.json + config +
// layer tars) or as an OCI image layout (oci-layout, index.json, blobs/sha256/…),
// tarred or as a directory. Every file of the archive streams once into the content
// store, which hashes it; OCI blobs must match the digest in their name. Each layer's
// uncompressed content is checked against the config's diff ID when it is unpacked.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CArchive
import SwiftboxKernel

public struct ImageLoader {
    public let store: ImageStore
    public var platform = Platform(architecture: "amd64", os: "linux")

    public init(store: ImageStore) { self.store = store }

    /// The archive's files: small JSON documents kept in memory, everything else in the
    /// content store under the digest of its content.
    struct Archive {
        var documents: [String: [UInt8]] = [:]
        var blobs: [String: Digest] = [:]
    }

    static let documentNames: Set<String> = ["oci-layout", "index.json", "manifest.json", "repositories"]

    /// Load every image in the archive at `path`; returns the references (or IDs) loaded.
    public func load(_ path: String) throws -> [String] {
        let archive = FileSystem.isDirectory(path) ? try readDirectory(path) : try readTar(path)
        if archive.documents["oci-layout"] != nil, archive.documents["index.json"] != nil {
            return try loadOCI(archive, source: path)
        }
        if archive.documents["manifest.json"] != nil { return try loadDockerArchive(archive, source: path) }
        throw ImageError.malformed("\(path): neither a docker-archive (manifest.json) nor an OCI image layout (oci-layout, index.json)")
    }

    func readTar(_ path: String) throws -> Archive {
        guard let a = archive_read_new() else { throw ImageError.io("libarchive: out of memory") }
        defer { archive_read_free(a) }
        archive_read_support_filter_all(a)
        archive_read_support_format_tar(a)
        guard archive_read_open_filename(a, path, 1 << 20) == ARCHIVE_OK else {
            throw ImageError.malformed("\(path): \(LayerUnpacker.errorString(a))")
        }
        var out = Archive()
        var entry: OpaquePointer?
        while true {
            let rc = archive_read_next_header(a, &entry)
            if rc == ARCHIVE_EOF { break }
            guard rc == ARCHIVE_OK || rc == ARCHIVE_WARN, let entry else {
                throw ImageError.malformed("\(path): \(LayerUnpacker.errorString(a))")
            }
            guard UInt32(archive_entry_filetype(entry)) == LayerUnpacker.IFREG else { continue }
            var name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            while name.hasPrefix("./") { name.removeFirst(2) }
            if ImageLoader.documentNames.contains(name) || (name.hasSuffix(".json") && !name.contains("/")) {
                out.documents[name] = try readData(a, path: path)
                if name.hasSuffix(".json") && name != "index.json" && name != "manifest.json" {
                    out.blobs[name] = try store.content.write(out.documents[name]!)
                }
                continue
            }
            var writer = try ContentStore.Writer(store: store.content)
            do {
                try ArchiveData.forEachBlock(a, "\(path): \(name)") { block, _ in try writer.append(block) }
                // An OCI blob is named by its digest: hold it to that.
                out.blobs[name] = try writer.commit(expected: ImageLoader.digestInName(name))
            } catch {
                writer.abort()
                throw error
            }
        }
        return out
    }

    func readData(_ a: OpaquePointer, path: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try ArchiveData.forEachBlock(a, path) { block, _ in
            out += block
            guard out.count < 64 << 20 else { throw ImageError.malformed("\(path): metadata file larger than 64 MiB") }
        }
        return out
    }

    func readDirectory(_ dir: String) throws -> Archive {
        var out = Archive()
        for name in ImageLoader.documentNames where FileSystem.exists(dir + "/" + name) {
            out.documents[name] = try FileSystem.read(dir + "/" + name)
        }
        let blobDir = dir + "/blobs/sha256"
        for hex in FileSystem.listDirectory(blobDir) {
            let name = "blobs/sha256/" + hex
            out.blobs[name] = try store.content.ingestFile(dir + "/" + name, expected: ImageLoader.digestInName(name))
        }
        return out
    }

    static func digestInName(_ name: String) -> Digest? {
        let parts = name.split(separator: "/")
        guard parts.count == 3, parts[0] == "blobs" else { return nil }
        return Digest("\(parts[1]):\(parts[2])")
    }

    // MARK: OCI image layout

    func loadOCI(_ a: Archive, source: String) throws -> [String] {
        let index = try decode(ImageIndex.self, a.documents["index.json"]!, "\(source): index.json")
        var loaded: [String] = []
        for desc in index.manifests {
            guard let manifestDigest = try pickManifest(desc, source: source) else { continue }
            var tags: [ImageReference] = []
            if let name = desc.annotations?["io.containerd.image.name"] ?? desc.annotations?["org.opencontainers.image.ref.name"] {
                // A bare ref.name ("latest") is a tag without a repository: name it after the source.
                if let ref = try? ImageReference.parse(name), name.contains("/") || name.contains(":") {
                    tags.append(ref)
                } else if let ref = try? ImageReference.parse(ImageLoader.repositoryName(for: source) + ":" + name) {
                    tags.append(ref)
                }
            }
            let record = try store.register(manifestDigest: manifestDigest, tags: tags, unpack: true)
            loaded.append(tags.first?.familiar ?? record.id.description)
        }
        return loaded
    }

    /// Follow an index to the manifest for our platform.
    func pickManifest(_ desc: Descriptor, source: String) throws -> Digest? {
        if MediaType.isIndex(desc.mediaType) {
            let nested = try decode(ImageIndex.self, try store.content.read(desc.digest), "\(source): index \(desc.digest.short)")
            guard let match = nested.manifests.first(where: { $0.platform?.os == platform.os && $0.platform?.architecture == platform.architecture })
                    ?? (nested.manifests.count == 1 ? nested.manifests.first : nil) else {
                throw ImageError.unsupported("\(source): no manifest for \(platform.os)/\(platform.architecture)")
            }
            return try pickManifest(match, source: source)
        }
        if let p = desc.platform, p.os != platform.os || p.architecture != platform.architecture { return nil }
        return desc.digest
    }

    static func repositoryName(for source: String) -> String {
        var base = String(source.split(separator: "/").last ?? "image")
        for ext in [".tar.gz", ".tgz", ".tar"] where base.hasSuffix(ext) { base.removeLast(ext.count) }
        let cleaned = base.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(cleaned).trimmingDashes()
    }

    // MARK: docker-archive

    struct DockerManifestEntry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    func loadDockerArchive(_ a: Archive, source: String) throws -> [String] {
        let entries = try decode([DockerManifestEntry].self, a.documents["manifest.json"]!, "\(source): manifest.json")
        var loaded: [String] = []
        for e in entries {
            guard let configDigest = a.blobs[e.Config] ?? a.blobs[e.Config.replacingPrefix("./")] else {
                throw ImageError.malformed("\(source): manifest.json names config \(e.Config), which is not in the archive")
            }
            // Checked here so a broken config is reported by its name in the archive.
            _ = try decode(ImageConfig.self, try store.content.read(configDigest), "\(source): \(e.Config)")
            var layers: [Descriptor] = []
            for l in e.Layers {
                guard let d = a.blobs[l] else { throw ImageError.malformed("\(source): manifest.json names layer \(l), which is not in the archive") }
                layers.append(Descriptor(mediaType: MediaType.ociLayer, digest: d, size: store.content.size(d) ?? 0))
            }
            // docker-archive has no registry manifest: write an OCI one for the store.
            let manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest,
                                                       size: store.content.size(configDigest) ?? 0), layers: layers)
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let manifestDigest = try store.content.write(Array(try enc.encode(manifest)))
            let tags = try (e.RepoTags ?? []).map { try ImageReference.parse($0) }
            let record = try store.register(manifestDigest: manifestDigest, tags: tags, unpack: true)
            loaded.append(tags.first?.familiar ?? record.id.description)
        }
        return loaded
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ what: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw ImageError.malformed("\(what): not a valid \(T.self) document (\(error))")
        }
    }
}

extension String {
    func trimmingDashes() -> String {
        var s = Substring(self)
        while s.first == "-" { s.removeFirst() }
        while s.last == "-" { s.removeLast() }
        return s.isEmpty ? "image" : String(s)
    }

    func replacingPrefix(_ p: String) -> String { hasPrefix(p) ? String(dropFirst(p.count)) : self }
}
