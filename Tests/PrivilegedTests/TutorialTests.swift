// docs/tutorial.md cannot drift from the code: every `$ swiftbox …` line of its
// ```console blocks is run here, in a fresh state root, and the lines quoted under it
// must appear in its output in that order (`…` stands for anything: IDs, addresses,
// the host's cgroup mount points). The files it names in bold must exist.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class TutorialTests: NetworkTestCase {
    struct Example {
        var command: [String]
        var expected: [String] = []
        var line: Int
    }

    static var tutorial: String { packageRoot + "/docs/tutorial.md" }

    /// The commands of the ```console blocks, each with the lines quoted under it.
    static func examples(_ text: String) -> [Example] {
        var out: [Example] = []
        var inConsole = false
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                inConsole = !inConsole && line == "```console"
                continue
            }
            guard inConsole else { continue }
            if line.hasPrefix("$ ") {
                out.append(Example(command: line.dropFirst(2).split(separator: " ").map(String.init), line: i + 1))
            } else if !out.isEmpty {
                out[out.count - 1].expected.append(line.trimmingCharacters(in: .whitespaces))
            }
        }
        return out
    }

    /// A quoted line as a pattern: `…` matches anything, the rest literally.
    static func matches(_ pattern: String, _ line: String) -> Bool {
        let regex = "^" + pattern.components(separatedBy: "…").map(NSRegularExpression.escapedPattern).joined(separator: ".*") + "$"
        return line.trimmingCharacters(in: .whitespaces).range(of: regex, options: .regularExpression) != nil
    }

    /// The first quoted line not found in `output` after the ones before it, or nil.
    static func missing(_ expected: [String], in output: String) -> String? {
        var lines = output.split(separator: "\n").map(String.init)[...]
        for e in expected where !e.isEmpty {
            guard let i = lines.firstIndex(where: { matches(e, $0) }) else { return e }
            lines = lines[(i + 1)...]
        }
        return nil
    }

    func testMatchingFindsQuotedLinesInOrderOnly() {
        let out = "   1  resolve busybox\n        child[69]: execve(true, [true])\n"
        XCTAssertNil(Self.missing(["1  resolve busybox", "child[…]: execve(true, [true])"], in: out))
        XCTAssertEqual(Self.missing(["child[…]: execve(true, [true])", "1  resolve busybox"], in: out), "1  resolve busybox")
        XCTAssertEqual(Self.missing(["child[…]: execve(false, [false])"], in: out), "child[…]: execve(false, [false])")
    }

    func testEveryCommandPrintsWhatTheTutorialQuotes() throws {
        let text = try String(contentsOfFile: Self.tutorial, encoding: .utf8)
        let examples = Self.examples(text)
        XCTAssertGreaterThanOrEqual(examples.count, 9, "the tutorial's ```console blocks were not found")
        XCTAssertGreaterThanOrEqual(examples.filter { !$0.expected.isEmpty }.count, 8)
        // The name the tutorial uses, as `make demo` loads it.
        XCTAssertEqual(sbx(["tag", "busybox-image:latest", "busybox"]).status, 0)
        for e in examples {
            XCTAssertEqual(e.command.first, "swiftbox", "docs/tutorial.md:\(e.line)")
            let r = sbx(Array(e.command.dropFirst()))
            XCTAssertEqual(r.status, 0, "docs/tutorial.md:\(e.line): \(e.command.joined(separator: " "))\n\(r.err)")
            if let line = Self.missing(e.expected, in: r.out + r.err) {
                XCTFail("docs/tutorial.md:\(e.line): `\(e.command.joined(separator: " "))` printed no \"\(line)\" (after the lines quoted before it):\n\(r.out)\(r.err)")
            }
        }
    }

    /// The files it sends the reader to (in bold) exist.
    func testNamedFilesExist() throws {
        let text = try String(contentsOfFile: Self.tutorial, encoding: .utf8)
        let sources = (FileManager.default.enumerator(atPath: Self.packageRoot + "/Sources")?.allObjects as? [String] ?? []).map { "/" + $0 }
        let bold = text.components(separatedBy: "**").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let files = bold.filter { $0.hasSuffix(".swift") || $0.hasSuffix(".c") || $0.hasSuffix("/") }
        XCTAssertGreaterThan(files.count, 10, "no file names found in bold")
        for f in files {
            let name = f.hasSuffix("/") ? String(f.dropLast()) : f
            XCTAssertTrue(sources.contains { $0.hasSuffix("/" + name) || ("/Sources" + $0).hasSuffix("/" + name) }, "docs/tutorial.md names \(f), which is not in Sources/")
        }
    }
}
