// `pull`: resolve the reference to a manifest (choosing our platform from an index),
// fetch the config and the layers the store lacks — several at once — each verified
// against its digest as it streams in, then register the image. Blobs already present
// are skipped, so an interrupted pull resumes at blob granularity; a blob cut short
// never gets its final name.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import SwiftboxKernel

public struct ImagePuller {
    public let store: ImageStore
    public var platform = Platform(architecture: "amd64", os: "linux")
    public var insecure: [String] = []
    public var maxConcurrentDownloads = 3
    /// Per-registry CA certificates: <certsDirectory>/<registry>/ca.crt.
    public var certsDirectory: String?
    public var tls: TLSPolicy = .auto
    /// Where progress goes; nil for none (`pull -q`).
    public var progress: ProgressBoard? = ProgressBoard()

    public init(store: ImageStore) { self.store = store }

    public func pull(_ ref: ImageReference, credentials: Credentials) throws -> ImageRecord {
        try store.content.prepare()
        let client = RegistryClient(registry: ref.registry, credentials: credentials.entry(for: ref.registry), insecure: insecure,
                                    certsDirectory: certsDirectory, tls: tls)
        let repo = ref.repository
        var (bytes, mediaType, digest) = try client.manifest(repo, ref.digest ?? ref.tag ?? "latest")
        progress?.event("\(ref.tag ?? ref.digest ?? "latest"): Pulling from \(ref.withoutTagFamiliar)")
        if MediaType.isIndex(mediaType) {
            try store.content.write(bytes, expected: digest)
            let index = try JSONDecoder().decode(ImageIndex.self, from: Data(bytes))
            guard let pick = index.manifests.first(where: {
                $0.platform?.os == platform.os && $0.platform?.architecture == platform.architecture
                    && (platform.variant == nil || $0.platform?.variant == platform.variant)
            }) else {
                let have = index.manifests.compactMap { $0.platform.map { "\($0.os)/\($0.architecture)" } }.joined(separator: ", ")
                throw RegistryError(message: "\(ref.familiar): no manifest for \(platform.os)/\(platform.architecture) (the image has \(have))")
            }
            (bytes, mediaType, digest) = try client.manifest(repo, pick.digest.description)
            guard digest == pick.digest else { throw ImageError.digestMismatch(expected: pick.digest, actual: digest) }
        }
        guard MediaType.isManifest(mediaType) else { throw RegistryError(message: "\(ref.familiar): unsupported manifest type \(mediaType)") }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes))
        try store.content.write(bytes, expected: digest)

        // Config and layers: skip what we have, fetch the rest concurrently.
        let wanted = ([manifest.config] + manifest.layers).filter { !store.content.has($0.digest) }
        let skipped = manifest.layers.filter { store.content.has($0.digest) }
        let progress = self.progress
        for l in skipped { progress?.update(l.digest.short, "Already exists") }
        for l in manifest.layers where !skipped.contains(l) { progress?.update(l.digest.short, "Pulling fs layer") }
        let errors = ErrorBox()
        let queue = DispatchQueue(label: "swiftbox.pull", attributes: .concurrent)
        let limit = DispatchSemaphore(value: maxConcurrentDownloads)
        let group = DispatchGroup()
        for desc in wanted {
            limit.wait()
            group.enter()
            queue.async {
                defer { limit.signal(); group.leave() }
                do {
                    let isLayer = desc.digest != manifest.config.digest
                    try client.blob(repo, desc.digest, into: store.content) { done in
                        if isLayer { progress?.update(desc.digest.short, "Downloading", done: done, total: desc.size) }
                    }
                    if isLayer { progress?.update(desc.digest.short, "Pull complete") }
                } catch {
                    errors.set(error)
                }
            }
        }
        group.wait()
        if let e = errors.first { throw e }

        let record = try store.register(manifestDigest: digest, tags: ref.digest == nil ? [ref] : [])
        let repoDigest = "\(ref.withoutTagFamiliar)@\(digest)"
        try store.update { index in
            var r = index.images[record.id.hex] ?? record
            var digests = r.repoDigests ?? []
            if !digests.contains(repoDigest) { digests.append(repoDigest) }
            r.repoDigests = digests
            index.images[record.id.hex] = r
            if ref.digest != nil, ref.tag != nil { index.tags[ref.description] = record.id.hex }
        }
        progress?.event("Digest: \(digest)")
        progress?.event("Status: Downloaded newer image for \(ref.familiar)")
        return record
    }
}

/// The first error of concurrent downloads.
final class ErrorBox: @unchecked Sendable {
    private let lock = Lock()
    private var error: Error?
    func set(_ e: Error) { lock.withLock { if error == nil { error = e } } }
    var first: Error? { lock.withLock { error } }
}

extension ImageReference {
    /// "alpine", "user/app", "127.0.0.1:5000/x": the familiar name without tag or digest.
    var withoutTagFamiliar: String {
        ImageReference(registry: registry, repository: repository, tag: nil, digest: nil).familiar
    }
}
