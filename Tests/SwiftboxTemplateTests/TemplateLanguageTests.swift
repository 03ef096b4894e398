// The language against Go's text/template documentation (pkg.go.dev/text/template):
// each case quotes the documented template and the output Go gives for it.
import XCTest
@testable import SwiftboxTemplate

final class TemplateLanguageTests: XCTestCase {
    func run(_ text: String, _ data: TemplateValue = .null, missingKey: MissingKey = .default) throws -> String {
        try Template(text).execute(data, missingKey: missingKey)
    }

    func check(_ text: String, _ expected: String, _ data: TemplateValue = .null, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try run(text, data), expected, text, file: file, line: line)
    }

    /// The package documentation's "Examples" section: every one of these prints "output" in quotes.
    func testDocumentedPipelineExamples() {
        for text in [
            #"{{"\"output\""}}"#,                                // A string constant.
            "{{`\"output\"`}}",                                  // A raw string constant.
            #"{{printf "%q" "output"}}"#,                        // A function call.
            #"{{"output" | printf "%q"}}"#,                      // A function call whose final argument comes from the previous command.
            #"{{printf "%q" (print "out" "put")}}"#,             // A parenthesized argument.
            #"{{"put" | printf "%s%s" "out" | printf "%q"}}"#,   // A more elaborate call.
            #"{{"output" | printf "%s" | printf "%q"}}"#,        // A longer chain.
            #"{{with "output"}}{{printf "%q" .}}{{end}}"#,       // A with action using dot.
            #"{{with $x := "output" | printf "%q"}}{{$x}}{{end}}"#,  // A with action that creates and uses a variable.
            #"{{with $x := "output"}}{{printf "%q" $x}}{{end}}"#,    // A with action that uses the variable in another action.
            #"{{with $x := "output"}}{{$x | printf "%q"}}{{end}}"#,  // The same, but pipelined.
        ] {
            check(text, "\"output\"")
        }
    }

    /// "Text and spaces": `"{{23 -}} < {{- 45}}"` "the generated output would be "23<45"";
    /// and "{{-3}}" is an action containing the number -3.
    func testTrimMarkers() {
        check("{{23 -}} < {{- 45}}", "23<45")
        check("{{-3}}", "-3")
        check("a  {{- /* a comment */ -}}  b", "ab")
        check("x{{/* a comment */}}y", "xy")
        check("{{- \"x\" -}}\n\t", "x")
    }

    /// "Variables": a variable's scope extends to the "end" of the control structure that
    /// declares it; `$` is the data; `{{$x = …}}` assigns (Go 1.11).
    func testVariables() {
        check("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2")
        check("{{with $x := 3}}{{$x}}{{end}}", "3")
        check("{{range $i, $e := .}}{{$i}}={{$e}} {{end}}", "0=a 1=b ", .list([.string("a"), .string("b")]))
        check("{{range .}}{{$.Name}}{{end}}", "", .list([]))
        let data = TemplateValue.object(TemplateObject(map: ["Name": .string("n"), "L": .list([.int(1), .int(2)])]))
        check("{{range .L}}{{$.Name}}{{.}}{{end}}", "n1n2", data)
    }

    /// "Actions": if / else if / else, with / else, range / else, break and continue (Go 1.18).
    func testControlStructures() {
        check("{{if 0}}a{{else if \"\"}}b{{else if .}}c{{else}}d{{end}}", "c", .bool(true))
        check("{{if false}}a{{else if false}}b{{else}}d{{end}}", "d")
        check("{{with \"\"}}a{{else}}empty{{end}}", "empty")
        check("{{with .Nope}}a{{else with .B}}{{.}}{{end}}", "b", .object(TemplateObject(map: ["B": .string("b")])))
        check("{{range .}}x{{else}}none{{end}}", "none", .list([]))
        check("{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", "13",
              .list([.int(1), .int(2), .int(3), .int(4), .int(5)]))
        // "range … over a map … the elements are visited in sorted key order."
        check("{{range $k, $v := .}}{{$k}}:{{$v}},{{end}}", "a:1,b:2,",
              .object(TemplateObject(map: ["b": .int(2), "a": .int(1)])))
        // Go 1.22: range over an integer.
        check("{{range 3}}{{.}}{{end}}", "012")
    }

    /// "Functions": and/or return an argument and stop early; not; len; index; slice;
    /// comparisons with eq taking several arguments; print/println spacing.
    func testBuiltinFunctions() {
        check("{{and 1 0 \"x\"}}", "0")
        check("{{and 1 \"x\"}}", "x")
        check("{{or 0 \"\" \"z\"}}", "z")
        check("{{or 0 .Nope}}", "<no value>", .object(TemplateObject(map: [:])))
        check("{{not 0}} {{not \"a\"}}", "true false")
        check("{{len \"héllo\"}} {{len .}}", "6 2", .list([.int(1), .int(2)]))
        check("{{index . 1}}", "b", .list([.string("a"), .string("b")]))
        check("{{index . \"k\" 0}}", "v", .object(TemplateObject(map: ["k": .list([.string("v")])])))
        check("{{slice \"abcdef\" 1 3}}", "bc")
        check("{{eq 1 2 3 1}} {{ne \"a\" \"b\"}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}}", "true true true true true false")
        check("{{print \"a\" 1 2 \"b\"}}", "a1 2b")
        check("{{println \"a\" 1}}", "a 1\n")
        check("{{html \"<a href='x'>\"}}", "&lt;a href=&#39;x&#39;&gt;")
        check("{{urlquery \"a b&c\"}}", "a+b%26c")
    }

    /// printf follows fmt: widths, precision, flags, and fmt's complaints.
    func testPrintf() {
        check(#"{{printf "%-10s|" "ab"}}"#, "ab        |")
        check(#"{{printf "%5.2f" 3.14159}}"#, " 3.14")
        check(#"{{printf "%05d %x %X %o %b" 42 255 255 8 5}}"#, "00042 ff FF 10 101")
        check(#"{{printf "%q %v %t" "a\"b" 1.5 true}}"#, #""a\"b" 1.5 true"#)
        check(#"{{printf "%d" "x"}}"#, "%!d(string=x)")
        check(#"{{printf "%s %s" "a"}}"#, "a %!s(MISSING)")
        check(#"{{printf "%s" "a" 1}}"#, "a%!(EXTRA int=1)")
        check(#"{{printf "%.3s|%6.1f|%+d" "abcdef" 2.25 3}}"#, "abc|   2.2|+3")
        check(#"{{printf "%v %v" 1000000.0 0.000012}}"#, "1e+06 1.2e-05")
        check(#"{{printf "%T %T %T" 1 "s" .}}"#, "int string []string", .list([.string("x")]))
    }

    /// How values print: fmt's %v of slices, maps and structs; nil; a map's missing key.
    func testPrintingValues() {
        let record = TemplateObject(record: "T", fields: [("A", .int(1)), ("B", .string("x"))])
        check("{{.}}", "[a b]", .list([.string("a"), .string("b")]))
        check("{{.}}", "map[a:1 b:2]", .object(TemplateObject(map: ["b": .int(2), "a": .int(1)])))
        check("{{.}}", "{1 x}", .object(record))
        check("{{.}}", "<nil>", .null)
        check("{{.Nope}}", "<no value>", .object(TemplateObject(map: [:])))
        check("{{index . \"nope\"}}", "", .object(TemplateObject(strings: [:])))
    }

    /// Parse errors are Go's, word for word.
    func testParseErrors() {
        let cases: [(String, String)] = [
            ("{{foo}}", #"template: :1: function "foo" not defined"#),
            ("{{if .X}}", "template: :1: unexpected EOF"),
            ("{{end}}", "template: :1: unexpected {{end}}"),
            ("{{.X", "template: :1: unclosed action"),
            ("{{$x}}", #"template: :1: undefined variable "$x""#),
            ("{{}}", "template: :1: missing value for command"),
            ("{{.X | 3}}", "template: :1: non executable command in pipeline stage 2"),
            ("a\n{{if}}", "template: :2: missing value for if"),
            ("{{break}}", "template: :1: {{break}} outside {{range}}"),
            ("{{else}}", "template: :1: unexpected {{else}}"),
            ("{{/* x", "template: :1: unclosed comment"),
            (#"{{"abc}}"#, "template: :1: unterminated quoted string"),
            ("{{(1}}", "template: :1: unclosed left paren"),
            ("{{.X}", "template: :1: bad character U+007D '}'"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try Template(text), text) { e in
                XCTAssertEqual((e as? TemplateError)?.message, message, text)
                XCTAssertEqual((e as? TemplateError)?.kind, .parse, text)
            }
        }
    }

    /// Execution errors name the position and the node, as exec.go's errorf does.
    func testExecutionErrors() {
        let map = TemplateValue.object(TemplateObject(map: ["State": .object(TemplateObject(map: ["Status": .string("up")])),
                                                            "L": .list([.int(1)])]))
        let record = TemplateValue.object(TemplateObject(record: "*formatter.ContainerContext", fields: [("Names", .string("web"))]))
        let cases: [(String, TemplateValue, MissingKey, String)] = [
            ("{{.Nope}}", map, .error, #"template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#),
            ("{{.State.Nope}}", map, .error, #"template: :1:8: executing "" at <.State.Nope>: map has no entry for key "Nope""#),
            ("{{.Nope}}", record, .default, #"template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext"#),
            ("{{index .L 5}}", map, .default, #"template: :1:2: executing "" at <index .L 5>: error calling index: index out of range: 5"#),
            ("x\n {{len 3}}", map, .default, #"template: :2:3: executing "" at <len 3>: error calling len: len of type int"#),
            ("{{eq .L 1}}", map, .default, #"template: :1:2: executing "" at <eq .L 1>: error calling eq: incompatible types for comparison"#),
            ("{{lower 1}}", map, .default, #"template: :1:8: executing "" at <1>: expected string; found 1"#),
            ("{{upper .L}}", map, .default, #"template: :1:8: executing "" at <.L>: wrong type for value; expected string; got []interface {}"#),
            ("{{printf}}", map, .default, #"template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0"#),
            ("{{range .State.Status}}{{end}}", map, .default,
             // exec.go's walkRange reports at the last node evaluated: the pipeline's field.
             #"template: :1:14: executing "" at <.State.Status>: range can't iterate over up"#),
        ]
        for (text, data, missing, message) in cases {
            XCTAssertThrowsError(try run(text, data, missingKey: missing), text) { e in
                XCTAssertEqual((e as? TemplateError)?.message, message, text)
            }
        }
    }
}
