// A dry run of several containers (`compose up --dry-run`): what its earlier steps would
// have made, so the later ones are narrated on it — the project's networks, which do not
// exist yet; the addresses the containers before took, so two containers are not given
// the same one; the names of containers a recreate would remove first. Nothing here is
// ever saved: it lives as long as the command.
import SwiftboxKernel
import SwiftboxNetwork

public struct DryRunWorld: Sendable {
    /// Networks planned by this dry run, and copies of existing ones with the
    /// endpoints this dry run took on them.
    public internal(set) var networks: [NetworkRecord] = []
    var plannedIDs: Set<String> = []
    /// Volumes an earlier step creates: there when the containers are.
    var plannedVolumes: Set<String> = []
    /// Names that will be free when the container is created (a recreate removes the old one first).
    public var freedNames: Set<String> = []
    /// Containers an earlier step creates, name → the ID this dry run gave it (another
    /// may join its network namespace: compose's network_mode service:X).
    var plannedContainers: [String: String] = [:]

    public init() {}

    var plannedNames: Set<String> { Set(networks.filter { plannedIDs.contains($0.id) }.map(\.name)) }

    mutating func remember(_ n: NetworkRecord) {
        if let i = networks.firstIndex(where: { $0.id == n.id }) { networks[i] = n } else { networks.append(n) }
    }
}

extension Engine {
    /// `network create` as compose up would ask it, planned and not made: the subnet
    /// IPAM would choose now (also avoiding the networks planned before it).
    public func dryRunCreateNetwork(_ r: Networks.CreateRequest, world: inout DryRunWorld) throws -> NarratedStep {
        let n = try networks.planned(r, alsoPlanned: world.networks.filter { world.plannedIDs.contains($0.id) })
        world.remember(n)
        world.plannedIDs.insert(n.id)
        return StartSteps.createUserNetwork(n)
    }

    public func dryRunCreateVolume(_ name: String, world: inout DryRunWorld) -> NarratedStep {
        world.plannedVolumes.insert(name)
        return NarratedStep(.container, "create volume \(name)", [
            "swiftbox volume create \(name)",
            "# a directory: mkdir -p \(volumes.dataDir(name)) (what the containers mount)",
        ])
    }
}
