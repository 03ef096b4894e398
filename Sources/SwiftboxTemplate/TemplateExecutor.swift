// Executing a parse tree (text/template/exec.go's walk and eval): actions print their
// pipeline's value, if/with/range follow Go's truth and iteration rules, variables live
// until the {{end}} of the block that declared them, and fields are looked up as Go
// does through reflection — methods first, then struct fields or map keys. Errors carry
// Go's location and node: `template: :1:2: executing "" at <.Nope>: …`.

struct TemplateExecutor {
    let template: Template
    let missingKey: MissingKey
    private(set) var output = ""
    private var variables: [(name: String, value: TemplateValue)]
    /// The node being evaluated, for error messages.
    private var site: (pos: Int, text: String)?

    private enum Flow: Error { case breakLoop, continueLoop }

    init(template: Template, missingKey: MissingKey, data: TemplateValue) {
        self.template = template
        self.missingKey = missingKey
        variables = [("$", data)]
    }

    // MARK: errors

    private mutating func at(_ pos: Int, _ text: String) { site = (pos, text) }
    private mutating func at(_ op: Operand) { site = (op.pos, op.description) }

    func error(_ message: String) -> TemplateError {
        let name = template.name
        guard let site else { return TemplateError("template: \(name): \(message)", kind: .execution) }
        let before = Array(template.source.utf8.prefix(site.pos))
        let line = 1 + before.filter { $0 == 0x0A }.count
        let column = before.lastIndex(of: 0x0A).map { site.pos - $0 - 1 } ?? site.pos
        return TemplateError("template: \(name):\(line):\(column): executing \(GoText.quote(name)) at <\(site.text)>: \(message)",
                             kind: .execution)
    }

    // MARK: walking

    mutating func walk(_ dot: TemplateValue, _ nodes: [TemplateNode]) throws {
        for n in nodes { try walk(dot, n) }
    }

    private mutating func walk(_ dot: TemplateValue, _ node: TemplateNode) throws {
        switch node {
        case .text(let t):
            output += t
        case .action(let pipe):
            at(pipe.pos, node.description)
            let value = try evalPipeline(dot, pipe)
            if pipe.declarations.isEmpty { output += value == .missing ? "<no value>" : GoFormat.print(value) }
        case .ifNode(let pipe, let list, let elseList), .withNode(let pipe, let list, let elseList):
            let mark = variables.count
            defer { variables.removeSubrange(mark...) }
            let value = try evalPipeline(dot, pipe)
            if value.isTrue {
                if case .withNode = node { try walk(value, list) } else { try walk(dot, list) }
            } else if let elseList {
                try walk(dot, elseList)
            }
        case .rangeNode(let pipe, let list, let elseList):
            try walkRange(dot, node, pipe, list, elseList)
        case .breakNode: throw Flow.breakLoop
        case .continueNode: throw Flow.continueLoop
        case .end, .elseMarker: break
        }
    }

    private mutating func walkRange(_ dot: TemplateValue, _ node: TemplateNode, _ pipe: Pipeline, _ list: [TemplateNode],
                                    _ elseList: [TemplateNode]?) throws {
        at(pipe.pos, node.description)
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        let value = try evalPipeline(dot, pipe)
        let inner = variables.count
        let declared = pipe.declarations.count
        /// One pass of the body; false when it ran {{break}}.
        func iteration(_ me: inout TemplateExecutor, _ index: TemplateValue, _ element: TemplateValue) throws -> Bool {
            if declared > 0 { me.variables[me.variables.count - 1].value = element }
            if declared > 1 { me.variables[me.variables.count - 2].value = index }
            defer { me.variables.removeSubrange(inner...) }
            do {
                try me.walk(element, list)
            } catch Flow.continueLoop {
            } catch Flow.breakLoop {
                return false
            }
            return true
        }
        switch value {
        case .list(let items):
            for (i, item) in items.enumerated() {
                if try !iteration(&self, .int(i), item) { break }
            }
            if !items.isEmpty { return }
        case .object(let o) where !o.isRecord:
            for key in o.keys {
                if try !iteration(&self, .string(key), o.values[key]!) { break }
            }
            if !o.keys.isEmpty { return }
        case .int(let n):
            if declared > 1 { throw error("can't use \(n) to iterate over more than one variable") }
            for i in 0..<max(n, 0) {
                if try !iteration(&self, .int(i), .int(i)) { break }
            }
            if n > 0 { return }
        case .missing, .null:
            break   // a nil map or slice: like an empty one
        default:
            throw error("range can't iterate over \(GoFormat.print(value))")
        }
        if let elseList { try walk(dot, elseList) }
    }

