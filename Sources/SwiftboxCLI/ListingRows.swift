// What `.` is in a listing's --format: for each command, the fields of Docker's
// formatter context (docker/cli cli/command/formatter/*.go, compose's cmd/formatter),
// the same names, the same spellings of values, the same Go type name in "can't
// evaluate field" errors, and the header each field has in a `table` format.
import SwiftboxCompose
import SwiftboxEngine
import SwiftboxImage
import SwiftboxNetwork
import SwiftboxTemplate

enum ListingRows {
    // MARK: ps

    static let containerHeader = [
        "ID": "CONTAINER ID", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE", "Labels": "LABELS",
        "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS",
    ]

    static func container(_ c: EngineContainer, _ s: EngineState, _ engine: Engine, noTrunc: Bool) -> TemplateValue {
        let mounts = c.mounts ?? []
        let networks = c.networks.map { $0.map(\.networkName) } ?? c.networkMode.map { [$0] } ?? []
        // Asked of the freezer once: State and Status both show it.
        let paused = Ps.paused(c, s, engine)
        return ListingFormat.row("*formatter.ContainerContext", [
            ("Command", .string(Ps.command(c, trunc: !noTrunc))),
            ("CreatedAt", .string(goTimeString(c.created))),
            ("ID", .string(noTrunc ? c.id : c.shortID)),
            ("Image", .string(c.image)),
            ("Labels", .string(labelsColumn(c.labels))),
            ("LocalVolumes", .string(String(mounts.filter { $0.type == .volume }.count))),
            ("Mounts", .string(mounts.map(\.source).filter { !$0.isEmpty }.joined(separator: ","))),
            ("Names", .string(c.name)),
            ("Networks", .string(networks.joined(separator: ","))),
            ("Ports", .string(NetworkSettingsJSON.portsColumn(c, engine))),
            ("RunningFor", .string(RelativeTime.ago(c.created))),
            ("Size", .string("0B")),
            ("State", .string(Ps.state(s, paused: paused))),
            ("Status", .string(Ps.status(s, paused: paused))),
        ], labels: c.labels)
    }

    /// A container whose record cannot be read: what is known (its id and name) and
    /// why, as the default table shows it.
    static func unreadableContainer(_ u: UnreadableContainer, noTrunc: Bool) -> TemplateValue {
        ListingFormat.row("*formatter.ContainerContext", [
            ("Command", .string("")), ("CreatedAt", .string("")), ("ID", .string(noTrunc ? u.id : u.shortID)),
            ("Image", .string("")), ("Labels", .string("")), ("LocalVolumes", .string("0")), ("Mounts", .string("")),
            ("Names", .string(u.name)), ("Networks", .string("")), ("Ports", .string("")), ("RunningFor", .string("")),
            ("Size", .string("0B")), ("State", .string("unknown")), ("Status", .string("unknown: " + u.reason)),
        ], labels: [:])
    }

    // MARK: images

    static let imageHeader = [
        "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST", "CreatedSince": "CREATED",
        "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS", "VirtualSize": "SIZE",
        "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
    ]

    static func image(repository: String, tag: String, _ r: ImageRecord, noTrunc: Bool) -> TemplateValue {
        let created = r.created ?? r.stored
        let digest = r.repoDigests?.first.flatMap { $0.split(separator: "@").last.map(String.init) } ?? "<none>"
        return ListingFormat.row("*formatter.imageContext", [
            ("Containers", .string("N/A")),
            ("CreatedAt", .string(goTimeString(created))),
            ("CreatedSince", .string(RelativeTime.ago(created))),
            ("Digest", .string(digest)),
            ("ID", .string(noTrunc ? r.id.description : r.id.short)),
            ("Repository", .string(repository)),
            ("SharedSize", .string("N/A")),
            ("Size", .string(formatSize(r.size))),
            ("Tag", .string(tag)),
            ("UniqueSize", .string("N/A")),
            ("VirtualSize", .string(formatSize(r.size))),
        ])
    }

    // MARK: network ls

    static let networkHeader = [
        "ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv4": "IPV4", "IPv6": "IPV6",
        "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT",
    ]

    static func network(_ n: NetworkRecord, noTrunc: Bool) -> TemplateValue {
        ListingFormat.row("*network.networkContext", [
            ("CreatedAt", .string(goTimeString(n.created))),
            ("Driver", .string(n.driver)),
            ("ID", .string(noTrunc ? n.id : n.shortID)),
            ("IPv4", .string("true")),
            ("IPv6", .string("false")),
            ("Internal", .string(n.isInternal ? "true" : "false")),
            ("Labels", .string(labelsColumn(n.labels))),
            ("Name", .string(n.name)),
            ("Scope", .string("local")),
        ], labels: n.labels)
    }

    // MARK: volume ls

    static let volumeHeader = [
        "ID": "ID", "Name": "VOLUME NAME", "Group": "GROUP", "Driver": "DRIVER", "Scope": "SCOPE", "Availability": "AVAILABILITY",
        "Mountpoint": "MOUNTPOINT", "Labels": "LABELS", "Links": "LINKS", "Size": "SIZE", "Status": "STATUS",
    ]

