// Dockerfiles BuildKit refuses, each with the exact `Dockerfile:LINE: message` we give.
// Messages are BuildKit's own texts (without its "did you mean" suggestions).
// Checked against Docker 20.10's BuildKit (DOCKER_BUILDKIT=1 docker build, FROM scratch):
// unknown instruction, instruction before FROM, FROM arity, stage name, ENV K, ENV A=1 B,
// unknown flag (20.10 words it "Unknown flag: frm"; current BuildKit as here), COPY with
// one argument, JSON of non-strings, SHELL not JSON, ONBUILD FROM, a duration without
// unit, a duration under 1ms, a bad escape directive, VOLUME [""]: same line, same
// text. Differences: 20.10 says "--retries must be at least 1" (current BuildKit allows
// 0 and says "cannot be negative", as here); 20.10 accepts duplicate stage names and
// `ONBUILD RUNN` (we refuse both, see the tests); an empty file is "the Dockerfile
// cannot be empty" in 20.10's daemon, "file with no instructions" in BuildKit's parser.
import XCTest
import SwiftboxDockerfile

final class ParseErrorTests: XCTestCase {
    func error(_ text: String, file: String = "Dockerfile") -> String? {
        do {
            _ = try Dockerfile.parse(text, file: file)
            return nil
        } catch let error as DockerfileError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    func check(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(error(text), expected, text, file: file, line: line)
    }

    func testInstructions() {
        check("FROM a\nRUN x\nRUNN x\n", "Dockerfile:3: unknown instruction: RUNN")
        check("FROM a\nfrobnicate x\n", "Dockerfile:2: unknown instruction: frobnicate")
        check("# comment\nRUN echo hi\nFROM a\n", "Dockerfile:2: no build stage in current context")
        check("ARG A\nENV B=1\nFROM a\n", "Dockerfile:2: no build stage in current context")
        check("ARG V\n", "Dockerfile:1: dockerfile contains no stages to build")
        check("", "Dockerfile:1: file with no instructions")
        check("# only\n\n# comments\n", "Dockerfile:3: file with no instructions")
    }

    func testFrom() {
        check("FROM\n", "Dockerfile:1: FROM requires either one or three arguments")
        check("FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments")
        check("FROM a AS b c\n", "Dockerfile:1: FROM requires either one or three arguments")
        check("FROM a TO b\n", "Dockerfile:1: FROM requires either one or three arguments")
        check("FROM a AS 1st\n", #"Dockerfile:1: invalid name for build stage: "1st", name can't start with a number or contain symbols"#)
        check("FROM a AS my/stage\n", #"Dockerfile:1: invalid name for build stage: "my/stage", name can't start with a number or contain symbols"#)
        check("FROM a AS build\nFROM b AS BUILD\n", #"Dockerfile:2: Duplicate stage name "build", stage names should be unique"#)
        check("FROM --platfrom=linux/amd64 a\n", "Dockerfile:1: unknown flag: --platfrom")
    }

    func testFlags() {
        check("FROM a\nCOPY --frm=b x y\n", "Dockerfile:2: unknown flag: --frm")
        check("FROM a\nCOPY --from x y\n", "Dockerfile:2: missing a value on flag: --from")
        check("FROM a\nCOPY --from=a --from=b x y\n", "Dockerfile:2: duplicate flag specified: --from")
        check("FROM a\nCOPY --link=maybe x y\n", "Dockerfile:2: expecting boolean value for flag --link, not: maybe")
        check("FROM a\nCOPY --link= x y\n", "Dockerfile:2: missing a value on flag: --link")
        check("FROM a\nADD --from=b x y\n", "Dockerfile:2: unknown flag: --from")
        check("FROM a\nENV --x=1 A=1\n", "Dockerfile:2: unknown flag: --x")
        check("FROM a\nCMD --help\n", "Dockerfile:2: unknown flag: --help")
        check("FROM a\nRUN --network=bridge true\n", #"Dockerfile:2: invalid network mode "bridge""#)
        check("FROM a\nRUN --security=root true\n", #"Dockerfile:2: security "root" is not valid"#)
    }

    func testMounts() {
        check("FROM a\nRUN --mount=type=volume,target=/x true\n", #"Dockerfile:2: unsupported mount type "volume""#)
        check("FROM a\nRUN --mount=target=/x,bogus=1 true\n", "Dockerfile:2: unexpected key 'bogus' in 'bogus=1'")
        check("FROM a\nRUN --mount=target=/x,nothing true\n", "Dockerfile:2: invalid field 'nothing' must be a key=value pair")
        check("FROM a\nRUN --mount=target=/x,required true\n", "Dockerfile:2: unexpected key 'required' for mount type 'bind'")
        check("FROM a\nRUN --mount=type=cache,target=/x,sharing=open true\n", #"Dockerfile:2: unsupported sharing value "open""#)
        check("FROM a\nRUN --mount=target=/x,sharing=locked true\n", "Dockerfile:2: invalid cache sharing set for bind mount")
        check("FROM a\nRUN --mount=target=/x,mode=0700 true\n", #"Dockerfile:2: mode not allowed for "bind" type mounts"#)
        check("FROM a\nRUN --mount=type=cache,target=/x,uid=me true\n", "Dockerfile:2: invalid value me for uid")
        check("FROM a\nRUN --mount=type=secret true\n", "Dockerfile:2: invalid secret mount. one of source, target required")
        check("FROM a\nRUN --mount=type=secret,id=a,source=b true\n", "Dockerfile:2: both source and id can't be set")
        check("FROM a\nRUN --mount=type=bind,from=$STAGE,target=/x true\n",
              "Dockerfile:2: 'from' doesn't support variable expansion, define alias stage instead")
        check("FROM a\nRUN --mount=type=cache,target=/x,size=1g true\n", "Dockerfile:2: unexpected key 'size' for mount type 'cache'")
        check("FROM a\nRUN --mount=type=tmpfs,target=/x,size=lots true\n", "Dockerfile:2: invalid value for size: lots")
        check("FROM a\nRUN --mount=\\\"target=/x true\n",
              "Dockerfile:2: failed to parse csv mounts: extraneous or missing \" in quoted-field")
    }

    func testArguments() {
        check("FROM a\nSHELL /bin/bash -c\n", "Dockerfile:2: SHELL requires the arguments to be in JSON form")
        check("FROM a\nSHELL []\n", "Dockerfile:2: SHELL requires at least one argument")
        check("FROM a\nENV K\n", "Dockerfile:2: ENV must have two arguments")
        check("FROM a\nENV\n", "Dockerfile:2: ENV requires at least one argument")
        check("FROM a\nENV A=1 B\n", #"Dockerfile:2: Syntax error - can't find = in "B". Must be of the form: name=value"#)
        check("FROM a\nLABEL =x\n", "Dockerfile:2: LABEL names can not be blank")
        check("FROM a\nARG\n", "Dockerfile:2: ARG requires at least one argument")
        check("FROM a\nARG =x\n", "Dockerfile:2: ARG names can not be blank")
        check("FROM a\nCOPY onlyone\n",
              "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined")
        check("FROM a\nCOPY x <<EOF\nEOF\n", "Dockerfile:2: COPY cannot accept a heredoc as a destination")
        check("FROM a\nRUN [\"echo\", 1]\n", "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only")
        check("FROM a\nCMD [null]\n", "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only")
        check("FROM a\nVOLUME [\"\"]\n", "Dockerfile:2: VOLUME specified can not be an empty string")
        check("FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE requires at least one argument")
        check("FROM a\nUSER\n", "Dockerfile:2: USER requires exactly one argument")
        check("FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument")
        check("FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument")
    }

    func testHealthcheck() {
        check("FROM a\nHEALTHCHECK --interval=5 CMD true\n", #"Dockerfile:2: time: missing unit in duration "5""#)
        check("FROM a\nHEALTHCHECK --timeout=5x CMD true\n", #"Dockerfile:2: time: unknown unit "x" in duration "5x""#)
        check("FROM a\nHEALTHCHECK --interval=-1s CMD true\n", #"Dockerfile:2: Interval "interval" cannot be less than 1ms"#)
        check("FROM a\nHEALTHCHECK --start-period=10us CMD true\n", #"Dockerfile:2: Interval "start-period" cannot be less than 1ms"#)
        check("FROM a\nHEALTHCHECK --retries=-1 CMD true\n", "Dockerfile:2: --retries cannot be negative (-1)")
        check("FROM a\nHEALTHCHECK --retries=many CMD true\n", #"Dockerfile:2: strconv.ParseInt: parsing "many": invalid syntax"#)
        check("FROM a\nHEALTHCHECK NONE extra\n", "Dockerfile:2: HEALTHCHECK NONE takes no arguments")
        check("FROM a\nHEALTHCHECK CMD\n", "Dockerfile:2: Missing command after HEALTHCHECK CMD")
        check("FROM a\nHEALTHCHECK RUN true\n", #"Dockerfile:2: Unknown type "RUN" in HEALTHCHECK (try CMD)"#)
        check("FROM a\nHEALTHCHECK\n", "Dockerfile:2: HEALTHCHECK requires at least one argument")
        check("FROM a\nHEALTHCHECK --interval=1s --bogus=2 CMD true\n", "Dockerfile:2: unknown flag: --bogus")
    }

    func testHeredocs() {
        check("FROM a\nRUN <<EOF\necho hi\n", "Dockerfile:2: unterminated heredoc")
        check("FROM a\nRUN <<A <<B\na\nA\nb\n", "Dockerfile:2: unterminated heredoc")
        check("FROM a\nRUN <<-EOF\n  EOF\n", "Dockerfile:2: unterminated heredoc")   // only tabs are stripped
        check("FROM a\nRUN \\\n  <<EOF\nx\n", "Dockerfile:2: unterminated heredoc")
    }

    func testOnbuild() {
        check("FROM a\nONBUILD FROM b\n", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger")
        check("FROM a\nONBUILD onbuild RUN x\n", "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        check("FROM a\nONBUILD MAINTAINER me\n", "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger")
        check("FROM a\nONBUILD\n", "Dockerfile:2: ONBUILD requires at least one argument")
        check("FROM a\nONBUILD RUNN x\n", "Dockerfile:2: unknown instruction: RUNN")   // stricter than BuildKit
        check("FROM a\nONBUILD COPY --frm=x a b\n", "Dockerfile:2: unknown flag: --frm")
    }

    func testDirectives() {
        check("# escape=x\nFROM a\n", "Dockerfile:1: invalid escape token 'x' does not match ` or \\")
        check("# escape=`\n# ESCAPE=\\\nFROM a\n", "Dockerfile:2: only one escape parser directive can be used")
    }

    func testLinesCountFromTheInstructionStart() {
        check("FROM a\nRUN echo \\\n  one \\\n  two\nCOPY \\\n  --frm=x a b\n", "Dockerfile:5: unknown flag: --frm")
        check("FROM a\nRUN <<EOF\nbody\nEOF\nBAD x\n", "Dockerfile:5: unknown instruction: BAD")
        XCTAssertEqual(error("FROM a\nBAD\n", file: "app.Dockerfile"), "app.Dockerfile:2: unknown instruction: BAD")
    }

    /// Not errors: JSON-looking arguments that are not valid JSON fall back to the shell form.
    func testJSONLookalikesAreShellForm() throws {
        let parsed = try Dockerfile.parse("FROM a\nRUN [\"echo\", \"unterminated\"\nCMD ['x']\nVOLUME [/data\n")
        let kinds = parsed.stages[0].instructions.map(\.kind)
        XCTAssertEqual(kinds, [
            .run(RunSpec(command: .shell("[\"echo\", \"unterminated\""))),
            .cmd(.shell("['x']")),
            .volume(["[/data"]),
        ])
    }
}
