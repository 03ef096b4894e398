// Arbitrary input never crashes the parser or the lexer, and every refusal is a
// DockerfileError (or a ShellLexError from the lexer).
import XCTest
import SwiftboxDockerfile

final class RobustnessTests: XCTestCase {
    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
    }

    static let pieces = [
        "FROM", "from", "RUN", "COPY", "ADD", "ENV", "ARG", "LABEL", "ONBUILD", "HEALTHCHECK", "CMD", "SHELL", "NONE",
        "VOLUME", "EXPOSE", "AS", " ", " ", "  ", "\t", "\n", "\n", "\\\n", "`\n", "\\", "`", "#", "# escape=`\n",
        "\"", "'", "[", "]", ",", "=", "$", "${", "}", ":-", ":?", "#", "%", "/", "<<", "<<-", "EOF", "\nEOF\n",
        "--mount=", "type=cache", "--from=", "--interval=", "5s", "-1", "x", "a b", "é", "\r\n", "\u{FEFF}", "\"a\"",
    ]

    func testRandomDockerfiles() {
        var generator = Generator(state: 0x9E37_79B9_7F4A_7C15)
        for _ in 0..<3000 {
            var text = generator.next(3) == 0 ? "" : "FROM a\n"
            for _ in 0..<generator.next(40) { text += Self.pieces[generator.next(Self.pieces.count)] }
            do {
                let parsed = try Dockerfile.parse(text)
                XCTAssertFalse(parsed.stages.isEmpty)
            } catch {
                XCTAssertTrue(error is DockerfileError, "\(type(of: error)) for \(text.debugDescription)")
            }
            let lex = ShellLex(escape: generator.next(2) == 0 ? "\\" : "`")
            do {
                _ = try lex.processWords(text, env: ["a": "1 2", "x": ""])
            } catch {
                XCTAssertTrue(error is ShellLexError, "\(type(of: error)) for \(text.debugDescription)")
            }
            _ = lex.variables(in: text)
            _ = DockerIgnore(text).isExcluded("a/b/x")
        }
    }
}
