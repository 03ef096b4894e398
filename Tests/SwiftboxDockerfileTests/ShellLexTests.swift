// ShellLex against BuildKit's rules (frontend/dockerfile/shell: its envVarTest and
// wordsTest tables give the behaviour; these cases are our own, in the same spirit).
import XCTest
import SwiftboxDockerfile

final class ShellLexTests: XCTestCase {
    let env = ["PWD": "/home", "SHELL": "bash", "EMPTY": "", "SPACED": "abc  def", "LEADING": "  ab c",
               "TRAILING": "ab c   ", "FILE": "archive.tar.gz", "PATHV": "/usr/local/bin/tool"]

    func word(_ text: String, escape: Character = "\\", file: StaticString = #filePath, line: UInt = #line) -> String? {
        try? ShellLex(escape: escape).processWord(text, env: env)
    }

    func testProcessWordTable() {
        let cases: [(String, String?)] = [
            ("hello", "hello"),
            ("he'll'o", "hello"),
            ("he'llo", nil),                       // unterminated single quote
            ("he\\'llo", "he'llo"),
            ("abc\\tdef", "abctdef"),              // an escape outside quotes makes the next char literal
            ("\"abc\\tdef\"", "abc\\tdef"),        // inside double quotes only " $ and \ are escapable
            ("\"abc\\\\tdef\"", "abc\\tdef"),
            ("'abc\\tdef'", "abc\\tdef"),          // single quotes: everything literal
            ("hello\\", "hello"),                  // a trailing escape vanishes
            ("hello\\\\", "hello\\"),
            ("\"hello", nil),
            ("\"hello\\\"", nil),
            ("'hello\\'", "hello\\"),              // no escaping inside single quotes
            ("\"''\"", "''"),
            ("$.", "$."),                          // $ without a name is literal
            ("he$1x", "hex"),                      // positional parameters are never set
            ("he$PWD", "he/home"),
            ("he\\$PWD", "he$PWD"),
            ("he\\\\$PWD", "he\\/home"),
            ("\"he\\$PWD\"", "he$PWD"),
            ("'he$PWD'", "he$PWD"),
            ("\\${}", "${}"),
            ("${}", nil),
            ("he${.}", nil),
            ("he${hi}xx", "hexx"),                 // unset → ""
            ("he${PWD}", "he/home"),
            ("${PWD", nil),
            ("${aaa}}", "}"),
            ("${{aaa}", nil),
            ("${:}", nil),
            ("${:-bbb}", nil),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(word(input), expected, "processWord(\(input))")
        }
    }

