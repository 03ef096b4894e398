// RUN --mount=… values: comma-separated fields (CSV: a field may be double-quoted),
// each `key=value` or one of the bare words ro, readonly, rw, readwrite, required.
// Keys are case-insensitive and read in order, so `required` must come after
// `type=secret`. Values are kept raw: BuildKit expands them when the step runs. A
// value holding a `$` is not checked here (the builder checks it after expansion),
// except that `from` may not use variables at all.

enum RunMountParser {
    static func parse(_ value: String) throws -> RunMount {
        var mount = RunMount(kind: .bind, target: "")
        var readWriteGiven: Bool?
        for field in try csvFields(value) {
            let key: String
            let fieldValue: String?
            if let equals = field.firstIndex(of: "=") {
                key = field[..<equals].lowercased()
                fieldValue = String(field[field.index(after: equals)...])
            } else {
                key = field.lowercased()
                fieldValue = nil
            }
            guard let fieldValue else {
                switch key {
                case "readonly", "ro": readWriteGiven = false
                case "readwrite", "rw": readWriteGiven = true
                case "required":
                    guard mount.kind == .secret || mount.kind == .ssh else {
                        throw ParseFailure("unexpected key '\(key)' for mount type '\(mount.kind.rawValue)'")
                    }
                    mount.required = true
                default:
                    throw ParseFailure("invalid field '\(field)' must be a key=value pair")
                }
                continue
            }
            let deferred = fieldValue.contains("$")
            switch key {
            case "type":
                guard let kind = RunMount.Kind(rawValue: fieldValue.lowercased()) else {
                    throw ParseFailure("unsupported mount type \(goQuoted(fieldValue))")
                }
                mount.kind = kind
            case "from":
                if let dollar = fieldValue.firstIndex(of: "$"), fieldValue.index(after: dollar) != fieldValue.endIndex {
                    throw ParseFailure("'from' doesn't support variable expansion, define alias stage instead")
                }
                mount.from = fieldValue
            case "source", "src": mount.source = fieldValue
            case "target", "dst", "destination": mount.target = fieldValue
            case "readonly", "ro": readWriteGiven = try !boolean(fieldValue, key: key)
            case "readwrite", "rw": readWriteGiven = try boolean(fieldValue, key: key)
            case "required":
                guard mount.kind == .secret || mount.kind == .ssh else {
                    throw ParseFailure("unexpected key '\(key)' for mount type '\(mount.kind.rawValue)'")
                }
                mount.required = try boolean(fieldValue, key: key)
            case "size":
                guard mount.kind == .tmpfs else {
                    throw ParseFailure("unexpected key '\(key)' for mount type '\(mount.kind.rawValue)'")
                }
                if !deferred && !isByteSize(fieldValue) { throw ParseFailure("invalid value for \(key): \(fieldValue)") }
                mount.size = fieldValue
            case "id": mount.id = fieldValue
            case "sharing":
                guard deferred || ["shared", "private", "locked"].contains(fieldValue.lowercased()) else {
                    throw ParseFailure("unsupported sharing value \(goQuoted(fieldValue))")
                }
                mount.sharing = deferred ? fieldValue : fieldValue.lowercased()
            case "mode":
                if !deferred && UInt32(fieldValue, radix: 8) == nil { throw ParseFailure("invalid value \(fieldValue) for mode") }
                mount.mode = fieldValue
            case "uid":
                if !deferred && UInt32(fieldValue) == nil { throw ParseFailure("invalid value \(fieldValue) for uid") }
                mount.uid = fieldValue
            case "gid":
                if !deferred && UInt32(fieldValue) == nil { throw ParseFailure("invalid value \(fieldValue) for gid") }
                mount.gid = fieldValue
            case "env": mount.env = fieldValue
            default:
                throw ParseFailure("unexpected key '\(key)' in '\(field)'")
            }
        }
        try validate(mount)
        // Cache and tmpfs mounts are writable unless told otherwise; the others read-only.
        mount.readWrite = readWriteGiven ?? (mount.kind == .cache || mount.kind == .tmpfs)
        if mount.kind == .secret && mount.target.isEmpty && mount.env == nil {
            let id = mount.source ?? mount.id ?? ""
            mount.target = "/run/secrets/" + (id.split(separator: "/").last.map(String.init) ?? id)
        }
        return mount
    }

    private static func validate(_ mount: RunMount) throws {
        let kind = mount.kind.rawValue
        if mount.kind == .bind || mount.kind == .tmpfs {
            if mount.mode != nil { throw ParseFailure("mode not allowed for \"\(kind)\" type mounts") }
            if mount.uid != nil { throw ParseFailure("uid not allowed for \"\(kind)\" type mounts") }
            if mount.gid != nil { throw ParseFailure("gid not allowed for \"\(kind)\" type mounts") }
        }
        if mount.kind == .secret {
            if mount.from != nil { throw ParseFailure("secret mount should not have a from") }
            if mount.sharing != nil { throw ParseFailure("secret mount should not define sharing") }
            if (mount.source ?? "").isEmpty && mount.target.isEmpty && (mount.id ?? "").isEmpty {
                throw ParseFailure("invalid secret mount. one of source, target required")
            }
            if !(mount.source ?? "").isEmpty && !(mount.id ?? "").isEmpty {
                throw ParseFailure("both source and id can't be set")
            }
        }
        if mount.sharing != nil && mount.kind != .cache {
            throw ParseFailure("invalid cache sharing set for \(kind) mount")
        }
    }

    /// Go's strconv.ParseBool.
    private static func boolean(_ text: String, key: String) throws -> Bool {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw ParseFailure("invalid value for \(key): \(text)")
        }
    }

    /// docker/go-units RAMInBytes: a number, optionally a fraction, then b, k, kb, kib, m, … (any case).
    private static func isByteSize(_ text: String) -> Bool {
        let lowered = text.lowercased().trimmingBlanks
        let number = lowered.prefix { $0.isNumber || $0 == "." }
        guard !number.isEmpty, Double(number) != nil else { return false }
        let unit = String(lowered.dropFirst(number.count)).trimmingBlanks
        return ["", "b", "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib", "t", "tb", "tib", "p", "pb", "pib"]
            .contains(unit)
    }

    /// Comma-separated fields; a field starting with `"` runs to the closing quote
    /// (`""` inside it is one quote).
    static func csvFields(_ text: String) throws -> [String] {
        var fields: [String] = []
        var scalars = Substring(text).unicodeScalars[...]
        while true {
            var field = String.UnicodeScalarView()
            if scalars.first == "\"" {
                scalars = scalars.dropFirst()
                while true {
                    guard let scalar = scalars.first else {
                        throw ParseFailure("failed to parse csv mounts: extraneous or missing \" in quoted-field")
                    }
                    scalars = scalars.dropFirst()
                    if scalar == "\"" {
                        if scalars.first == "\"" {
                            field.append("\"")
                            scalars = scalars.dropFirst()
                            continue
                        }
                        break
                    }
                    field.append(scalar)
                }
                guard scalars.isEmpty || scalars.first == "," else {
                    throw ParseFailure("failed to parse csv mounts: extraneous or missing \" in quoted-field")
                }
            } else {
                while let scalar = scalars.first, scalar != "," {
                    field.append(scalar)
                    scalars = scalars.dropFirst()
                }
            }
            fields.append(String(field))
            guard scalars.first == "," else { return fields }
            scalars = scalars.dropFirst()
        }
    }
}
