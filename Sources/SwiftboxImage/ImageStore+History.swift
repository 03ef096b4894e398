// `swiftbox history`: an image's history entries, newest first, each with the layer it
// made — Docker's pairing: the config's history lists every instruction, and those
// without `empty_layer` made the image's layers, in order.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel

public struct ImageHistoryEntry: Equatable, Sendable {
    /// The image's ID on the newest entry; nil on the others (Docker prints <missing>:
    /// the steps that made them are not images here).
    public var id: Digest?
    public var created: String?
    public var createdBy: String
    /// The bytes of the files its layer holds (0 for an entry that made no layer).
    public var size: Int64
    public var comment: String
    public var tags: [String]
}

extension ImageStore {
    public func history(_ reference: String) throws -> [ImageHistoryEntry] {
        let record = try resolve(reference)
        let config = try self.config(of: record)
        let chains = SnapshotStore.chainIDs(record.diffIDs)
        var entries: [ImageHistoryEntry] = []
        var layer = 0
        let history = config.history ?? []
        for h in history {
            var size: Int64 = 0
            if h.empty_layer != true, layer < chains.count {
                size = layerSize(record, index: layer, chain: chains[layer])
                layer += 1
            }
            entries.append(ImageHistoryEntry(id: nil, created: h.created, createdBy: h.created_by ?? "", size: size,
                                             comment: h.comment ?? "", tags: []))
        }
        // Layers the history does not account for (an image without history): one
        // entry each, as Docker shows them.
        while layer < chains.count {
            entries.append(ImageHistoryEntry(id: nil, created: record.created, createdBy: "", size: layerSize(record, index: layer, chain: chains[layer]),
                                             comment: "", tags: []))
            layer += 1
        }
        entries.reverse()
        if entries.isEmpty { entries = [ImageHistoryEntry(id: nil, created: record.created, createdBy: "", size: 0, comment: "", tags: [])] }
        entries[0].id = record.id
        entries[0].tags = tags(of: record.id, in: try readIndex()).map { (try? ImageReference.parse($0))?.familiar ?? $0 }
        return entries
    }

    /// The sizes of a layer's files, from its snapshot when it is unpacked; else the
    /// size of its blob.
    func layerSize(_ record: ImageRecord, index: Int, chain: Digest) -> Int64 {
        let dir = snapshots.directory(chain)
        if FileSystem.exists(dir) { return DiskUsage.bytes(dir) }
        return record.layers[index].size
    }
}