    // MARK: pipelines and commands

    private mutating func evalPipeline(_ dot: TemplateValue, _ pipe: Pipeline) throws -> TemplateValue {
        at(pipe.pos, pipe.description)
        var value: TemplateValue?
        for cmd in pipe.commands { value = try evalCommand(dot, cmd, final: value) }
        let result = value ?? .missing
        for name in pipe.declarations {
            if pipe.isAssignment {
                guard let i = variables.lastIndex(where: { $0.name == name }) else { throw error("undefined variable: \(name)") }
                variables[i].value = result
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private mutating func notAFunction(_ args: [Operand], _ final: TemplateValue?) throws {
        if args.count > 1 || final != nil { throw error("can't give argument to non-function \(args[0].description)") }
    }

    private mutating func evalCommand(_ dot: TemplateValue, _ cmd: Command, final: TemplateValue?) throws -> TemplateValue {
        let first = cmd.arguments[0]
        let rest = Array(cmd.arguments.dropFirst())
        switch first {
        case .field(let names, _):
            at(first)
            return try evalFieldChain(dot, dot, first, names, rest, final)
        case .chain(let base, let names, _):
            at(first)
            if case .null = base { throw error("indirection through explicit nil in \(first.description)") }
            let receiver = try evalArg(dot, .value, base)
            return try evalFieldChain(dot, receiver, first, names, rest, final)
        case .identifier(let name, _):
            return try evalFunction(dot, name, site: (cmd.pos, cmd.description), rest, final)
        case .pipe(let p):
            try notAFunction(cmd.arguments, final)
            return try evalPipeline(dot, p)
        case .variable(let names, _):
            at(first)
            let value = try variable(names[0])
            if names.count == 1 {
                try notAFunction(cmd.arguments, final)
                return value
            }
            return try evalFieldChain(dot, value, first, Array(names.dropFirst()), rest, final)
        default:
            at(first)
            try notAFunction(cmd.arguments, final)
            return try literal(first, dot)
        }
    }

    private mutating func literal(_ op: Operand, _ dot: TemplateValue) throws -> TemplateValue {
        switch op {
        case .bool(let b, _): return .bool(b)
        case .dot: return dot
        case .number(let n, _): return n.value
        case .string(let s, _, _): return .string(s)
        case .null: throw error("nil is not a command")
        default: throw error("can't evaluate command \(GoText.quote(op.description))")
        }
    }

    private func variable(_ name: String) throws -> TemplateValue {
        guard let v = variables.last(where: { $0.name == name }) else { throw error("undefined variable: \(name)") }
        return v.value
    }

    // MARK: fields and methods

    private mutating func evalFieldChain(_ dot: TemplateValue, _ receiver: TemplateValue, _ node: Operand, _ names: [String],
                                         _ args: [Operand], _ final: TemplateValue?) throws -> TemplateValue {
        var r = receiver
        for name in names.dropLast() { r = try evalField(dot, name, node, [], nil, r) }
        return try evalField(dot, names[names.count - 1], node, args, final, r)
    }

    private mutating func evalField(_ dot: TemplateValue, _ name: String, _ node: Operand, _ args: [Operand],
                                    _ final: TemplateValue?, _ receiver: TemplateValue) throws -> TemplateValue {
        switch receiver {
        case .missing:
            if missingKey == .error { throw error("nil data; no entry for key \(GoText.quote(name))") }
            return .missing
        case .null:
            throw error("nil pointer evaluating interface {}.\(name)")
        case .object(let o):
            if let m = o.methods[name] {
                let fn = TemplateFunction(m.parameters) { try m.call($0) }
                return try evalCall(dot, fn, name, site: (node.pos, node.description), args, final)
            }
            let hasArgs = !args.isEmpty || final != nil
            if o.isRecord {
                if let v = o.values[name] {
                    if hasArgs { throw error("\(name) has arguments but cannot be invoked as function") }
                    return v
                }
            } else {
                if hasArgs { throw error("\(name) is not a method but has arguments") }
                if let v = o.values[name] { return v }
                switch missingKey {
                case .default: return .missing
                case .zero: return o.elementZero
                case .error: throw error("map has no entry for key \(GoText.quote(name))")
                }
            }
        default:
            break
        }
        throw error("can't evaluate field \(name) in type \(receiver.goTypeName)")
    }

    // MARK: functions

    private mutating func evalFunction(_ dot: TemplateValue, _ name: String, site: (pos: Int, text: String), _ args: [Operand],
                                       _ final: TemplateValue?) throws -> TemplateValue {
        guard let fn = template.functions[name] else { throw error("\(GoText.quote(name)) is not a defined function") }
        at(site.pos, name)
        return try evalCall(dot, fn, name, site: site, args, final)
    }

    private mutating func evalCall(_ dot: TemplateValue, _ fn: TemplateFunction, _ name: String, site: (pos: Int, text: String),
                                   _ args: [Operand], _ final: TemplateValue?) throws -> TemplateValue {
        let count = args.count + (final == nil ? 0 : 1)
        if fn.isVariadic {
            let fixed = fn.parameters.count - 1
            if count < fixed { throw error("wrong number of args for \(name): want at least \(fixed) got \(args.count)") }
        } else if count != fn.parameters.count {
            throw error("wrong number of args for \(name): want \(fn.parameters.count) got \(count)")
        }
        if fn.shortCircuit {
            // and / or evaluate their arguments only until the answer is known.
            var value = TemplateValue.missing
            for arg in args {
                value = try evalArg(dot, .value, arg)
                if value.isTrue == (name == "or") { return value }
            }
            return final ?? value
        }
        var values: [TemplateValue] = []
        for (i, arg) in args.enumerated() { values.append(try evalArg(dot, fn.parameter(i), arg)) }
        if let final { values.append(try validate(final, fn.parameter(count - 1))) }
        do {
            return try fn.call(values)
        } catch let e as TemplateFunctionError {
            at(site.pos, site.text)
            throw error("error calling \(name): \(e.message)")
        }
    }

    private mutating func evalArg(_ dot: TemplateValue, _ type: TemplateParameter, _ op: Operand) throws -> TemplateValue {
        at(op)
        switch op {
        case .dot: return try validate(dot, type)
        case .null:
            if type == .any || type == .value { return .null }
            if type == .stringList { return .list([]) }
            throw error("cannot assign nil to \(type.goName)")
        case .field(let names, _): return try validate(evalFieldChain(dot, dot, op, names, [], nil), type)
        case .variable(let names, _):
            let v = try variable(names[0])
            return try validate(names.count == 1 ? v : evalFieldChain(dot, v, op, Array(names.dropFirst()), [], nil), type)
        case .pipe(let p): return try validate(evalPipeline(dot, p), type)
        case .identifier(let name, let pos): return try validate(evalFunction(dot, name, site: (pos, name), [], nil), type)
        case .chain(let base, let names, _):
            if case .null = base { throw error("indirection through explicit nil in \(op.description)") }
            return try validate(evalFieldChain(dot, try evalArg(dot, .value, base), op, names, [], nil), type)
        case .bool(let b, _):
            if type == .any || type == .value { return .bool(b) }
        case .string(let s, _, _):
            if type == .any || type == .value || type == .string { return .string(s) }
            if type == .int { throw error("expected integer; found \(op.description)") }
        case .number(let n, _):
            if type == .any || type == .value { return n.value }
            if type == .int {
                if let i = n.int { return .int(i) }
                if let d = n.double, d.rounded() == d, abs(d) < 9e18 { return .int(Int(d)) }
                throw error("expected integer; found \(op.description)")
            }
        }
        if type == .string { throw error("expected string; found \(op.description)") }
        throw error("can't handle \(op.description) for arg of type \(type.goName)")
    }

    /// Go's validateType: a computed value must fit the parameter.
    private func validate(_ value: TemplateValue, _ type: TemplateParameter) throws -> TemplateValue {
        switch (type, value) {
        case (.any, .missing): return .null
        case (.any, _), (.value, _), (.string, .string), (.int, .int): return value
        case (.stringList, .null), (.stringList, .missing): return .list([])
        case (.stringList, .list(let items)) where items.allSatisfy({ if case .string = $0 { return true }; return false }): return value
        case (_, .missing), (_, .null): throw error("invalid value; expected \(type.goName)")
        default: throw error("wrong type for value; expected \(type.goName); got \(value.goTypeName)")
        }
    }
}