    func testDefaultsAndAlternatives() {
        let cases: [(String, String?)] = [
            ("he${XXX:-000}xx", "he000xx"),
            ("he${PWD:-000}xx", "he/homexx"),
            ("he${XXX:-$PWD}xx", "he/homexx"),            // the default is itself expanded
            ("he${XXX:-${PWD:-yyy}}xx", "he/homexx"),     // nested defaults
            ("he${XXX:-${YYY:-yyy}}xx", "heyyyxx"),
            ("${EMPTY:-dflt}", "dflt"),                   // with ':' empty counts as unset
            ("${EMPTY-dflt}", ""),                        // without ':' only unset does
            ("${UNSET-dflt}", "dflt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("he${XXX:+${PWD}}xx", "hexx"),
            ("he${PWD:+${SHELL}}xx", "hebashxx"),
            ("he${PWD:+${PWD}:}xx", "he/home:xx"),
            ("he${XXX:-\\$PWD:}xx", "he$PWD:xx"),
            ("${XXX:-\"a  b\"}", "a  b"),                 // quotes inside the default
            ("${XXX:-'$PWD'}", "$PWD"),
            ("${aaa:-bbb {foo}", "bbb {foo"),
            ("${aaa:-bbb ${foo}", nil),                   // the inner } closes ${foo}; the outer is missing
            ("he${XXX:YYY}", nil),                        // unsupported modifier
            ("he${PWD:=000}xx", nil),
            ("${1:-bbb}", "bbb"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(word(input), expected, "processWord(\(input))")
        }
    }

    func testRequiredVariables() throws {
        XCTAssertEqual(word("he${PWD?}"), "he/home")
        XCTAssertEqual(word("he${PWD:?}"), "he/home")
        XCTAssertEqual(word("he${EMPTY?}"), "he")
        XCTAssertNil(word("he${EMPTY:?}"))
        let lex = ShellLex()
        XCTAssertThrowsError(try lex.processWord("${NOPE:?must be set}", env: env)) { error in
            XCTAssertEqual((error as? ShellLexError)?.message, "NOPE: must be set")
            XCTAssertEqual("\(error)", #"failed to process "${NOPE:?must be set}": NOPE: must be set"#)
        }
        XCTAssertThrowsError(try lex.processWord("${NOPE?}", env: env)) { error in
            XCTAssertEqual((error as? ShellLexError)?.message, "NOPE: is not allowed to be unset")
        }
        XCTAssertThrowsError(try lex.processWord("${EMPTY:?}", env: env)) { error in
            XCTAssertEqual((error as? ShellLexError)?.message, "EMPTY: is not allowed to be empty")
        }
        XCTAssertThrowsError(try lex.processWord("'open", env: env)) { error in
            XCTAssertEqual((error as? ShellLexError)?.message,
                           "unexpected end of statement while looking for matching single-quote")
        }
        XCTAssertThrowsError(try lex.processWord("${open", env: env)) { error in
            XCTAssertEqual((error as? ShellLexError)?.message, "syntax error: missing '}'")
        }
        XCTAssertThrowsError(try lex.processWord("${}", env: env)) { error in
            XCTAssertEqual((error as? ShellLexError)?.message, "syntax error: bad substitution")
        }
    }

    func testTrimAndReplace() {
        let cases: [(String, String?)] = [
            ("${FILE#*.}", "tar.gz"),
            ("${FILE##*.}", "gz"),
            ("${FILE%.*}", "archive.tar"),
            ("${FILE%%.*}", "archive"),
            ("${PATHV##*/}", "tool"),
            ("${PATHV%/*}", "/usr/local/bin"),
            ("${FILE#nomatch}", "archive.tar.gz"),
            ("${FILE/.tar/}", "archive.gz"),
            ("${FILE//a/A}", "Archive.tAr.gz"),
            ("${FILE/a?c/X}", "Xhive.tar.gz"),
            ("${UNSET#x}", ""),
            ("${FILE:#x}", nil),                        // no ':' form for trims
            ("${PATHV/\\/usr/X}", "X/local/bin/tool"),  // \/ is a slash in the pattern
        ]
        for (input, expected) in cases {
            XCTAssertEqual(word(input), expected, "processWord(\(input))")
        }
    }

    func testBacktickEscape() {
        XCTAssertEqual(word("C:\\path\\to", escape: "`"), "C:\\path\\to")  // backslash is plain
        XCTAssertEqual(word("a`$PWD", escape: "`"), "a$PWD")
        XCTAssertEqual(word("\"q`\"uote\"", escape: "`"), "q\"uote")
        XCTAssertEqual(word("\"keep`n\"", escape: "`"), "keep`n")
    }

    func testUnicode() {
        XCTAssertEqual(word("안'녕'하세요"), "안녕하세요")
        XCTAssertEqual(word("안녕\\t하세요"), "안녕t하세요")
        XCTAssertEqual(word("안녕$PWD"), "안녕/home")
        XCTAssertEqual(try ShellLex().processWord("$KOREAN!", env: ["KOREAN": "한국어"]), "한국어!")
    }

    func testProcessWords() throws {
        let cases: [(String, [String]?)] = [
            ("hello", ["hello"]),
            ("hello${hi}bye", ["hellobye"]),
            ("hello${SPACED}bye", ["helloabc", "defbye"]),       // unquoted expansions split
            ("hello\"${SPACED}\"bye", ["helloabc  defbye"]),     // quoted ones do not
            ("hello \"${SPACED}\"bye", ["hello", "abc  defbye"]),
            ("hello${LEADING}def", ["hello", "ab", "cdef"]),
            ("hello\"${LEADING}\" def", ["hello  ab c", "def"]),
            ("hello${TRAILING}d", ["helloab", "c", "d"]),
            ("hel\"lo${TRAILING}\"", ["helloab c   "]),
            ("hello\" there  \"", ["hello there  "]),
            ("hello there     ", ["hello", "there"]),
            ("hello\\ there", ["hello there"]),
            ("hello\" there", nil),
            ("hello\\\" there", ["hello\"", "there"]),
            ("hello'\\\\there'", ["hello\\\\there"]),
            ("hello'$there'", ["hello$there"]),
            ("a \"\" b", ["a", "b"]),                            // an empty quoted word is dropped
            ("80/tcp  443", ["80/tcp", "443"]),
            ("cat << EOF", ["cat", "<< EOF"]),                   // << stays with its word
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try? ShellLex().processWords(input, env: env), expected, "processWords(\(input))")
        }
    }

    func testVariablesIn() {
        let lex = ShellLex()
        XCTAssertEqual(lex.variables(in: "echo $A ${B} ${C:-$D} ${E:+${F}} '$G' \"$H\" \\$I"),
                       ["A", "B", "C", "D", "E", "F", "H"])
        XCTAssertEqual(lex.variables(in: "${REQUIRED:?msg} ${X#*.} ${Y/a/b}"), ["REQUIRED", "X", "Y"])
        XCTAssertEqual(lex.variables(in: "no variables $ here $. $1"), ["1"])
        XCTAssertEqual(lex.variables(in: "$A 'unterminated"), ["A"])
        XCTAssertEqual(ShellLex(escape: "`").variables(in: "`$A $B"), ["B"])
    }
}

/// Cases run through Docker 20.10 (ENV values of a FROM scratch build, read back with
/// `docker image inspect`): its BuildKit gave exactly these values. (Its older lexer
/// lacks the colon-less `${V-d}` forms and `${V?}`, so those follow current BuildKit.)
final class ShellLexDockerTests: XCTestCase {
    func testValuesDockerGave() throws {
        let env = ["E": "", "F": "/home"]
        let cases: [(String, String)] = [
            ("${UNSET:-d1}", "d1"), ("${E:-d2}", "d2"), ("${E:+a5}", ""), ("${F:+x${F}y}", "x/homey"),
            (#""q \$F \"in\" \\ \x""#, #"q $F "in" \ \x"#), (#"'s $F \x'"#, #"s $F \x"#),
            (#"esc\ aped\$F"#, "esc aped$F"), (#"${UNSET:-"two  words"}"#, "two  words"),
            ("${UNSET:-${NOPE:-nested}}", "nested"), ("he$1x", "hex"), ("$.", "$."),
            (#""${F}${F}""#, "/home/home"), (#"a\\b"#, #"a\b"#), (#"a\b"#, "ab"), (#""C6""#, "C6"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try ShellLex().processWord(input, env: env), expected, input)
        }
    }
}
