// An image made here (by a build step, later by `commit`): its config and manifest
// written to the content store and registered. The layers are in the store already,
// with their snapshots (LayerWriter, SnapshotStore.adopt), so nothing is unpacked.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ImageStore {
    public func commit(config: ImageConfig, layers: [Descriptor], tags: [ImageReference] = [], intermediate: Bool = false) throws -> ImageRecord {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // An intermediate image (a build step's) is written without fsyncs; the image a
        // build tags makes the layers it names (written by the steps without fsync)
        // durable first, so they are on disk before the tag is.
        let durable = !intermediate
        if durable { try content.sync(layers.map(\.digest)) }
        let configBytes = Array(try enc.encode(config))
        let configDigest = try content.write(configBytes, durable: durable)
        let manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                layers: layers)
        let manifestDigest = try content.write(Array(try enc.encode(manifest)), durable: durable)
        return try register(manifestDigest: manifestDigest, tags: tags, unpack: false, intermediate: intermediate)
    }
}
