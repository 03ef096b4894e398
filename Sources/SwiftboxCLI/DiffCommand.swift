// `swiftbox diff` / `swiftbox container diff`: Engine.changes as Docker prints them.
import ArgumentParser
import SwiftboxEngine

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Inspect changes to files or directories on a container's filesystem.")
    @OptionGroup var globals: EngineGlobals
    @Argument var container: String

    func run() throws {
        engineCommand {
            for change in try globals.engine.changes(container) { print("\(change.kind.rawValue) \(change.path)") }
            return 0
        }
    }
}
