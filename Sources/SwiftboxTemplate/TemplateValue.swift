// The data a template walks: a JSON-like tree that keeps the two distinctions Go's
// text/template makes through reflection and that show in its output and errors:
// a struct (a record: fixed fields in declaration order, a Go type name for messages)
// is not a map (sorted keys; a missing key is "<no value>", not an error), and a
// missing value (Go's invalid reflect.Value) is not nil.

/// A value as a Go template sees it.
public indirect enum TemplateValue: Equatable {
    /// Go's invalid value: what a map gives for an absent key. Prints "<no value>".
    case missing
    /// A nil pointer, interface, or JSON null. Prints "<nil>".
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case object(TemplateObject)

    /// Go's `if`/`with` truth: false, 0, nil, and empty strings, slices and maps are false;
    /// structs are always true.
    public var isTrue: Bool {
        switch self {
        case .missing, .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .object(let o): return o.isRecord || !o.keys.isEmpty
        }
    }

    /// The Go type name used in error messages ("can't evaluate field X in type T").
    public var goTypeName: String {
        switch self {
        case .missing: return "<invalid reflect.Value>"
        case .null: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float64"
        case .string: return "string"
        case .list(let l):
            return !l.isEmpty && l.allSatisfy({ if case .string = $0 { return true }; return false }) ? "[]string" : "[]interface {}"
        case .object(let o): return o.typeName
        }
    }

    /// Any record becomes a map, recursively: the shape Docker's `inspect` falls back to
    /// (the JSON decoded into map[string]interface{}) when the typed walk fails.
    public var asRawMaps: TemplateValue {
        switch self {
        case .list(let l): return .list(l.map(\.asRawMaps))
        case .object(let o):
            var entries: [String: TemplateValue] = [:]
            for k in o.keys where !o.omittedInJSON.contains(k) { entries[k] = o.values[k]!.asRawMaps }
            return .object(TemplateObject(map: entries))
        default: return self
        }
    }
}

/// A method a record (or map) answers to, like Docker's `.Label "key"`.
public struct TemplateMethod {
    public let parameters: [TemplateParameter]
    public let call: ([TemplateValue]) throws -> TemplateValue
    public init(_ parameters: [TemplateParameter], _ call: @escaping ([TemplateValue]) throws -> TemplateValue) {
        self.parameters = parameters
        self.call = call
    }
}

/// A Go struct (record) or map with string keys.
public struct TemplateObject: Equatable {
    /// The Go type name of a record ("*formatter.ContainerContext"), nil for a map.
    public let recordType: String?
    /// Records: declaration order. Maps: sorted, as Go's range and fmt print them.
    public private(set) var keys: [String]
    public private(set) var values: [String: TemplateValue]
    /// What `index` and missingkey=zero give for an absent key of a map: "" for a
    /// map[string]string, missing (printed "<no value>") for map[string]interface{}.
    public var elementZero: TemplateValue = .missing
    /// Record fields that are nil pointers with `omitempty`: nil to templates, absent from JSON.
    public var omittedInJSON: Set<String> = []
    /// Methods by name (Go looks methods up before fields).
    public var methods: [String: TemplateMethod] = [:]
    /// What `json` writes when it differs from the fields (Go's json tags, or Docker's
    /// MarshalJSON of its formatter contexts).
    public var json: TemplateValue?

    public var isRecord: Bool { recordType != nil }
    public var typeName: String {
        recordType ?? (elementZero == .string("") ? "map[string]string" : "map[string]interface {}")
    }

    /// A record with fields in this order.
    public init(record typeName: String, fields: [(String, TemplateValue)]) {
        recordType = typeName
        keys = fields.map(\.0)
        values = Dictionary(fields, uniquingKeysWith: { _, last in last })
    }

    /// A map; `elementZero` as for `index` of a missing key.
    public init(map entries: [String: TemplateValue], elementZero: TemplateValue = .missing) {
        recordType = nil
        keys = entries.keys.sorted()
        values = entries
        self.elementZero = elementZero
    }

    /// A map[string]string.
    public init(strings: [String: String]) {
        self.init(map: strings.mapValues { .string($0) }, elementZero: .string(""))
    }

    public subscript(key: String) -> TemplateValue? { values[key] }

    public static func == (a: TemplateObject, b: TemplateObject) -> Bool {
        a.recordType == b.recordType && a.keys == b.keys && a.values == b.values && a.json == b.json
    }
}

/// The declared type of a function or method parameter: Go converts (or refuses) each
/// argument by it, with its own messages.
public enum TemplateParameter: Equatable {
    /// interface{}: anything; a missing value arrives as nil.
    case any
    /// reflect.Value: anything, a missing value as it is (and/or return it unchanged).
    case value
    case string, int, stringList

    var goName: String {
        switch self {
        case .any: return "interface {}"
        case .value: return "reflect.Value"
        case .string: return "string"
        case .int: return "int"
        case .stringList: return "[]string"
        }
    }
}
