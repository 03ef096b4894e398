// Reads config.json and turns decoding failures into messages that name the file and
// the key, e.g. `config.json: process.user.uid: expected a number`.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public enum SpecError: Error, Equatable, CustomStringConvertible {
    case bundleNotFound(String)
    case configMissing(String)
    case malformed(file: String, key: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .bundleNotFound(let p): return "bundle \(p): no such directory"
        case .configMissing(let p): return "\(p): no such file (a bundle needs config.json)"
        case .malformed(let f, let k, let r): return k.isEmpty ? "\(f): \(r)" : "\(f): \(k): \(r)"
        case .invalid(let m): return m
        }
    }
}

public enum SpecLoader {
    /// Decode config.json data; `file` is used in error messages only.
    public static func decode(_ data: Data, file: String = "config.json") throws -> RuntimeSpec {
        do {
            return try JSONDecoder().decode(RuntimeSpec.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw SpecError.malformed(file: file, key: "", reason: "not valid JSON (\(error))")
        }
    }

    /// Decode a process.json (the `process` object of config.json on its own), as
    /// `exec --process` takes it.
    public static func decodeProcess(_ data: Data, file: String) throws -> RuntimeSpec.Process {
        do {
            return try JSONDecoder().decode(RuntimeSpec.Process.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        }
    }

    /// A seccomp profile on its own (the `linux.seccomp` object), as --security-opt takes it.
    public static func decodeSeccomp(_ bytes: [UInt8], file: String) throws -> RuntimeSpec.Seccomp {
        do {
            return try JSONDecoder().decode(RuntimeSpec.Seccomp.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw SpecError.malformed(file: file, key: "", reason: "not valid JSON")
        }
    }

    public static func encode(_ spec: RuntimeSpec) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(spec)
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : "." + key.stringValue }
        }
        return out
    }

    public static func describe(_ error: DecodingError, file: String) -> SpecError {
        switch error {
        case .typeMismatch(let type, let ctx):
            return .malformed(file: file, key: path(ctx.codingPath), reason: "expected \(typeName(type))")
        case .valueNotFound(let type, let ctx):
            return .malformed(file: file, key: path(ctx.codingPath), reason: "expected \(typeName(type)), found null")
        case .keyNotFound(let key, let ctx):
            let parent = path(ctx.codingPath)
            return .malformed(file: file, key: parent.isEmpty ? key.stringValue : parent + "." + key.stringValue,
                              reason: "required key is missing")
        case .dataCorrupted(let ctx):
            let reason = ctx.codingPath.isEmpty ? "not valid JSON (\(ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription))"
                : ctx.debugDescription
            return .malformed(file: file, key: path(ctx.codingPath), reason: reason)
        @unknown default:
            return .malformed(file: file, key: "", reason: "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is UInt32.Type, is UInt64.Type, is UInt.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}
