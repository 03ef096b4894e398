// `swiftbox pause` / `unpause` (and `container pause|unpause`): Engine.pause/unpause,
// the cgroup freezer (v1 freezer.state, v2 cgroup.freeze). Docker's output: each name
// as given; an error per container that could not be, exit 1 when one failed.
import ArgumentParser
import SwiftboxEngine
import SwiftboxErrors

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause all processes within one or more containers.")
    @OptionGroup var globals: EngineGlobals
    @Argument var containers: [String]
    func run() throws { engineCommand { Pause.each(containers, globals.engine) { try $0.pause($1) } } }

    static func each(_ refs: [String], _ engine: Engine, _ body: (Engine, String) throws -> Void) -> Int32 {
        var failed = false
        for ref in refs {
            do {
                try body(engine, try engine.containerID(ref))
                print(ref)
            } catch {
                SwiftboxMain.printError(SwiftboxError(error).message)
                failed = true
            }
        }
        return failed ? 1 : 0
    }
}

struct Unpause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause all processes within one or more containers.")
    @OptionGroup var globals: EngineGlobals
    @Argument var containers: [String]
    func run() throws { engineCommand { Pause.each(containers, globals.engine) { try $0.unpause($1) } } }
}
