// Registry credentials for `swiftbox login`/`logout`: <root>/auth.json, mode 0600,
// replaced atomically. Stored as Docker's config.json stores them: base64(user:password).
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxKernel

public struct Credentials: Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var auth: String   // base64("user:password")
        public var basic: String { auth }
        public init(user: String, password: String) { auth = Data("\(user):\(password)".utf8).base64EncodedString() }
        public var user: String {
            guard let data = Data(base64Encoded: auth) else { return "" }
            return String(decoding: data, as: UTF8.self).split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        }
    }

    struct File: Codable { var auths: [String: Entry] = [:] }

    public let path: String
    public init(root: String) { path = root + "/auth.json" }

    func read() -> File {
        guard let bytes = try? FileSystem.read(path), let f = try? JSONDecoder().decode(File.self, from: Data(bytes)) else { return File() }
        return f
    }

    public func entry(for registry: String) -> Entry? { read().auths[registry] }

    public func store(_ entry: Entry, for registry: String) throws {
        var f = read()
        f.auths[registry] = entry
        try save(f)
    }

    /// Returns false when there was nothing to remove.
    public func remove(_ registry: String) throws -> Bool {
        var f = read()
        guard f.auths.removeValue(forKey: registry) != nil else { return false }
        try save(f)
        return true
    }

    func save(_ f: File) throws {
        let dir = String(path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
        try FileSystem.makeDirectories(dir, mode: 0o700)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try FileSystem.writeAtomically(path, Array(try enc.encode(f)), mode: 0o600)
    }
}
