// Tokens → parse tree, by text/template/parse/parse.go's grammar and with its error
// messages ("template: NAME:LINE: function "foo" not defined", "unexpected EOF", …).
// Not supported: {{define}}, {{template}} and {{block}} (named sub-templates), and
// complex numbers; they are refused with a clear error instead.

struct TemplateParser {
    private let name: String
    private let source: [UInt8]
    private let tokens: [TemplateToken]
    private let functions: TemplateFunctions
    private var index = 0
    private var furthest = 0
    private var variables = ["$"]
    private var rangeDepth = 0

    static func parse(_ text: String, name: String, functions: TemplateFunctions) throws -> [TemplateNode] {
        var p = TemplateParser(name: name, source: Array(text.utf8), tokens: TemplateLexer.tokens(text), functions: functions)
        return try p.parseTop()
    }

    private init(name: String, source: [UInt8], tokens: [TemplateToken], functions: TemplateFunctions) {
        self.name = name
        self.source = source
        self.tokens = tokens
        self.functions = functions
    }

    // MARK: token stream

    private mutating func next() -> TemplateToken {
        let t = tokens[min(index, tokens.count - 1)]
        if index < tokens.count { index += 1 }
        furthest = max(furthest, index)
        return t
    }

    private mutating func backup() { index -= 1 }

    private mutating func peek() -> TemplateToken {
        let t = next()
        backup()
        return t
    }

    private mutating func nextNonSpace() -> TemplateToken {
        var t = next()
        while t.kind == .space { t = next() }
        return t
    }

    private mutating func peekNonSpace() -> TemplateToken {
        let t = nextNonSpace()
        backup()
        return t
    }

    // MARK: errors

    /// Go's message: "template: NAME:LINE: …", LINE of the latest token read.
    private func error(_ message: String) -> TemplateError {
        let t = tokens[max(0, min(furthest, tokens.count) - 1)]
        let line = 1 + source[..<min(t.pos, source.count)].filter { $0 == 0x0A }.count
        return TemplateError("template: \(name):\(line): \(message)", kind: .parse)
    }

    private func unexpected(_ t: TemplateToken, _ context: String) -> TemplateError {
        t.kind == .error ? error(t.text) : error("unexpected \(t.description) in \(context)")
    }

    private mutating func expect(_ kind: TemplateToken.Kind, _ context: String) throws -> TemplateToken {
        let t = nextNonSpace()
        guard t.kind == kind else { throw unexpected(t, context) }
        return t
    }

    // MARK: lists and actions

    private mutating func parseTop() throws -> [TemplateNode] {
        var root: [TemplateNode] = []
        while peek().kind != .eof {
            let n = try textOrAction()
            switch n {
            case .end, .elseMarker: throw error("unexpected \(n.description)")
            default: root.append(n)
            }
        }
        return root
    }

    /// Nodes up to {{end}} or {{else}}, which is returned separately.
    private mutating func itemList() throws -> ([TemplateNode], TemplateNode) {
        var list: [TemplateNode] = []
        while peekNonSpace().kind != .eof {
            let n = try textOrAction()
            switch n {
            case .end, .elseMarker: return (list, n)
            default: list.append(n)
            }
        }
        throw error("unexpected EOF")
    }

    private mutating func textOrAction() throws -> TemplateNode {
        let t = nextNonSpace()
        switch t.kind {
        case .text: return .text(t.text)
        case .leftDelim: return try action()
        default: throw unexpected(t, "input")
        }
    }

    private mutating func action() throws -> TemplateNode {
        let t = nextNonSpace()
        switch t.kind {
        case .kwElse: return try elseControl()
        case .kwEnd: return .end(pos: try expect(.rightDelim, "end").pos)
        case .kwIf: return try control("if")
        case .kwRange: return try control("range")
        case .kwWith: return try control("with")
        case .kwBreak, .kwContinue:
            let word = t.kind == .kwBreak ? "break" : "continue"
            let close = nextNonSpace()
            guard close.kind == .rightDelim else { throw unexpected(close, "{{\(word)}}") }
            guard rangeDepth > 0 else { throw error("{{\(word)}} outside {{range}}") }
            return t.kind == .kwBreak ? .breakNode(pos: t.pos) : .continueNode(pos: t.pos)
        case .kwDefine, .kwTemplate, .kwBlock:
            throw error("{{\(t.text)}} is not supported (named templates)")
        default:
            backup()
            return .action(try pipeline("command", end: .rightDelim))
        }
    }

    private mutating func elseControl() throws -> TemplateNode {
        let p = peekNonSpace()
        if p.kind == .kwIf || p.kind == .kwWith { return .elseMarker(pos: p.pos) }   // "else if", "else with"
        return .elseMarker(pos: try expect(.rightDelim, "else").pos)
    }

