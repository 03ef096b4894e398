// runc verbs swiftbox does not implement, named so that a caller learns which and why:
// containerd's shim calls `checkpoint --image-path … ID` for `ctr tasks checkpoint`,
// and without these an unknown verb's first option drew "Unknown option
// '--image-path'", which names neither the verb nor the reason.
import ArgumentParser

struct UnsupportedVerbError: Error, CustomStringConvertible {
    var verb: String
    var reason: String
    var description: String { "\(verb) is not supported by swiftbox: \(reason)" }
}

struct OCICheckpoint: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Not supported: swiftbox has no CRIU integration.")
    @OptionGroup var globals: OCIGlobals
    @Argument(parsing: .allUnrecognized) var ignored: [String] = []
    func run() throws { throw UnsupportedVerbError(verb: "checkpoint", reason: "it has no CRIU integration to dump a running container") }
}

struct OCIRestore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Not supported: swiftbox has no CRIU integration.")
    @OptionGroup var globals: OCIGlobals
    @Argument(parsing: .allUnrecognized) var ignored: [String] = []
    func run() throws { throw UnsupportedVerbError(verb: "restore", reason: "it has no CRIU integration to restore a checkpoint") }
}
