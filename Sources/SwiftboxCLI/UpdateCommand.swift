// `update`: change the limits of containers, as `docker update`: the flags given are
// written to each running container's cgroup files at once and kept in its record
// (so the next start has them too). Same parsing and checks as `run`.
import ArgumentParser
import SwiftboxEngine

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change the resource limits of one or more containers.")
    @OptionGroup var globals: EngineGlobals
    @OptionGroup var resources: ResourceOptions
    @Argument(help: "Containers (name, ID or ID prefix).") var containers: [String]

    func run() throws {
        engineCommand {
            guard !containers.isEmpty else { throw ValidationError("requires at least 1 container") }
            guard resources.deviceReadBps.isEmpty, resources.deviceWriteBps.isEmpty, !resources.oomKillDisable else {
                throw ValidationError("--device-read-bps, --device-write-bps and --oom-kill-disable are set at create only")
            }
            guard let flags = try resources.flags() else { throw ValidationError("you must provide one or more flags when using this command") }
            let engine = globals.engine
            var failed = false
            for ref in containers {
                do {
                    try engine.update(try engine.containerID(ref), flags: flags)
                    print(ref)
                } catch {
                    SwiftboxMain.printError("\(ref): \(error)")
                    failed = true
                }
            }
            return failed ? 1 : 0
        }
    }
}
