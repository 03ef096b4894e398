// `swiftbox system restore`: the boot-time half of restart policies (see Engine+Restore).
import ArgumentParser
import SwiftboxEngine

struct SystemRestore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore",
        abstract: "Repair containers whose monitor is gone and start those their restart policy brings back (run at boot).",
        discussion: "Starts `always` containers and `unless-stopped` ones not stopped by hand, as Docker's daemon does when it starts. contrib/systemd/swiftbox-restore.service runs it at boot.")
    @OptionGroup var globals: EngineGlobals
    func run() throws {
        engineCommand {
            let report = globals.engine.restore()
            for id in report.repaired { print("repaired \(id.prefix(12)) (its monitor was gone)") }
            for id in report.started { print("started \(id.prefix(12))") }
            for f in report.failed { SwiftboxMain.printError("restarting \(f.id.prefix(12)): \(f.error)") }
            return report.failed.isEmpty ? 0 : 1
        }
    }
}