    /// if / range / with: the pipeline, the list, and an {{else}} list.
    private mutating func control(_ context: String) throws -> TemplateNode {
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, first) = try itemList()
        var closer = first
        if context == "range" { rangeDepth -= 1 }
        var elseList: [TemplateNode]?
        if case .elseMarker = first {
            // {{else if …}} is {{else}}{{if …}}…{{end}}{{end}} with one {{end}}; so is {{else with …}}.
            if (context == "if" && peek().kind == .kwIf) || (context == "with" && peek().kind == .kwWith) {
                _ = next()
                elseList = [try control(context)]
            } else {
                (elseList, closer) = try itemList()
                guard case .end = closer else { throw error("expected end; found \(closer.description)") }
            }
        }
        switch context {
        case "if": return .ifNode(pipe, list, else: elseList)
        case "range": return .rangeNode(pipe, list, else: elseList)
        default: return .withNode(pipe, list, else: elseList)
        }
    }

    // MARK: pipelines

    private mutating func pipeline(_ context: String, end: TemplateToken.Kind) throws -> Pipeline {
        var pipe = Pipeline(pos: peekNonSpace().pos)
        declarations: while peekNonSpace().kind == .variable {
            let start = index
            let v = nextNonSpace()
            let afterVariable = peek()
            let following = peekNonSpace()
            if following.kind == .assign || following.kind == .declare {
                pipe.isAssignment = following.kind == .assign
                _ = nextNonSpace()
                pipe.declarations.append(v.text)
                variables.append(v.text)
            } else if following.kind == .char && following.text == "," {
                _ = nextNonSpace()
                pipe.declarations.append(v.text)
                variables.append(v.text)
                if context == "range" && pipe.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw error("range can only initialize variables")
                    }
                }
                throw error("too many declarations in \(context)")
            } else {
                _ = afterVariable
                index = start
            }
            break
        }
        while true {
            let t = nextNonSpace()
            switch t.kind {
            case end:
                try checkPipeline(pipe, context)
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .kwNil, .rawString, .string, .variable, .leftParen:
                backup()
                pipe.commands.append(try command())
            default:
                throw unexpected(t, context)
            }
        }
    }

    private func checkPipeline(_ pipe: Pipeline, _ context: String) throws {
        if pipe.commands.isEmpty { throw error("missing value for \(context)") }
        for (i, c) in pipe.commands.enumerated().dropFirst() where c.arguments[0].isLiteral {
            throw error("non executable command in pipeline stage \(i + 1)")
        }
    }

    private mutating func command() throws -> Command {
        var cmd = Command(pos: peekNonSpace().pos)
        while true {
            _ = peekNonSpace()
            if let op = try operand() { cmd.arguments.append(op) }
            let t = next()
            switch t.kind {
            case .space: continue
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(t, "operand")
            }
            break
        }
        if cmd.arguments.isEmpty { throw error("empty command") }
        return cmd
    }

    /// A term, then `.Field`s.
    private mutating func operand() throws -> Operand? {
        guard let term = try term() else { return nil }
        guard peek().kind == .field else { return term }
        let pos = peek().pos
        var names: [String] = []
        while peek().kind == .field { names.append(String(next().text.dropFirst())) }
        switch term {
        case .field(let head, _): return .field(head + names, pos: pos)
        case .variable(let head, _): return .variable(head + names, pos: pos)
        case .bool, .string, .number, .null, .dot: throw error("unexpected . after term \(GoText.quote(term.description))")
        default: return .chain(term, names, pos: pos)
        }
    }

    private mutating func term() throws -> Operand? {
        let t = nextNonSpace()
        switch t.kind {
        case .identifier:
            guard functions[t.text] != nil else { throw error("function \(GoText.quote(t.text)) not defined") }
            return .identifier(t.text, pos: t.pos)
        case .dot: return .dot(pos: t.pos)
        case .kwNil: return .null(pos: t.pos)
        case .variable:
            guard variables.contains(t.text) else { throw error("undefined variable \(GoText.quote(t.text))") }
            return .variable([t.text], pos: t.pos)
        case .field: return .field([String(t.text.dropFirst())], pos: t.pos)
        case .bool: return .bool(t.text == "true", pos: t.pos)
        case .number, .charConstant: return .number(try number(t), pos: t.pos)
        case .complex: throw error("complex constant \(t.text) is not supported")
        case .leftParen: return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            guard let s = GoText.unquote(t.text) else { throw error("invalid syntax") }
            return .string(s, quoted: t.text, pos: t.pos)
        default:
            backup()
            return nil
        }
    }

    private func number(_ t: TemplateToken) throws -> TemplateNumber {
        if t.kind == .charConstant {
            guard let s = GoText.unquote(t.text), s.unicodeScalars.count == 1 else { throw error("malformed character constant: \(t.text)") }
            let v = Int(s.unicodeScalars.first!.value)
            return TemplateNumber(text: t.text, int: v, double: Double(v))
        }
        let parsed = GoText.parseNumber(t.text)
        guard parsed.int != nil || parsed.double != nil else { throw error("illegal number syntax: \(GoText.quote(t.text))") }
        if parsed.int == nil && !t.text.contains(where: { ".eEpP".contains($0) }) { throw error("integer overflow: \(t.text)") }
        return TemplateNumber(text: t.text, int: parsed.int, double: parsed.double)
    }
}
