// `swiftbox export` / `swiftbox container export`: Engine.export to a file or stdout.
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwiftboxEngine
import SwiftboxKernel

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a container's filesystem as a tar archive.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "Write to a file, instead of STDOUT.") var output: String?
    @Argument var container: String

    func run() throws {
        engineCommand {
            let engine = globals.engine
            guard let output else {
                // Docker's words: a tar on a terminal helps nobody.
                if isatty(1) != 0 {
                    SwiftboxMain.printError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
                    return 1
                }
                try engine.export(container, to: 1)
                return 0
            }
            // Written beside the target and renamed: a failed export leaves no half file.
            let tmp = output + ".tmp-\(getpid())"
            let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw KernelError("open", [tmp]) }
            do {
                try engine.export(container, to: fd)
                close(fd)
                guard rename(tmp, output) == 0 else { throw KernelError("rename", [tmp, output]) }
            } catch {
                close(fd)
                unlink(tmp)
                throw error
            }
            return 0
        }
    }
}
