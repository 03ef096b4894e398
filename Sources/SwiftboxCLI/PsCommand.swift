// `ps` with Docker's columns and filters, and `inspect` for containers.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxEngine
import SwiftboxTemplate

struct Ps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "All containers, not only running ones.") var all = false
    @Flag(name: [.short, .long], help: "Only IDs.") var quiet = false
    @Flag(name: .customLong("no-trunc")) var noTrunc = false
    @Option(name: [.short, .long], help: "name=, id=, status=, label=KEY[=VALUE]; repeatable.") var filter: [String] = []
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"

    func run() throws {
        engineCommand {
            let listing = try ListingFormat.option(format)
            let everything = globals.engine.listAll()
            var rows = everything.readable.filter { all || $0.1.status == .running || $0.1.status == .unknown }
            // Records that cannot be read are listed as such (they may be running: always).
            var unreadable = everything.unreadable
            for f in filter {
                let kv = f.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw ValidationError("--filter \(f): expected KEY=VALUE") }
                unreadable = unreadable.filter { u in
                    switch kv[0] {
                    case "name": return u.name.contains(kv[1])
                    case "id": return u.id.hasPrefix(kv[1])
                    case "status": return kv[1] == "unknown"
                    default: return false
                    }
                }
                rows = rows.filter { c, s in
                    switch kv[0] {
                    case "name": return c.name.contains(kv[1])
                    case "id": return c.id.hasPrefix(kv[1])
                    case "status": return Ps.state(s, paused: Ps.paused(c, s, globals.engine)) == kv[1]
                    case "health": return (s.health?.Status.rawValue ?? "none") == kv[1]
                    case "label":
                        let lv = kv[1].split(separator: "=", maxSplits: 1).map(String.init)
                        return lv.count == 1 ? c.labels[lv[0]] != nil : c.labels[lv[0]] == lv[1]
                    default: return false
                    }
                }
            }
            if quiet {
                rows.forEach { print(noTrunc ? $0.0.id : $0.0.shortID) }
                unreadable.forEach { print(noTrunc ? $0.id : $0.shortID) }
                return 0
            }
            if !listing.isDefaultTable {
                try listing.print(rows.map { ListingRows.container($0.0, $0.1, globals.engine, noTrunc: noTrunc) }
                                  + unreadable.map { ListingRows.unreadableContainer($0, noTrunc: noTrunc) },
                                  header: ListingRows.containerHeader)
                return 0
            }
            var table = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
            for (c, s) in rows {
                table.append([noTrunc ? c.id : c.shortID, c.image, Ps.command(c, trunc: !noTrunc), RelativeTime.ago(c.created),
                              Ps.status(s, paused: Ps.paused(c, s, globals.engine)), NetworkSettingsJSON.portsColumn(c, globals.engine), c.name])
            }
            for u in unreadable {
                table.append([noTrunc ? u.id : u.shortID, "", "", "", "unknown: " + u.reason, "", u.name])
            }
            printTable(table)
            return 0
        }
    }

    static func command(_ c: EngineContainer, trunc: Bool) -> String {
        var text = ([c.path] + c.args).joined(separator: " ")
        if trunc && text.count > 20 { text = String(text.prefix(19)) + "…" }
        return "\"\(text)\""
    }

    /// Docker's state word: a running container whose processes are frozen is "paused".
    static func state(_ s: EngineState, paused: Bool = false) -> String { paused && s.status == .running ? "paused" : s.status.rawValue }

    /// Whether a row's container is paused (asked of its freezer only when it runs).
    static func paused(_ c: EngineContainer, _ s: EngineState, _ engine: Engine) -> Bool {
        s.status == .running && engine.isPaused(c.id)
    }

    /// "Up 3 seconds", "Exited (0) 2 minutes ago", "Created", "Dead".
    static func status(_ s: EngineState, paused: Bool = false) -> String {
        switch s.status {
        case .created: return "Created"
        case .running: return "Up " + RelativeTime.ago(s.startedAt ?? "").replacingSuffix(" ago") + HealthText.suffix(s.health)
            + (paused ? " (Paused)" : "") + (s.error == Engine.monitorLost ? " (monitor lost)" : "")
        case .restarting: return "Restarting (\(s.exitCode)) " + RelativeTime.ago(s.finishedAt ?? "")
        case .exited: return "Exited (\(s.exitCode)) " + RelativeTime.ago(s.finishedAt ?? "")
        case .dead: return "Dead"
        case .unknown: return "unknown: " + (s.error ?? "state.json cannot be read")
        }
    }
}

extension String {
    func replacingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show containers (or images) as Docker-shaped JSON, or draw a container (--diagram).")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: ArgumentHelp(FormatHelp.inspect + " With --diagram: dot (the default) or svg.")) var format: String?
    @Flag(help: "Draw the container: its layer stack and mounts, its namespaces (inode numbers, own or shared), its cgroup and limits, as Graphviz DOT.")
    var diagram = false
    @Argument var objects: [String]

