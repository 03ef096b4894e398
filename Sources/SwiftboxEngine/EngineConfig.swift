// Defaults for every container of a root, from <root>/daemon.json (Docker keeps its
// daemon's in /etc/docker/daemon.json; swiftbox has no daemon, so the root holds them):
//
//   { "userns-remap": "default", "userns-remap-layers": "auto" }
//
// A run's own flag wins (`--userns-remap host` turns the default off for one container).
// A file that cannot be read, is not JSON, or has a key swiftbox does not know stops
// every create with the file and key named: a mistyped key must not leave containers
// running as host root when the author asked for a remap.
import Foundation
import SwiftboxKernel

public struct EngineConfig: Equatable, Sendable {
    /// How a remapped container's image layers are shown to it (LayerRemapper).
    public enum RemapLayers: String, Sendable, CaseIterable {
        /// Idmapped mounts of the shared layers when the kernel and file system allow; else copy.
        case auto
        /// Idmapped mounts only: an error where they cannot be made.
        case idmap
        /// A copy of each layer with owners shifted, kept per range (as Docker does).
        case copy
    }

    public var usernsRemap: String?
    public var remapLayers: RemapLayers = .auto

    public init(usernsRemap: String? = nil, remapLayers: RemapLayers = .auto) {
        self.usernsRemap = usernsRemap
        self.remapLayers = remapLayers
    }

    public static func path(root: String) -> String { root + "/daemon.json" }

    /// The root's defaults; none when it has no daemon.json.
    public static func load(root: String) throws -> EngineConfig {
        let path = path(root: root)
        guard FileSystem.exists(path) else { return EngineConfig() }
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(path) } catch { throw EngineError.failed("\(path): \(error)") }
        return try parse(bytes, file: path)
    }

    static func parse(_ bytes: [UInt8], file: String) throws -> EngineConfig {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw EngineError.failed("\(file): not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error)")
        }
        guard let dict = object as? [String: Any] else { throw EngineError.failed("\(file): expected a JSON object") }
        var config = EngineConfig()
        for (key, value) in dict.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "userns-remap":
                guard let text = value as? String else { throw EngineError.failed("\(file): \"userns-remap\" must be a string") }
                config.usernsRemap = text
            case "userns-remap-layers":
                guard let text = value as? String, let mode = RemapLayers(rawValue: text) else {
                    throw EngineError.failed("\(file): \"userns-remap-layers\" must be one of \(RemapLayers.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                config.remapLayers = mode
            default:
                throw EngineError.failed("\(file): unknown key \"\(key)\" (swiftbox knows \"userns-remap\" and \"userns-remap-layers\")")
            }
        }
        return config
    }
}
