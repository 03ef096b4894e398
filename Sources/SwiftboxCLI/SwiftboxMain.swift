// The composition root: picks the command line by the name we were called with
// (`swiftbox-oci` speaks runc's CLI at its top level) and turns every error into
// `swiftbox: <message>` on stderr with a non-zero exit status — never a stack trace.
import ArgumentParser
import SwiftboxRuntime
#if canImport(Glibc)
import Glibc
#endif

public enum SwiftboxVersion {
    public static let version = "0.1.0"
    static let ociVersionText = "swiftbox version \(version)\nspec: 1.0.2"
}

struct Swiftbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbox",
        abstract: "A daemonless container runtime that talks to the Linux kernel directly.",
        discussion: "See swiftbox-concepts(7) for how a container is put together.",
        version: SwiftboxVersion.ociVersionText,
        subcommands: [Run.self, Create.self, Start.self, Stop.self, Restart.self, Kill.self, Remove.self, Ps.self, Logs.self, Exec.self,
                      Wait.self, Inspect.self, Events.self, Rename.self, Top.self, Attach.self, ContainerGroup.self, SystemGroup.self, VolumeGroup.self, OCI.self, ImageGroup.self, Images.self, Pull.self, Rmi.self, Tag.self, Load.self,
                      Stats.self, Update.self, Build.self, BuilderGroup.self, History.self, Diff.self, Export.self, Pause.self, Unpause.self, Info.self, Version.self, Commit.self,
                      Compose.self,
                      Save.self, Import.self, Login.self, Logout.self, MonitorCommand.self, TrashCommand.self,
                      NetworkGroup.self, Port.self])
}

/// runc's top level, for the `swiftbox-oci` name.
struct SwiftboxOCI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbox-oci",
        abstract: "swiftbox's runc-compatible OCI runtime.",
        version: SwiftboxVersion.ociVersionText,
        subcommands: OCI.configuration.subcommands)
    @OptionGroup var globals: OCIGlobals
}

public enum SwiftboxMain {
    public static func main() {
        let argv = CommandLine.arguments
        let name = argv.first.map { String($0.split(separator: "/").last ?? "") } ?? "swiftbox"
        let args = NarrationOptions.expandTrace(ComposeGlobals.extract(Array(argv.dropFirst())))
        // The hot OCI verbs skip the reflective parser (see OCIFastPath).
        let ociArgs = name == "swiftbox-oci" ? args[...] : (args.first == "oci" ? args.dropFirst() : nil)
        if let ociArgs, let fast = OCIFastPath.parse(Array(ociArgs)) {
            do {
                exit(try fast.run())
            } catch {
                fail("\(error)", args: args, ociLog: true, code: 1)
            }
        }
        // So does `run` with the everyday flags (see RunFastPath).
        if name != "swiftbox-oci", args.first == "run", let fast = RunFastPath.parse(Array(args.dropFirst())) {
            fast.run()
        }
        if name == "swiftbox-oci" {
            run(SwiftboxOCI.self, args, ociLog: true)
        } else {
            run(Swiftbox.self, args, ociLog: args.first == "oci")
        }
    }

    static func run<C: ParsableCommand>(_ type: C.Type, _ args: [String], ociLog: Bool) {
        var command: ParsableCommand
        do {
            command = try type.parseAsRoot(args)
        } catch {
            // A usage error of an engine command exits 125, as Docker's CLI does; help,
            // version and the runc-style `oci` verbs keep ArgumentParser's codes.
            if !ociLog && type.exitCode(for: error) != .success {
                printError(type.fullMessage(for: error))
                exit(125)
            }
            type.exit(withError: error)
        }
        do {
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch let e where type.exitCode(for: e) == .success {
            // `--help` and `help CMD` parse into ArgumentParser's help command, whose
            // run() throws the help request: print it as ArgumentParser would, exit 0.
            type.exit(withError: e)
        } catch let e as ValidationError {
            fail("\(e)", args: args, ociLog: ociLog, code: 1)
        } catch {
            fail("\(error)", args: args, ociLog: ociLog, code: 1)
        }
    }

    public static func printError(_ message: String) {
        let line = "swiftbox: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    /// Print the error; for OCI callers also append it to the --log file, where podman
    /// and containerd look for the reason a runtime call failed.
    static func fail(_ message: String, args: [String], ociLog: Bool, code: Int32) -> Never {
        let line = "swiftbox: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        if ociLog, let i = args.firstIndex(of: "--log"), i + 1 < args.count {
            let json = args.firstIndex(of: "--log-format").map { $0 + 1 < args.count && args[$0 + 1] == "json" } ?? false
            Diagnostics(level: .error, logFile: args[i + 1], json: json).error(message)
        }
        exit(code)
    }
}
