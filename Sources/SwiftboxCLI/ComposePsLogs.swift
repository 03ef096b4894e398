// `compose ps`, `compose logs`, `compose images`, `compose top`, `compose port`.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxCompose
import SwiftboxEngine
import SwiftboxKernel
import SwiftboxTemplate

struct ComposePs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the project's containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Also stopped containers.") var all = false
    @Flag(name: [.short, .long], help: "Only IDs.") var quiet = false
    @Flag(help: "Only service names.") var services = false
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"
    @Option(help: "Only containers in this state (running, exited, …); repeatable.") var status: [String] = []
    @Argument var serviceNames: [String] = []

    func run() throws {
        composeCommand {
            let listing = try ListingFormat.option(format)
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            var rows = try ctx.containers(services: serviceNames, oneOff: true, all: all || !status.isEmpty)
            if !status.isEmpty { rows = rows.filter { status.contains($0.status.rawValue) } }
            if quiet { rows.forEach { print($0.id) }; return 0 }
            if services { Set(rows.compactMap(\.service)).sorted().forEach { print($0) }; return 0 }
            if !listing.isDefaultTable {
                try listing.print(rows.map { ListingRows.compose($0, project: ctx.project.name) }, header: ListingRows.composeHeader)
                return 0
            }
            var table = [["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"]]
            for c in rows {
                var cmd = c.command
                if cmd.count > 22 { cmd = String(cmd.prefix(20)) + "…\"" }
                table.append([c.name, c.image, cmd, c.service ?? "", RelativeTime.ago(c.created), c.statusText, c.ports.joined(separator: ", ")])
            }
            printTable(table)
            return 0
        }
    }
}

struct ComposeLogs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the output of the services' containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Keep following new output.") var follow = false
    @Option(name: [.customShort("n"), .long], help: "Lines from the end of each container's log, or \"all\".") var tail: String = "all"
    @Flag(name: [.short, .long], help: "Show timestamps.") var timestamps = false
    @Flag(name: .customLong("no-color")) var noColor = false
    @Flag(name: .customLong("no-log-prefix")) var noLogPrefix = false
    @Option(help: "Only this container number of each service.") var index: Int?
    @Argument var services: [String] = []

    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            var cs = try ctx.containers(services: services, oneOff: !services.isEmpty)
            if let index { cs = cs.filter { $0.number == index } }
            let f = LogFollower(engine: ctx.engine, containers: cs, color: !noColor && isatty(1) != 0, prefix: !noLogPrefix)
            f.timestamps = timestamps
            guard tail == "all" || Int(tail) != nil else { throw ComposeError("invalid --tail \(tail)") }
            f.printExisting(tail: tail == "all" ? nil : Int(tail))
            if follow {
                let index = self.index
                f.refresh = {
                    let now = (try? ctx.containers(services: services, oneOff: !services.isEmpty)) ?? []
                    return index.map { i in now.filter { $0.number == i } } ?? now
                }
                f.follow(untilFirstExit: false, keepFollowing: true)
            }
            return 0
        }
    }
}

struct ComposeImages: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List the images the containers use.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long]) var quiet = false
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            let cs = try ctx.containers(services: services)
            if quiet { Set(cs.map(\.imageID)).sorted().forEach { print($0) }; return 0 }
            var table = [["CONTAINER", "REPOSITORY", "TAG", "IMAGE ID"]]
            for c in cs {
                let parts = c.image.split(separator: ":", maxSplits: 1).map(String.init)
                let id = c.imageID.hasPrefix("sha256:") ? String(c.imageID.dropFirst(7).prefix(12)) : String(c.imageID.prefix(12))
                table.append([c.name, parts[0], parts.count > 1 ? parts[1] : "latest", id])
            }
            printTable(table)
            return 0
        }
    }
}

struct ComposeTop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Show the processes of the running containers.")
    @OptionGroup var globals: EngineGlobals
    @Argument var services: [String] = []
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            for (i, c) in try ctx.containers(services: services, all: false).enumerated() {
                if i > 0 { print("") }
                print(c.name)
                printTable(Top.table(ctx.engine.top(c.id)))
            }
            return 0
        }
    }
}

struct ComposePort: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "port", abstract: "Print the public address of a service's port.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: .customLong("protocol")) var proto: String = "tcp"
    @Option var index: Int = 1
    @Argument var service: String
    @Argument var privatePort: Int
    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, printWarnings: false)
            guard ctx.project.services[service] != nil else { throw ComposeError("no such service: \(service)") }
            guard let c = try ctx.containers(services: [service], all: false).first(where: { $0.number == index }) else {
                throw ComposeError("service \"\(service)\" has no running container number \(index)")
            }
            guard let p = c.ports.first(where: { $0.hasSuffix("->\(privatePort)/\(proto)") }) else {
                throw ComposeError("no port \(privatePort)/\(proto) published for service \(service)")
            }
            print(p.components(separatedBy: "->")[0])
            return 0
        }
    }
}
