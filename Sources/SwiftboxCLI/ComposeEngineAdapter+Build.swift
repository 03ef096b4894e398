// Compose's BuildRequest → the builder's BuildOptions, value for value (as `swiftbox
// build` fills them from its flags), and the build's progress printed as buildx bake
// prints a compose build: BuildKit's plain progress with the service in each vertex name.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwiftboxBuilder
import SwiftboxCompose
import SwiftboxEngine
import SwiftboxImage
import SwiftboxKernel

extension ComposeEngineAdapter {
    func build(_ r: BuildRequest) throws -> String {
        let spec = r.spec
        guard FileSystem.isDirectory(spec.context) else {
            throw ComposeError("unable to prepare context: path \"\(spec.context)\" not found")
        }
        var o: BuildOptions
        if let inline = spec.dockerfileInline {
            o = BuildOptions(context: spec.context, dockerfile: inline)
        } else {
            let path = spec.dockerfilePath!
            guard let text = try? FileSystem.readString(path) else {
                throw ComposeError("failed to read dockerfile: open \(path): no such file or directory")
            }
            o = BuildOptions(context: spec.context, dockerfile: text)
            o.dockerfileName = spec.dockerfile ?? "Dockerfile"
        }
        o.tags = r.tags
        o.buildArgs = r.args
        o.target = spec.target
        o.noCache = r.noCache
        o.pull = r.pull
        o.labels = r.labels
        switch spec.network ?? "default" {
        case "default", "bridge": o.network = "bridge"
        case "host", "none": o.network = spec.network!
        case let other: throw ComposeError("build network \"\(other)\" is not supported: default, bridge, host or none")
        }
        // Secrets given by content (an environment variable) are written to a private file
        // for the build's length: the builder mounts secrets from files.
        var written: String?
        defer { if let written { try? FileManager.default.removeItem(atPath: written) } }
        for (id, source) in r.secrets.sorted(by: { $0.key < $1.key }) {
            switch source {
            case .path(let p):
                guard FileSystem.exists(p) else { throw ComposeError("build secret \(id): file \(p) not found") }
                o.secrets[id] = p
            case .content(let text):
                let dir = written ?? engine.root + "/compose/build-secrets-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                if written == nil {
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    written = dir
                }
                let file = dir + "/" + String(id.map { $0 == "/" ? "_" : $0 })
                try FileSystem.writeAtomically(file, Array(text.utf8), mode: 0o400, fsync: false)
                o.secrets[id] = file
            }
        }
        let printer = buildProgress
        printer.begin(prefix: r.service)
        let builder = Builder(engine: engine) { printer.print($0) }
        do {
            return try builder.build(o).imageID
        } catch let e as BuildError {
            printer.flushFailure()
            throw ComposeError(e.message)
        }
    }

    func removeImage(_ reference: String) throws {
        let record = try engine.images.resolve(reference)
        if let user = engine.list().first(where: { $0.0.imageID == record.id.description }) {
            throw ComposeError("image \(reference) is used by container \(user.0.name)")
        }
        _ = try engine.images.remove(reference, force: false)
    }
}