    static func volume(_ v: Volume) -> TemplateValue {
        ListingFormat.row("*formatter.volumeContext", [
            ("Availability", .string("N/A")),
            ("Driver", .string(v.Driver)),
            ("Group", .string("N/A")),
            ("Labels", .string(labelsColumn(v.Labels))),
            ("Links", .string("N/A")),
            ("Mountpoint", .string(v.Mountpoint)),
            ("Name", .string(v.Name)),
            ("Scope", .string(v.Scope)),
            ("Size", .string("N/A")),
            ("Status", .string("N/A")),
        ], labels: v.Labels)
    }

    // MARK: stats

    static let statsHeader = [
        "Container": "CONTAINER", "Name": "NAME", "ID": "CONTAINER ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT",
        "MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS",
    ]

    static func stats(_ r: StatsRow) -> TemplateValue {
        ListingFormat.row("*container.statsContext", [
            ("BlockIO", .string(r.BlockIO)), ("CPUPerc", .string(r.CPUPerc)), ("Container", .string(r.Container)),
            ("ID", .string(r.ID)), ("MemPerc", .string(r.MemPerc)), ("MemUsage", .string(r.MemUsage)),
            ("Name", .string(r.Name)), ("NetIO", .string(r.NetIO)), ("PIDs", .string(r.PIDs)),
        ])
    }

    // MARK: compose ps

    static let composeHeader = [
        "ID": "CONTAINER ID", "Name": "NAME", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND", "Project": "PROJECT",
        "Service": "SERVICE", "CreatedAt": "CREATED AT", "RunningFor": "CREATED", "State": "STATE", "Status": "STATUS",
        "Health": "HEALTH", "ExitCode": "EXIT CODE", "Ports": "PORTS", "Publishers": "PUBLISHERS", "Labels": "LABELS",
        "LocalVolumes": "LOCAL VOLUMES", "Mounts": "MOUNTS", "Networks": "NETWORKS", "Size": "SIZE",
    ]

    static func compose(_ c: ContainerSummary, project: String) -> TemplateValue {
        ListingFormat.row("*formatter.ContainerContext", [
            ("Command", .string(c.command)),
            ("Created", .string(c.created)),
            ("CreatedAt", .string(goTimeString(c.created))),
            ("ExitCode", .int(Int(c.exitCode))),
            ("Health", .string(c.health ?? "")),
            ("ID", .string(c.id)),
            ("Image", .string(c.image)),
            ("Labels", .string(labelsColumn(c.labels))),
            ("LocalVolumes", .string("0")),
            ("Mounts", .string("")),
            ("Name", .string(c.name)),
            ("Names", .string(c.name)),
            ("Networks", .string("")),
            ("Ports", .string(c.ports.joined(separator: ", "))),
            ("Project", .string(project)),
            ("Publishers", .list(c.ports.compactMap(publisher))),
            ("RunningFor", .string(RelativeTime.ago(c.created))),
            ("Service", .string(c.service ?? "")),
            ("Size", .string("0B")),
            ("State", .string(c.status.rawValue)),
            ("Status", .string(c.statusText)),
        ], labels: c.labels)
    }

    /// "0.0.0.0:8080->80/tcp" as compose's PortPublisher {URL, TargetPort, PublishedPort, Protocol}.
    static func publisher(_ port: String) -> TemplateValue? {
        let sides = port.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        guard sides.count == 2, let colon = sides[0].lastIndex(of: ":") else { return nil }
        let target = sides[1].split(separator: "/")
        guard let published = Int(sides[0][sides[0].index(after: colon)...]), let targetPort = target.first.flatMap({ Int($0) }) else { return nil }
        return .object(TemplateObject(record: "api.PortPublisher", fields: [
            ("URL", .string(String(sides[0][..<colon]))), ("TargetPort", .int(targetPort)), ("PublishedPort", .int(published)),
            ("Protocol", .string(target.count > 1 ? String(target[1]) : "tcp")),
        ]))
    }

    // MARK: events

    /// Docker's events.Message: Go field names for templates, its JSON tags for `json`.
    static func event(_ e: EngineEvent) throws -> TemplateValue {
        let actor = TemplateObject(record: "events.Actor", fields: [
            ("ID", .string(e.Actor.ID)), ("Attributes", .object(TemplateObject(strings: e.Actor.Attributes))),
        ])
        var message = TemplateObject(record: "events.Message", fields: [
            ("Status", .string(e.status ?? "")), ("ID", .string(e.id ?? "")), ("From", .string(e.from ?? "")),
            ("Type", .string(e.Type)), ("Action", .string(e.Action)), ("Actor", .object(actor)), ("Scope", .string(e.scope)),
            ("Time", .int(Int(e.time))), ("TimeNano", .int(Int(e.timeNano))),
        ])
        message.json = try TemplateValueEncoder.encode(e)
        return .object(message)
    }
}
