// `import`: a root filesystem tarball becomes a one-layer image. `--change` takes the
// Dockerfile instructions Docker accepts there (CMD, ENTRYPOINT, ENV, WORKDIR, USER,
// EXPOSE, LABEL, STOPSIGNAL, VOLUME) to fill in the image config.
import SwiftboxKernel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct ImageImporter {
    public let store: ImageStore
    public init(store: ImageStore) { self.store = store }

    public func importTarball(_ path: String, reference: ImageReference?, changes: [String], message: String?) throws -> ImageRecord {
        var config = ImageConfig.ContainerConfig()
        for change in changes { try ImageImporter.apply(change, to: &config) }
        let layerDigest = try store.content.ingestFile(path)
        let diffID = try LayerUnpacker.diffID(layer: store.content.path(layerDigest))
        // The layer is stored as given; its media type says how it is compressed.
        let magic = (try? FileSystem.read(store.content.path(layerDigest)).prefix(4)).map(Array.init) ?? []
        let mediaType = magic.starts(with: [0x1f, 0x8b]) ? MediaType.ociLayerGzip
            : magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) ? MediaType.ociLayerZstd : MediaType.ociLayer
        var image = ImageConfig(config: config, diffIDs: [diffID], created: Clock.rfc3339(nanoseconds: false))
        image.history = [.init(created: image.created, created_by: nil, comment: message ?? "Imported from \(path)", empty_layer: nil)]
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let configBytes = Array(try enc.encode(image))
        let configDigest = try store.content.write(configBytes)
        let manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                layers: [Descriptor(mediaType: mediaType,
                                                    digest: layerDigest, size: store.content.size(layerDigest) ?? 0)])
        let manifestDigest = try store.content.write(Array(try enc.encode(manifest)))
        // Unpacked before it is registered, as load does: a tarball with a hostile entry is
        // refused by import itself.
        return try store.register(manifestDigest: manifestDigest, tags: reference.map { [$0] } ?? [], unpack: true)
    }

    /// One Dockerfile instruction, e.g. `CMD ["sh", "-c", "x"]`, `CMD echo hi`, `ENV A=b C=d`.
    public static func apply(_ change: String, to c: inout ImageConfig.ContainerConfig) throws {
        let trimmed = change.drop(while: { $0 == " " })
        guard let space = trimmed.firstIndex(of: " ") else { throw ImageError.malformed("--change \"\(change)\": expected INSTRUCTION ARGUMENTS") }
        let keyword = trimmed[..<space].uppercased()
        let rest = String(trimmed[trimmed.index(after: space)...]).trimmed()
        switch keyword {
        case "CMD": c.Cmd = try commandForm(rest, change)
        case "ENTRYPOINT": c.Entrypoint = try commandForm(rest, change)
        case "ENV":
            var env = c.Env ?? []
            let pairs = rest.contains("=") ? rest.split(separator: " ").map(String.init) : [rest.replacingFirstSpace(with: "=")]
            for p in pairs {
                guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw ImageError.malformed("--change \"\(change)\": ENV needs NAME=VALUE") }
                let name = String(p[..<eq])
                env.removeAll { $0.hasPrefix(name + "=") }
                env.append(p)
            }
            c.Env = env
        case "WORKDIR":
            guard rest.hasPrefix("/") else { throw ImageError.malformed("--change \"\(change)\": WORKDIR must be an absolute path") }
            c.WorkingDir = rest
        case "USER": c.User = rest
        case "STOPSIGNAL": c.StopSignal = rest
        case "EXPOSE":
            var ports = c.ExposedPorts ?? [:]
            for p in rest.split(separator: " ") { ports[p.contains("/") ? String(p) : "\(p)/tcp"] = EmptyObject() }
            c.ExposedPorts = ports
        case "VOLUME":
            var vols = c.Volumes ?? [:]
            let list = rest.hasPrefix("[") ? try commandForm(rest, change) : rest.split(separator: " ").map(String.init)
            for v in list { vols[v] = EmptyObject() }
            c.Volumes = vols
        case "LABEL":
            var labels = c.Labels ?? [:]
            for p in rest.split(separator: " ") {
                let kv = p.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { throw ImageError.malformed("--change \"\(change)\": LABEL needs KEY=VALUE") }
                labels[String(kv[0])] = String(kv[1]).trimmingCharacters(in: "\"")
            }
            c.Labels = labels
        default:
            throw ImageError.malformed("--change \"\(change)\": \(keyword) is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR")
        }
    }

    /// JSON array form, or shell form wrapped in /bin/sh -c as Docker does.
    static func commandForm(_ text: String, _ change: String) throws -> [String] {
        if text.hasPrefix("[") {
            guard let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
                throw ImageError.malformed("--change \"\(change)\": not a JSON array of strings")
            }
            return list
        }
        return ["/bin/sh", "-c", text]
    }
}

extension String {
    func replacingFirstSpace(with r: String) -> String {
        guard let i = firstIndex(of: " ") else { return self }
        return String(self[..<i]) + r + String(self[index(after: i)...]).trimmed()
    }

    func trimmingCharacters(in chars: String) -> String {
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
