// Parser rules easier to state one by one than through the corpus.
import XCTest
import SwiftboxDockerfile

final class ParserDetailTests: XCTestCase {
    func instructions(_ text: String) throws -> [Instruction] {
        try Dockerfile.parse(text).stages.flatMap(\.instructions)
    }

    func testCRLFAndByteOrderMark() throws {
        let parsed = try Dockerfile.parse("\u{FEFF}# escape=`\r\nFROM a\r\nRUN echo one `\r\n  two\r\nRUN <<EOF\r\nbody\r\nEOF\r\n")
        XCTAssertEqual(parsed.escape, "`")
        let run = parsed.stages[0].instructions
        XCTAssertEqual(run[0].original, "RUN echo one   two")
        guard case .run(let spec) = run[1].kind else { return XCTFail() }
        XCTAssertEqual(spec.heredocs, [Heredoc(name: "EOF", content: "body\r\n")])
        XCTAssertEqual(run[1].endLine, 7)
    }

    func testDirectivesAreCaseInsensitiveAndOnlyAtTheTop() throws {
        let parsed = try Dockerfile.parse("#Syntax=x/y:1\n  #  ESCAPE =  `  \n#check=error=true\nFROM a\n# escape=\\\nRUN a `\n b\n")
        XCTAssertEqual(parsed.syntax, "x/y:1")
        XCTAssertEqual(parsed.escape, "`")
        XCTAssertEqual(parsed.check, "error=true")
        XCTAssertEqual(parsed.stages[0].instructions[0].original, "RUN a  b")
        // An unknown directive ends the directives like any comment.
        XCTAssertEqual(try Dockerfile.parse("# foo=bar\n# escape=`\nFROM a\n").escape, "\\")
    }

    func testContinuationAtEndOfFile() throws {
        let run = try instructions("FROM a\nRUN echo hi \\")
        XCTAssertEqual(run[0].kind, .run(RunSpec(command: .shell("echo hi"))))
        XCTAssertEqual(run[0].original, "RUN echo hi")
    }

    func testLinesAndOriginal() throws {
        let run = try instructions("FROM a\n\n  RUN --network=none \\\n    # comment\n    echo   hi\nCMD x\n")
        XCTAssertEqual(run[0].line, 3)
        XCTAssertEqual(run[0].endLine, 5)
        XCTAssertEqual(run[0].keyword, "RUN")
        XCTAssertEqual(run[0].original, "RUN --network=none     echo   hi")
        XCTAssertEqual(run[1].line, 6)
    }

    func testHeredocRunCommands() throws {
        let run = try instructions("FROM a\nRUN <<-EOF\n\techo a\n\tEOF\nRUN python3 <<EOF 3<<X\nprint(1)\nEOF\nx\nX\n")
        guard case .run(let first) = run[0].kind, case .run(let second) = run[1].kind else { return XCTFail() }
        XCTAssertEqual(first.command, .shell("echo a\n"))          // the body, chomped
        XCTAssertEqual(first.heredocs[0].content, "\techo a\n")     // kept as written
        XCTAssertEqual(second.command, .shell("python3 <<EOF 3<<X\nprint(1)\nEOF\nx\nX"))
        XCTAssertEqual(second.heredocs.map(\.fileDescriptor), [0, 3])
    }

    func testHeredocsOnlyWhereAllowed() throws {
        // ENV does not read heredocs: the next line is an instruction.
        let parsed = try instructions("FROM a\nENV A=<<EOF\nUSER EOF\n")
        XCTAssertEqual(parsed.map(\.keyword), ["ENV", "USER"])
        // JSON-form RUN neither.
        XCTAssertEqual(try instructions("FROM a\nRUN [\"cat\", \"<<EOF\"]\nUSER x\n").map(\.keyword), ["RUN", "USER"])
    }

    func testFromDetails() throws {
        let parsed = try Dockerfile.parse("ARG IMG=alpine\nFROM --platform=linux/arm64 $IMG As Build.Stage-1_x\nFROM build.stage-1_x\n")
        XCTAssertEqual(parsed.metaArgs, [ArgDeclaration(name: "IMG", defaultValue: "alpine")])
        XCTAssertEqual(parsed.stages[0].name, "build.stage-1_x")
        XCTAssertEqual(parsed.stages[0].base, "$IMG")
        XCTAssertEqual(parsed.stages[0].platform, "linux/arm64")
        XCTAssertEqual(parsed.stages[1].index, 1)
        XCTAssertNil(parsed.stages[1].name)
    }

    func testFlagWords() throws {
        let run = try instructions("FROM a\nRUN --mount=\"type=bind,target=/a b\" --network='none' -- --not-a-flag\n")
        guard case .run(let spec) = run[0].kind else { return XCTFail() }
        XCTAssertEqual(spec.mounts.map(\.target), ["/a b"])
        XCTAssertEqual(spec.network, "none")
        XCTAssertEqual(spec.command, .shell("--not-a-flag"))
    }

    func testMountDefaults() throws {
        let run = try instructions("""
            FROM a
            RUN --mount=type=secret,id=tok --mount=type=secret,source=dir/key,env=KEY --mount=type=cache,target=/c --mount=target=/b --mount=type=ssh true
            """)
        guard case .run(let spec) = run[0].kind else { return XCTFail() }
        XCTAssertEqual(spec.mounts[0], RunMount(kind: .secret, target: "/run/secrets/tok", id: "tok"))
        XCTAssertEqual(spec.mounts[1], RunMount(kind: .secret, target: "", source: "dir/key", env: "KEY"))
        XCTAssertEqual(spec.mounts[2], RunMount(kind: .cache, target: "/c", readWrite: true))
        XCTAssertEqual(spec.mounts[3], RunMount(kind: .bind, target: "/b", readWrite: false))
        XCTAssertEqual(spec.mounts[4], RunMount(kind: .ssh, target: ""))
    }

    func testWarnings() throws {
        let parsed = try Dockerfile.parse("FROM a\nRUN a \\\n\n  b\nMAINTAINER me\nENV K V\n")
        XCTAssertEqual(parsed.warnings, [
            DockerfileWarning(line: 3, message: "Empty continuation line"),
            DockerfileWarning(line: 5, message: "Maintainer instruction is deprecated in favor of using label"),
            DockerfileWarning(line: 6, message: "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format"),
        ])
    }

    func testErrorDescription() {
        XCTAssertEqual(DockerfileError(file: "Dockerfile", line: 3, message: "unknown instruction: RUNN").description,
                       "Dockerfile:3: unknown instruction: RUNN")
    }
}
