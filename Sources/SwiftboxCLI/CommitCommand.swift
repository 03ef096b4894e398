// `swiftbox commit` / `swiftbox container commit`: Engine.commit with Docker's flags;
// prints the new image's ID as Docker does.
import ArgumentParser
import SwiftboxEngine
import SwiftboxImage

struct Commit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commit", abstract: "Create a new image from a container's changes.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\").") var author: String?
    @Option(name: [.short, .long], help: "Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL); repeatable.") var change: [String] = []
    @Option(name: [.short, .long], help: "Commit message.") var message: String?
    @Option(name: [.short, .long], help: "Pause the container during commit (true by default).") var pause: Bool = true
    @Argument var container: String
    @Argument(help: "REPOSITORY[:TAG]") var reference: String?

    func run() throws {
        engineCommand {
            var o = CommitOptions()
            o.reference = try reference.map(ImageReference.parse)
            o.message = message
            o.author = author
            o.changes = change
            o.pause = pause
            let record = try globals.engine.commit(container, o)
            print(record.id.description)
            return 0
        }
    }
}
