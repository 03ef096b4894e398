// The `--name=value` flags an instruction accepts, read as BuildKit reads them: a
// string flag needs a value, a list flag may repeat, a boolean is `--name`,
// `--name=true` or `--name=false` (any case); anything unknown or repeated is an error.

struct InstructionFlags {
    enum Kind { case boolean, string, list }

    private var kinds: [String: Kind] = [:]
    private var strings: [String: String] = [:]
    private var lists: [String: [String]] = [:]
    private var booleans: [String: Bool] = [:]
    private var given: Set<String> = []

    init(_ declared: [String: Kind]) { kinds = declared }

    /// For instructions that take no flags: any flag is an error.
    static func acceptNone(_ flags: [String]) throws {
        var none = InstructionFlags([:])
        try none.read(flags)
    }

    /// Reads `flags`, or throws BuildKit's message for the first bad one.
    mutating func read(_ flags: [String]) throws {
        for flag in flags {
            if flag == "--" { return }
            guard flag.hasPrefix("--") else { throw ParseFailure("arg should start with -- : \(flag)") }
            let nameAndDashes: String
            let value: String?
            if let equals = flag.firstIndex(of: "=") {
                nameAndDashes = String(flag[..<equals])
                value = String(flag[flag.index(after: equals)...])
            } else {
                nameAndDashes = flag
                value = nil
            }
            let name = String(nameAndDashes.dropFirst(2))
            guard let kind = kinds[name] else { throw ParseFailure("unknown flag: \(nameAndDashes)") }
            if given.contains(name) && kind != .list {
                throw ParseFailure("duplicate flag specified: \(nameAndDashes)")
            }
            given.insert(name)
            switch kind {
            case .boolean:
                if value == "" { throw ParseFailure("missing a value on flag: \(nameAndDashes)") }
                switch value?.lowercased() {
                case nil, "true": booleans[name] = true
                case "false": booleans[name] = false
                default:
                    throw ParseFailure("expecting boolean value for flag \(nameAndDashes), not: \(value ?? "")")
                }
            case .string:
                guard let value else { throw ParseFailure("missing a value on flag: \(nameAndDashes)") }
                strings[name] = value
            case .list:
                guard let value else { throw ParseFailure("missing a value on flag: \(nameAndDashes)") }
                lists[name, default: []].append(value)
            }
        }
    }

    /// The value of a string flag; nil when not given.
    func string(_ name: String) -> String? { strings[name] }
    func list(_ name: String) -> [String] { lists[name] ?? [] }
    func boolean(_ name: String) -> Bool { booleans[name] ?? false }
    /// A boolean flag's value only when it was given.
    func givenBoolean(_ name: String) -> Bool? { booleans[name] }
}
