// The loader's only contact with the file system, so tests can load projects from
// strings in memory.
import Foundation

public protocol FileSource {
    func read(_ path: String) -> String?
    func exists(_ path: String) -> Bool
}

public struct DiskFiles: FileSource {
    public init() {}
    public func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
    public func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

public struct MemoryFiles: FileSource {
    public var files: [String: String]
    public init(_ files: [String: String]) { self.files = files }
    public func read(_ path: String) -> String? { files[path] }
    public func exists(_ path: String) -> Bool { files[path] != nil }
}
