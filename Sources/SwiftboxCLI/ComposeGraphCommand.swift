// `compose graph`: the project as a picture (ProjectGraph); no container is touched.
import ArgumentParser
import SwiftboxCompose
import SwiftboxEngine

struct ComposeGraph: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graph",
        abstract: "Draw the project: services, depends_on with its conditions, networks and volumes, as Graphviz DOT.")
    @OptionGroup var globals: EngineGlobals
    @Option(help: "dot (the default) or svg (rendered by Graphviz's dot).") var format: String = "dot"

    func run() throws {
        composeCommand {
            let dot = ProjectGraph.dot(try ComposeContext.load(globals, fileOptional: false).project)
            switch format {
            case "dot": print(dot, terminator: "")
            case "svg": print(try Graphviz.svg(dot), terminator: "")
            default: throw ComposeError("compose graph draws --format dot or svg, not \"\(format)\"")
            }
            return 0
        }
    }
}
