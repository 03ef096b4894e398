// The three networks Docker has before anyone creates one: `bridge` (the default
// network of a container that names none), `host` (the host's own namespace) and
// `none` (a namespace with only `lo`). `network ls` lists them from the start and
// `network inspect` answers for each, as on Docker.
//
// Only `bridge` is ever stored (it has a subnet, a Linux bridge, endpoints), and only
// once a container uses it: a state root nobody runs a container in makes no bridge
// and no nft table. Its ID is derived from the state root, so `network ls` shows the
// same ID before and after the bridge exists. `host` and `none` are modes, never
// stored; their IDs are derived the same way (Docker's differ per daemon too).
import SwiftboxKernel

public struct PredefinedNetwork: Equatable, Sendable {
    public var id: String
    public var name: String
    /// Docker's driver names: "bridge", "host", "null".
    public var driver: String
}

extension Networks {
    public static let predefinedNames = ["bridge", "host", "none"]

    /// 64 hex characters, the same for a state root every time.
    public func predefinedID(_ name: String) -> String {
        var h = SHA256Hasher()
        h.update(Array("swiftbox predefined network \(name) in \(store.root)".utf8))
        return h.finalizeHex()
    }

    /// bridge, host and none, with their IDs.
    public var predefined: [PredefinedNetwork] {
        [PredefinedNetwork(id: predefinedID("bridge"), name: "bridge", driver: "bridge"),
         PredefinedNetwork(id: predefinedID("host"), name: "host", driver: "host"),
         PredefinedNetwork(id: predefinedID("none"), name: "none", driver: "null")]
    }

    /// The predefined network `ref` names (by name, full ID or unique ID prefix), if any.
    /// A stored `bridge` answers by its stored ID too (older roots gave it a random one).
    public func findPredefined(_ ref: String) -> PredefinedNetwork? {
        guard !ref.isEmpty else { return nil }
        let stored = store.all().first(where: { $0.isDefault })
        return predefined.first { p in
            p.name == ref || p.id.hasPrefix(ref) || (p.name == "bridge" && stored?.id.hasPrefix(ref) == true)
        }
    }
}
