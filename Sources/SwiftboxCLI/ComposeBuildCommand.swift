// `compose build [SERVICE…]`: build the images of the services with a `build:` section
// (all of them when none is named), each image once, with BuildKit's plain progress on
// stderr; the flags apply over every service's build section.
import ArgumentParser
import Foundation
import SwiftboxCompose

struct ComposeBuild: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the services' images.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: .customLong("no-cache"), help: "Run every step, ignoring the build cache.") var noCache = false
    @Flag(help: "Pull base images again even if they are in the store.") var pull = false
    @Option(name: .customLong("build-arg"), help: "K=V for an ARG of every build (K alone: from the environment); repeatable.") var buildArg: [String] = []
    @Flag(name: [.short, .long], help: "Print nothing but errors.") var quiet = false
    @Argument var services: [String] = []

    func run() throws {
        composeCommand {
            var ctx = try ComposeContext.load(globals, enabling: services, fileOptional: false)
            ctx.adapter.buildProgress = PlainProgress(quiet: quiet)
            ctx.progress.quiet = quiet
            var o = BuildOverrides()
            o.noCache = noCache
            o.pull = pull
            for a in buildArg {
                let kv = a.split(separator: "=", maxSplits: 1).map(String.init)
                guard let key = kv.first, !key.isEmpty else { throw ComposeError("invalid --build-arg \(a): expected K=V or K") }
                if kv.count == 2 { o.args[key] = kv[1] } else if let v = ProcessInfo.processInfo.environment[key] { o.args[key] = v }
            }
            _ = try ctx.images.buildAll(services, overrides: o)
            return 0
        }
    }
}
