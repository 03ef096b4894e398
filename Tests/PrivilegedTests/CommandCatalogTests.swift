// Every command the CLI defines (walked from its own definitions, ArgumentParser's
// --experimental-dump-help) prints its help and exits 0, has a man page in man/, and
// appears in the shell completion scripts `make install` installs (issue #20): a
// command added without its page or its completion fails here.
import Foundation
import XCTest

final class CommandCatalogTests: XCTestCase {
    static func commands() throws -> [[String]] {
        let r = PrivilegedTestCase.shell([PrivilegedTestCase.binary, "--experimental-dump-help"])
        guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any],
              let root = json["command"] as? [String: Any] else {
            XCTFail("swiftbox --experimental-dump-help gave no command tree: \(r.err)")
            return []
        }
        var out: [[String]] = []
        func walk(_ c: [String: Any], _ path: [String]) {
            if !path.isEmpty { out.append(path) }
            for s in (c["subcommands"] as? [[String: Any]]) ?? [] {
                guard let name = s["commandName"] as? String, name != "help" else { continue }
                walk(s, path + [name])
            }
        }
        walk(root, [])
        return out
    }

    func testEveryCommandHasHelpAndAManPage() throws {
        guard FileManager.default.isExecutableFile(atPath: PrivilegedTestCase.binary) else {
            throw missingTool("no swiftbox binary at \(PrivilegedTestCase.binary): run `swift build` first")
        }
        let commands = try Self.commands()
        XCTAssertGreaterThan(commands.count, 100)
        var noPage: [String] = []
        for path in commands {
            let r = PrivilegedTestCase.shell([PrivilegedTestCase.binary] + path + ["--help"])
            XCTAssertEqual(r.status, 0, "\(path) --help: \(r.err)")
            XCTAssertTrue(r.out.contains("USAGE:"), "\(path) --help: \(r.out.prefix(200))")
            // Hidden internals (the monitor, the trash emptier) have pages too: the
            // generator makes one for every command.
            let page = PrivilegedTestCase.packageRoot + "/man/swiftbox." + path.joined(separator: ".") + ".1"
            if !FileManager.default.fileExists(atPath: page) { noPage.append(path.joined(separator: " ")) }
        }
        XCTAssertEqual(noPage, [], "commands without a man page: run `make man`")
    }

    func testCompletionScriptsKnowTheCommands() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = PrivilegedTestCase.shell([PrivilegedTestCase.binary, "--generate-completion-script", shell])
            XCTAssertEqual(r.status, 0, "\(shell): \(r.err)")
            for word in ["export", "history", "compose", "build"] {
                XCTAssertTrue(r.out.contains(word), "\(shell) completion lacks \(word)")
            }
        }
        let dir = NSTemporaryDirectory() + "swiftbox-completion-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bash = PrivilegedTestCase.shell([PrivilegedTestCase.binary, "--generate-completion-script", "bash"]).out
        try bash.write(toFile: dir + "/swiftbox.bash", atomically: true, encoding: .utf8)
        let syntax = PrivilegedTestCase.shell(["bash", "-n", dir + "/swiftbox.bash"])
        XCTAssertEqual(syntax.status, 0, "bash -n: \(syntax.err)")
        // Sourced, it completes the top-level commands.
        let complete = PrivilegedTestCase.shell(["bash", "-c", ". \(dir)/swiftbox.bash; COMP_WORDS=(swiftbox exp); COMP_CWORD=1; COMP_LINE='swiftbox exp'; COMP_POINT=12; _swiftbox; printf '%s\\n' \"${COMPREPLY[@]}\""])
        XCTAssertTrue(complete.out.split(separator: "\n").contains("export"), "bash completion of 'exp': \(complete.out) \(complete.err)")
    }
}
