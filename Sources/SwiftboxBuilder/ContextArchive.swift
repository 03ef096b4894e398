// `swiftbox build - < context.tar[.gz]`: the context as a tar stream on stdin (Docker's
// third form, after a directory and a Dockerfile alone). The stream is kept in a file,
// recognised by its first bytes, and unpacked (entries kept inside the directory, as
// ADD unpacks) into a directory of the builder's that the build removes afterwards.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel

public struct ContextArchive {
    /// The unpacked context; nil when the stream was not an archive (then `text` is a
    /// Dockerfile).
    public let directory: String?
    public let text: String

    /// Read all of `fd`; unpack it under `builderRoot`/builder/tmp when it is an archive.
    public static func read(_ fd: Int32, root: String) throws -> ContextArchive {
        let tmp = root + "/builder/tmp/context-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.makeDirectories(tmp + "/ctx", mode: 0o700)
        let file = tmp + "/stream"
        let out = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw KernelError("open", [file]) }
        defer { close(out) }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var head: [UInt8] = []
        while true {
            let n = Glibc.read(fd, &buf, buf.count)
            if n < 0 { if errno == EINTR { continue }; throw KernelError("read", ["stdin"]) }
            if n == 0 { break }
            if head.count < 4096 { head += buf[0..<min(n, 4096)] }
            guard Glibc.write(out, buf, n) == n else { throw KernelError("write", [file]) }
        }
        if AddSources.isArchive(out) {
            let rootFD = open(tmp + "/ctx", SB_O_PATH | O_DIRECTORY | O_CLOEXEC)
            guard rootFD >= 0 else { throw KernelError("open", [tmp + "/ctx"]) }
            defer { close(rootFD) }
            try AddSources.unpack(out, into: "/", target: DirectoryTarget(rootFD: rootFD), owner: nil, what: "the context on stdin")
            unlink(file)
            return ContextArchive(directory: tmp + "/ctx", text: "")
        }
        let text = String(decoding: try FileSystem.read(file), as: UTF8.self)
        try? FileSystem.removeTree(tmp)
        return ContextArchive(directory: nil, text: text)
    }

    /// Remove the unpacked context.
    public func remove() {
        guard let directory else { return }
        try? FileSystem.removeTree(String(directory.dropLast("/ctx".count)))
    }
}
