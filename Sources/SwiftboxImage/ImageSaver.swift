// `save`: images to a tar that both `docker load` and OCI tools read — an OCI image
// layout (oci-layout, index.json, blobs/sha256/…) plus Docker's manifest.json pointing
// into the same blobs, as `docker save` has written since Docker 25.
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

public struct ImageSaver {
    public let store: ImageStore
    public init(store: ImageStore) { self.store = store }

    struct DockerEntry: Encodable {
        var Config: String
        var RepoTags: [String]
        var Layers: [String]
    }

    public func save(_ names: [String], to path: String) throws {
        let index = try store.readIndex()
        var descriptors: [Descriptor] = []
        var docker: [DockerEntry] = []
        var blobs = Set<Digest>()
        for name in names {
            let record = try store.resolve(name)
            var tags: [String] = []
            if let ref = try? ImageReference.parse(name), index.tags[ref.description] == record.id.hex {
                tags = [ref.description]
            } else if name.count < 12 || !name.allSatisfy(\.isHexDigit) {
                tags = store.tags(of: record.id, in: index)
            }
            let annotations = tags.first.map { ["io.containerd.image.name": $0, "org.opencontainers.image.ref.name": (try? ImageReference.parse($0))?.tag ?? "latest"] }
            descriptors.append(Descriptor(mediaType: record.manifestMediaType, digest: record.manifest,
                                          size: store.content.size(record.manifest) ?? 0, annotations: annotations))
            docker.append(DockerEntry(Config: "blobs/sha256/\(record.id.hex)",
                                      RepoTags: tags.compactMap { (try? ImageReference.parse($0))?.familiar },
                                      Layers: record.layers.map { "blobs/sha256/\($0.digest.hex)" }))
            blobs.insert(record.manifest)
            blobs.insert(record.id)
            record.layers.forEach { blobs.insert($0.digest) }
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let tmp = path + ".tmp-\(getpid())"
        guard let a = archive_write_new() else { throw ImageError.io("libarchive: out of memory") }
        defer { archive_write_free(a) }
        archive_write_set_format_pax_restricted(a)
        guard archive_write_open_filename(a, tmp) == ARCHIVE_OK else { throw ImageError.io("\(path): \(String(cString: archive_error_string(a)))") }
        do {
            try add(a, "oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
            try add(a, "index.json", Array(try enc.encode(ImageIndex(manifests: descriptors))))
            try add(a, "manifest.json", Array(try enc.encode(docker)))
            for d in blobs.sorted() { try addFile(a, "blobs/sha256/\(d.hex)", store.content.path(d)) }
            guard archive_write_close(a) == ARCHIVE_OK else { throw ImageError.io("\(path): \(String(cString: archive_error_string(a)))") }
        } catch {
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else { throw KernelError("rename", [tmp, path]) }
    }

    func header(_ name: String, size: Int64) -> OpaquePointer {
        let e = archive_entry_new()!
        archive_entry_set_pathname(e, name)
        archive_entry_set_filetype(e, UInt32(LayerUnpacker.IFREG))
        archive_entry_set_perm(e, 0o644)
        archive_entry_set_size(e, size)
        return e
    }

    func add(_ a: OpaquePointer, _ name: String, _ bytes: [UInt8]) throws {
        let e = header(name, size: Int64(bytes.count))
        defer { archive_entry_free(e) }
        guard archive_write_header(a, e) == ARCHIVE_OK else { throw ImageError.io(String(cString: archive_error_string(a))) }
        _ = bytes.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
    }

    func addFile(_ a: OpaquePointer, _ name: String, _ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KernelError("open", [path]) }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let e = header(name, size: Int64(st.st_size))
        defer { archive_entry_free(e) }
        guard archive_write_header(a, e) == ARCHIVE_OK else { throw ImageError.io(String(cString: archive_error_string(a))) }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            let w = buf.withUnsafeBytes { archive_write_data(a, $0.baseAddress, n) }
            guard w == n else { throw ImageError.io("\(name): \(String(cString: archive_error_string(a)))") }
        }
    }
}
