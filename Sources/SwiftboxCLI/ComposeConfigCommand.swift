// `compose config`, `compose version`, `compose ls`: no container is touched.
import ArgumentParser
import Foundation
import SwiftboxCompose
import SwiftboxEngine

struct ComposeConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Validate the compose files and print the resolved project.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Only validate; print nothing.") var quiet = false
    @Flag(help: "Print the service names, one per line.") var services = false
    @Flag(help: "Print the volume names, one per line.") var volumes = false
    @Flag(help: "Print the profile names, one per line.") var profiles = false
    @Flag(help: "Print the image names, one per line.") var images = false
    @Option(help: "Print the config hash of these services (\"*\" for all).") var hash: String?
    @Option(help: "yaml or json") var format: String = "yaml"
    @Option(name: [.short, .long], help: "Write to this file instead of stdout.") var output: String?

    func run() throws {
        composeCommand {
            let ctx = try ComposeContext.load(globals, fileOptional: false)
            let p = ctx.project
            var text: String
            if quiet { return 0 }
            if services { text = p.serviceNames.joined(separator: "\n") }
            else if volumes { text = p.volumes.keys.sorted().joined(separator: "\n") }
            else if profiles { text = p.allProfiles.joined(separator: "\n") }
            else if images { text = p.serviceNames.map { p.imageName(of: p.services[$0]!) }.joined(separator: "\n") }
            else if let hash {
                let names = hash == "*" ? p.serviceNames : hash.split(separator: ",").map(String.init)
                text = try names.map { n in
                    guard let s = p.services[n] else { throw ComposeError("no such service: \(n)") }
                    return "\(n) \(ConfigHash.of(s))"
                }.joined(separator: "\n")
            } else {
                switch format {
                case "yaml": text = try ProjectEncoder.yaml(p)
                case "json": text = try ProjectEncoder.json(p)
                default: throw ComposeError("unsupported format \"\(format)\" (yaml, json)")
                }
            }
            if !text.hasSuffix("\n") && !text.isEmpty { text += "\n" }
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else { throw ComposeError("cannot write \(output)") }
            } else { print(text, terminator: "") }
            return 0
        }
    }
}

struct ComposeVersion: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the Compose version.")
    @OptionGroup var globals: EngineGlobals
    @Flag(help: "Only the version number.") var short = false
    @Option(name: [.short, .long], help: "pretty or json") var format: String = "pretty"
    func run() throws {
        let v = ComposeLabel.composeVersion
        if short { print(v) } else if format == "json" { print("{\"version\":\"v\(v)\"}") } else { print("swiftbox compose version v\(v)") }
    }
}

struct ComposeLs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the projects that have containers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Also projects whose containers are all stopped.") var all = false
    @Flag(name: [.short, .long], help: "Only names.") var quiet = false
    @Option(help: "table or json") var format: String = "table"

    func run() throws {
        composeCommand {
            let adapter = ComposeEngineAdapter(engine: globals.engine)
            var byProject: [String: [ContainerSummary]] = [:]
            for c in adapter.engine.list().map({ adapter.summary($0.0, $0.1) }) {
                if let p = c.labels[ComposeLabel.project] { byProject[p, default: []].append(c) }
            }
            var rows: [(name: String, status: String, files: String)] = []
            for name in byProject.keys.sorted() {
                let cs = byProject[name]!
                guard all || cs.contains(where: \.isRunning) else { continue }
                var counts: [String: Int] = [:]
                for c in cs { counts[c.status.rawValue, default: 0] += 1 }
                let status = counts.keys.sorted().map { "\($0)(\(counts[$0]!))" }.joined(separator: ", ")
                rows.append((name, status, cs.first?.labels[ComposeLabel.configFiles] ?? ""))
            }
            if quiet { rows.forEach { print($0.name) }; return 0 }
            if format == "json" {
                let items: [JSONValue] = rows.map { .object(["Name": .string($0.name), "Status": .string($0.status), "ConfigFiles": .string($0.files)]) }
                print(JSONValue.array(items).jsonText(pretty: false))
                return 0
            }
            printTable([["NAME", "STATUS", "CONFIG FILES"]] + rows.map { [$0.name, $0.status, $0.files] })
            return 0
        }
    }
}
