// `swiftbox volume create|ls|inspect|rm|prune`, with Docker's output and messages.
// Failures exit 1, as `docker volume` does.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine
import SwiftboxKernel
import SwiftboxTemplate

struct VolumeGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "volume", abstract: "Manage named volumes.",
                                                    subcommands: [VolumeCreate.self, VolumeList.self, VolumeInspect.self,
                                                                  VolumeRemove.self, VolumePrune.self])
}

/// Print errors as engineCommand does, but exit 1 on failure as Docker's volume commands do.
func volumeCommand(_ body: () throws -> Int32) -> Never {
    do {
        exit(try body())
    } catch let e as FormatError {
        SwiftboxMain.printError(e.message)
        exit(e.code)
    } catch {
        SwiftboxMain.printError("\(error)")
        exit(1)
    }
}

struct VolumeCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a volume.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "Volume driver (only \"local\").") var driver: String = "local"
    @Option(name: [.short, .customLong("opt")], help: "Driver option: type=tmpfs|none|FSTYPE, device=…, o=…; repeatable.") var opt: [String] = []
    @Option(name: .customLong("label"), help: "KEY=VALUE; repeatable.") var label: [String] = []
    @Argument(help: "The volume's name (a random one if omitted).") var name: String?

    func run() throws {
        volumeCommand {
            guard driver == "local" else { throw VolumeError.invalidOption("volume driver \"\(driver)\" is not supported (only \"local\")") }
            let options = try keyValues(opt, flag: "--opt")
            let labels = try keyValues(label, flag: "--label", valueOptional: true)
            let engine = globals.engine
            let volume = try engine.volumes.withLock {
                try engine.volumes.create(name ?? EngineStore.newID(), labels: labels, options: options)
            }
            engine.volumeEvent("create", name: volume.Name)
            print(volume.Name)
            return 0
        }
    }
}

func keyValues(_ items: [String], flag: String, valueOptional: Bool = false) throws -> [String: String] {
    var result: [String: String] = [:]
    for item in items {
        let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard let key = kv.first, !key.isEmpty, kv.count == 2 || valueOptional else {
            throw VolumeError.invalidOption("invalid \(flag) \"\(item)\": expected KEY=VALUE")
        }
        result[key] = kv.count == 2 ? kv[1] : ""
    }
    return result
}

struct VolumeList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List volumes.", aliases: ["list"])
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Only names.") var quiet = false
    @Option(name: [.short, .long], help: "dangling=true|false, name=…, label=KEY[=VALUE], label!=…, driver=local; repeatable.")
    var filter: [String] = []
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"

    func run() throws {
        volumeCommand {
            let listing = try ListingFormat.option(format)
            let engine = globals.engine
            var labelFilters: [String] = []
            var keep: [(Volume) -> Bool] = []
            for f in filter {
                let kv = f.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw VolumeError.invalidOption("invalid filter '\(f)'") }
                switch kv[0] {
                case "dangling":
                    guard let want = ["true": true, "1": true, "false": false, "0": false][kv[1]] else {
                        throw VolumeError.invalidOption("invalid filter 'dangling=\(kv[1])'")
                    }
                    let users = engine.allVolumeUsers()
                    keep.append { (users[$0.Name] == nil) == want }
                case "name": keep.append { $0.Name.contains(kv[1]) }
                case "driver": keep.append { $0.Driver == kv[1] }
                case "label": labelFilters.append(kv[1])
                case "label!": labelFilters.append("!" + kv[1])
                default: throw VolumeError.invalidOption("invalid filter '\(kv[0])'")
                }
            }
            let volumes = engine.volumes.list().filter { v in keep.allSatisfy { $0(v) } && VolumeFilter.matchesLabels(v, labelFilters) }
            if quiet { volumes.forEach { print($0.Name) }; return 0 }
            if listing.isDefaultTable {
                printTable([["DRIVER", "VOLUME NAME"]] + volumes.map { [$0.Driver, $0.Name] })
            } else {
                try listing.print(volumes.map(ListingRows.volume), header: ListingRows.volumeHeader)
            }
            return 0
        }
    }
}

struct VolumeInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show volumes as Docker-shaped JSON.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: ArgumentHelp(FormatHelp.inspect)) var format: String?
    @Argument var names: [String]

    func run() throws {
        volumeCommand {
            let template = try InspectFormat(format)
            var found: [Volume] = []
            var missing: [String] = []
            for n in names {
                if let v = globals.engine.volumes.get(n) { found.append(v) } else { missing.append(n) }
            }
            if let template {
                return template.print(try found.map(TemplateValueEncoder.encode), missing: missing.map { VolumeError.noSuchVolume($0).description })
            }
            print(try jsonText(found, pretty: true))
            for n in missing { SwiftboxMain.printError(VolumeError.noSuchVolume(n).description) }
            return missing.isEmpty ? 0 : 1
        }
    }
}

struct VolumeRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove volumes that no container uses.", aliases: ["remove"])
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Ignore volumes that do not exist (in-use volumes are still refused).") var force = false
    @Argument var names: [String]

    func run() throws {
        volumeCommand {
            let engine = globals.engine
            var failed = false
            for name in names {
                do {
                    try engine.volumes.withLock { try engine.volumes.remove(name, users: engine.volumeUsers(name)) }
                    engine.volumeEvent("destroy", name: name)
                    print(name)
                } catch VolumeError.noSuchVolume(_) where force {
                    continue
                } catch {
                    SwiftboxMain.printError("\(error)")
                    failed = true
                }
            }
            return failed ? 1 : 0
        }
    }
}

struct VolumePrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused anonymous volumes (all unused ones with -a).")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Also named volumes no container uses.") var all = false
    @Flag(name: [.short, .long], help: "Do not ask (swiftbox never asks).") var force = false
    @Option(name: .long, help: "label=KEY[=VALUE] or label!=KEY[=VALUE]; repeatable.") var filter: [String] = []

    func run() throws {
        volumeCommand {
            var labels: [String] = []
            for f in filter {
                if f.hasPrefix("label!=") { labels.append("!" + f.dropFirst(7)) } else if f.hasPrefix("label=") { labels.append(String(f.dropFirst(6))) } else {
                    throw VolumeError.invalidOption("invalid filter '\(f)' (volume prune takes label=… and label!=…)")
                }
            }
            let (names, bytes) = try globals.engine.pruneVolumes(all: all, labels: labels)
            if !names.isEmpty { print("Deleted Volumes:"); names.forEach { print($0) }; print("") }
            print("Total reclaimed space: \(formatSize(bytes))")
            return 0
        }
    }
}
