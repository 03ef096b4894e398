// The parse tree (text/template/parse/node.go's shapes). Every node keeps its byte
// position and prints itself as Go's String() does: execution errors quote the node
// ("executing "" at <.State.Nope>: …"), so the spelling matters.

/// A pipeline: optional variable declarations, then commands joined by `|`.
struct Pipeline {
    var pos: Int
    var declarations: [String] = []
    var isAssignment = false
    var commands: [Command] = []

    var description: String {
        var s = ""
        if !declarations.isEmpty { s = declarations.joined(separator: ", ") + (isAssignment ? " = " : " := ") }
        return s + commands.map(\.description).joined(separator: " | ")
    }
}

/// One command: an operand, then its arguments when it is a function or method.
struct Command {
    var pos: Int
    var arguments: [Operand] = []

    var description: String {
        arguments.map { op in
            if case .pipe(let p) = op { return "(\(p.description))" }
            return op.description
        }.joined(separator: " ")
    }
}

indirect enum Operand {
    /// `.A.B`: fields (or methods) of dot.
    case field([String], pos: Int)
    /// `(pipeline).A.B`
    case chain(Operand, [String], pos: Int)
    /// `$x.A.B` (names[0] is the variable).
    case variable([String], pos: Int)
    /// A function name.
    case identifier(String, pos: Int)
    case dot(pos: Int)
    case null(pos: Int)
    case bool(Bool, pos: Int)
    case number(TemplateNumber, pos: Int)
    /// The unquoted text and the text as written.
    case string(String, quoted: String, pos: Int)
    case pipe(Pipeline)

    var pos: Int {
        switch self {
        case .field(_, let p), .chain(_, _, let p), .variable(_, let p), .identifier(_, let p), .dot(let p), .null(let p),
             .bool(_, let p), .number(_, let p), .string(_, _, let p):
            return p
        case .pipe(let p): return p.pos
        }
    }

    /// Literals cannot start a later stage of a pipeline, nor take arguments.
    var isLiteral: Bool {
        switch self {
        case .bool, .dot, .null, .number, .string: return true
        default: return false
        }
    }

    var description: String {
        switch self {
        case .field(let names, _): return names.map { "." + $0 }.joined()
        case .chain(let base, let names, _):
            let head: String
            if case .pipe(let p) = base { head = "(\(p.description))" } else { head = base.description }
            return head + names.map { "." + $0 }.joined()
        case .variable(let names, _): return names.joined(separator: ".")
        case .identifier(let name, _): return name
        case .dot: return "."
        case .null: return "nil"
        case .bool(let b, _): return b ? "true" : "false"
        case .number(let n, _): return n.text
        case .string(_, let quoted, _): return quoted
        case .pipe(let p): return p.description
        }
    }
}

/// A numeric literal with the interpretations Go's parser found for it.
struct TemplateNumber {
    let text: String
    let int: Int?
    let double: Double?
    /// Float syntax (".", exponent) makes an untyped constant a float64.
    var isFloatSyntax: Bool {
        let isHex = text.hasPrefix("0x") || text.hasPrefix("0X") || text.hasPrefix("-0x") || text.hasPrefix("+0x")
        return !text.hasPrefix("'") && !isHex && text.contains(where: { ".eEpP".contains($0) })
    }
    /// The value of the constant where no type asks for another: int, else float64.
    var value: TemplateValue {
        if isFloatSyntax, let d = double { return .double(d) }
        if let i = int { return .int(i) }
        return .double(double ?? 0)
    }
}

indirect enum TemplateNode {
    case text(String)
    case action(Pipeline)
    case ifNode(Pipeline, [TemplateNode], else: [TemplateNode]?)
    case rangeNode(Pipeline, [TemplateNode], else: [TemplateNode]?)
    case withNode(Pipeline, [TemplateNode], else: [TemplateNode]?)
    case breakNode(pos: Int)
    case continueNode(pos: Int)
    // Only while parsing: the words that close a list.
    case end(pos: Int)
    case elseMarker(pos: Int)

    var description: String {
        switch self {
        case .text(let t): return t
        case .action(let p): return "{{\(p.description)}}"
        case .ifNode(let p, let list, let e): return TemplateNode.control("if", p, list, e)
        case .rangeNode(let p, let list, let e): return TemplateNode.control("range", p, list, e)
        case .withNode(let p, let list, let e): return TemplateNode.control("with", p, list, e)
        case .breakNode: return "{{break}}"
        case .continueNode: return "{{continue}}"
        case .end: return "{{end}}"
        case .elseMarker: return "{{else}}"
        }
    }

    private static func control(_ word: String, _ p: Pipeline, _ list: [TemplateNode], _ e: [TemplateNode]?) -> String {
        let body = list.map(\.description).joined()
        guard let e else { return "{{\(word) \(p.description)}}\(body){{end}}" }
        return "{{\(word) \(p.description)}}\(body){{else}}\(e.map(\.description).joined()){{end}}"
    }
}