    struct ContainerJSON: Encodable {
        var Id: String
        var Created: String
        var Path: String
        var Args: [String]
        var State: StateJSON
        var Image: String
        var Name: String
        var Config: ConfigJSON
        var RestartCount: Int
        var HostConfig: HealthText.HostConfigJSON
        var Mounts: [MountJSON]
        var NetworkSettings: NetworkSettingsJSON
        struct MountJSON: Encodable {
            var `Type`: String
            var Name: String?
            var Source: String
            var Destination: String
            var Driver: String?
            var Mode: String
            var RW: Bool
            var Propagation: String
        }
        struct StateJSON: Encodable {
            var Status: String
            var Running: Bool
            var Paused: Bool
            var Pid: Int32
            var ExitCode: Int32
            var Error: String
            var StartedAt: String
            var FinishedAt: String
            var Restarting: Bool
            var Health: HealthRecord?
            var OOMKilled: Bool
        }
        struct ConfigJSON: Encodable {
            var Hostname: String
            var User: String
            var Env: [String]
            var Cmd: [String]
            var Image: String
            var WorkingDir: String
            var Labels: [String: String]
            var StopSignal: String
            var Healthcheck: HealthText.HealthcheckJSON?
        }
    }

    func mountJSON(_ m: ContainerMount, _ engine: Engine) -> ContainerJSON.MountJSON {
        switch m.type {
        case .volume:
            return .init(Type: "volume", Name: m.source, Source: engine.volumes.dataDir(m.source), Destination: m.target,
                         Driver: "local", Mode: m.readOnly ? "ro" : "z", RW: !m.readOnly, Propagation: "")
        case .bind:
            return .init(Type: "bind", Source: m.source, Destination: m.target, Mode: m.readOnly ? "ro" : "",
                         RW: !m.readOnly, Propagation: m.propagation ?? "rprivate")
        case .tmpfs:
            return .init(Type: "tmpfs", Source: "", Destination: m.target, Mode: "", RW: !m.readOnly, Propagation: "")
        }
    }

    func containerJSON(_ id: String, _ engine: Engine) throws -> ContainerJSON {
        let c = try engine.container(id)
        let s = engine.observedState(id)
        let paused = Ps.paused(c, s, engine)
        return ContainerJSON(Id: c.id, Created: c.created, Path: c.path, Args: c.args,
                             State: .init(Status: Ps.state(s, paused: paused), Running: s.status == .running, Paused: paused,
                                          Pid: s.status == .running ? s.pid : 0,
                                          ExitCode: s.exitCode, Error: s.error ?? "", StartedAt: s.startedAt ?? "0001-01-01T00:00:00Z",
                                          FinishedAt: s.finishedAt ?? "0001-01-01T00:00:00Z",
                                          Restarting: s.status == .restarting, Health: c.healthcheck == nil ? nil : s.health ?? HealthRecord(),
                                          OOMKilled: s.oomKilled ?? false),
                             Image: c.imageID, Name: "/" + c.name,
                             Config: .init(Hostname: c.hostname, User: c.user, Env: c.env, Cmd: [c.path] + c.args, Image: c.image,
                                           WorkingDir: c.workingDir, Labels: c.labels, StopSignal: c.stopSignal,
                                           Healthcheck: c.healthcheck.map(HealthText.HealthcheckJSON.init)),
                             RestartCount: s.restartCount ?? 0, HostConfig: .init(c),
                             Mounts: (c.mounts ?? []).map { mountJSON($0, engine) },
                             NetworkSettings: NetworkSettingsJSON(c, engine))
    }

    func run() throws {
        engineCommand {
            let engine = globals.engine
            if diagram {
                guard objects.count == 1 else { throw EngineError.failed("inspect --diagram draws one container") }
                let dot = try engine.containerDiagram(objects[0]).dot
                switch format ?? "dot" {
                case "dot": print(dot, terminator: "")
                case "svg": print(try Graphviz.svg(dot), terminator: "")
                default: throw EngineError.failed("--diagram draws --format dot or svg, not \"\(format!)\"")
                }
                return 0
            }
            if let template = try InspectFormat(format) {
                // Containers and images alike, in the order given; unknown names at the end.
                var values: [TemplateValue] = []
                var missing: [String] = []
                let index = try? globals.images.readIndex()
                for ref in objects {
                    if let id = try? engine.containerID(ref) {
                        values.append(try TemplateValueEncoder.encode(try containerJSON(id, engine)))
                    } else if let index, let image = try? ImageInspect.inspect(ref, globals.images, index) {
                        values.append(try TemplateValueEncoder.encode(image))
                    } else {
                        missing.append("No such object: \(ref)")
                    }
                }
                return template.print(values, missing: missing)
            }
            var out: [ContainerJSON] = []
            for ref in objects {
                guard let id = try? engine.containerID(ref) else {
                    // Not a container: maybe an image.
                    var cmd = ImageInspect()
                    cmd.globals = globals
                    cmd.images = [ref]
                    try cmd.run()
                    continue
                }
                out.append(try containerJSON(id, engine))
            }
            if !out.isEmpty {
                print(try jsonText(out, pretty: true))
            }
            return 0
        }
    }
}
