// The functions Docker's CLI adds to every template (docker/cli templates/templates.go):
// json, join, split, lower, upper, title, pad, truncate — and the variants its table
// headers run with, which leave the header text as it is (so `table {{upper .Names}}`
// keeps the header "NAMES" and `{{json .Labels}}` keeps "LABELS").

extension TemplateFunctions {
    /// Go's builtins and Docker's functions: what `--format` and `-f` templates can call.
    public static let docker = TemplateFunctions.go.merging(DockerFunctions.basic)

    /// For the header row of a `table` format.
    public static let dockerHeader = TemplateFunctions.docker.merging(DockerFunctions.header)
}

enum DockerFunctions {
    static let basic: [String: TemplateFunction] = [
        "json": TemplateFunction([.any]) { .string(GoJSON.encode($0[0])) },
        "split": TemplateFunction([.string, .string]) { args in
            let (s, sep) = (args[0].text, args[1].text)
            return .list(split(s, sep).map { .string($0) })
        },
        "join": TemplateFunction([.stringList, .string]) { args in
            guard case .list(let items) = args[0] else { return .string("") }
            return .string(items.map(\.text).joined(separator: args[1].text))
        },
        "title": TemplateFunction([.string]) { .string(title($0[0].text)) },
        "lower": TemplateFunction([.string]) { .string($0[0].text.lowercased()) },
        "upper": TemplateFunction([.string]) { .string($0[0].text.uppercased()) },
        "pad": TemplateFunction([.string, .int, .int]) { args in
            let s = args[0].text
            guard !s.isEmpty, case .int(let before) = args[1], case .int(let after) = args[2] else { return .string(s) }
            guard before >= 0, after >= 0 else { throw TemplateFunctionError("strings: negative Repeat count") }
            return .string(String(repeating: " ", count: before) + s + String(repeating: " ", count: after))
        },
        "truncate": TemplateFunction([.string, .int]) { args in
            let bytes = Array(args[0].text.utf8)
            guard case .int(let n) = args[1], n < bytes.count else { return args[0] }
            guard n >= 0 else { throw TemplateFunctionError("slice bounds out of range [:\(n)]") }
            return .string(String(decoding: bytes.prefix(n), as: UTF8.self))
        },
    ]

    static let header: [String: TemplateFunction] = [
        "json": TemplateFunction([.string]) { $0[0] },
        "split": TemplateFunction([.string, .string]) { $0[0] },
        "join": TemplateFunction([.string, .string]) { $0[0] },
        "title": TemplateFunction([.string]) { $0[0] },
        "lower": TemplateFunction([.string]) { $0[0] },
        "upper": TemplateFunction([.string]) { $0[0] },
        "truncate": TemplateFunction([.string, .int]) { $0[0] },
    ]

    /// strings.Split: an empty separator splits after each UTF-8 sequence.
    static func split(_ s: String, _ sep: String) -> [String] {
        if sep.isEmpty { return s.unicodeScalars.map { String($0) } }
        var out: [String] = []
        var rest = s[...]
        while let r = rest.range(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }

    /// strings.Title: the first letter of each word upper case; a word starts after
    /// anything that is not a letter, digit, underscore or mark.
    static func title(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar = " "
        for r in s.unicodeScalars {
            let separator: Bool
            if previous.value < 0x80 {
                separator = !(previous.properties.isAlphabetic || ("0"..."9").contains(previous) || previous == "_")
            } else {
                separator = previous.properties.isWhitespace
            }
            if separator { out.append(contentsOf: String(r).uppercased().unicodeScalars) } else { out.append(r) }
            previous = r
        }
        return String(out)
    }
}

extension TemplateValue {
    /// The string of a value the executor already checked to be one.
    var text: String {
        if case .string(let s) = self { return s }
        return ""
    }
}
