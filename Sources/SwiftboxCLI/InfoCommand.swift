// `swiftbox info` and `swiftbox version`: Engine.info / Engine.version printed as
// Docker's client prints them, or through --format (Docker's template, `{{json .}}`).
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwiftboxEngine
import SwiftboxTemplate

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Display system-wide information.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: ArgumentHelp(FormatHelp.inspect)) var format: String?

    func run() throws {
        engineCommand {
            let info = try globals.engine.info(version: SwiftboxVersion.version)
            if let template = try InspectFormat(format) {
                return template.print([try TemplateValueEncoder.encode(info)])
            }
            print(Self.text(info), terminator: "")
            return 0
        }
    }

    /// Docker 20.10's layout (cli/command/system/info.go), the fields swiftbox has.
    static func text(_ i: SystemInfo) -> String {
        var s = "Client:\n Context:    default\n Debug Mode: false\n\nServer:\n"
        s += " Containers: \(i.Containers)\n  Running: \(i.ContainersRunning)\n  Paused: \(i.ContainersPaused)\n  Stopped: \(i.ContainersStopped)\n"
        s += " Images: \(i.Images)\n Server Version: \(i.ServerVersion)\n Storage Driver: \(i.Driver)\n"
        for pair in i.DriverStatus where pair.count == 2 { s += "  \(pair[0]): \(pair[1])\n" }
        s += " Logging Driver: \(i.LoggingDriver)\n Cgroup Driver: \(i.CgroupDriver)\n Cgroup Version: \(i.CgroupVersion)\n"
        s += " Runtimes: \(i.Runtimes.keys.sorted().joined(separator: " "))\n Default Runtime: \(i.DefaultRuntime)\n"
        s += " Security Options:\n"
        for opt in i.SecurityOptions {
            let parts = opt.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
            for (n, kv) in parts.enumerated() where kv.count == 2 {
                s += n == 0 ? "  \(kv[1])\n" : "   \(kv[0].capitalized): \(kv[1])\n"
            }
        }
        s += " Kernel Version: \(i.KernelVersion)\n Operating System: \(i.OperatingSystem)\n OSType: \(i.OSType)\n"
        s += " Architecture: \(i.Architecture)\n CPUs: \(i.NCPU)\n Total Memory: \(Self.gib(i.MemTotal))\n Name: \(i.Name)\n"
        s += " ID: \(i.ID)\n Docker Root Dir: \(i.DockerRootDir)\n Debug Mode: false\n Registry: \(i.IndexServerAddress)\n"
        s += " Labels:\n Experimental: \(i.ExperimentalBuild)\n Live Restore Enabled: \(i.LiveRestoreEnabled)\n\n"
        return s
    }

    /// Docker's units.BytesSize: binary units, up to 4 significant digits ("23.43GiB").
    static func gib(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes), i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        var text = String(format: "%.4g", v)
        if text.contains("e") { text = String(Int(v)) }
        return text + units[i]
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the swiftbox version information.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: ArgumentHelp(FormatHelp.inspect)) var format: String?

    /// Docker's shape: {"Client": …, "Server": …}.
    struct Both: Codable {
        struct Client: Codable { var Platform: VersionInfo.Platform; var Version: String; var ApiVersion: String; var Os: String; var Arch: String; var Context: String }
        var Client: Client
        var Server: VersionInfo
    }

    func run() throws {
        engineCommand {
            let server = globals.engine.version(SwiftboxVersion.version)
            let both = Both(Client: .init(Platform: .init(Name: "swiftbox"), Version: SwiftboxVersion.version, ApiVersion: Engine.apiVersion,
                                          Os: "linux", Arch: server.Arch, Context: "default"), Server: server)
            if let template = try InspectFormat(format) {
                return template.print([try TemplateValueEncoder.encode(both)])
            }
            print("""
                Client:
                 Version:           \(both.Client.Version)
                 API version:       \(both.Client.ApiVersion)
                 OS/Arch:           linux/\(server.Arch)
                 Context:           default

                Server: swiftbox (no daemon: this engine, on \(globals.root))
                 Engine:
                  Version:          \(server.Version)
                  API version:      \(server.ApiVersion) (minimum version \(server.MinAPIVersion))
                  OS/Arch:          linux/\(server.Arch)
                  Kernel Version:   \(server.KernelVersion)
                  Experimental:     false
                """)
            return 0
        }
    }
}
