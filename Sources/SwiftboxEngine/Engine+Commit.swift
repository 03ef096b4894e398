// `swiftbox commit`: a container's changes as a new image (Docker's commit). The new
// layer is the container's overlay upper directory written as a tar (LayerWriter, in
// its `live` mode: the overlay keeps its own attributes), on top of the image's
// layers; the config is the container's (its command, environment, working directory,
// user, labels) with `--change` instructions applied, and a history entry with
// `--message` and `--author`. A running container is paused while its layer is read
// (Docker's --pause, on by default), so its files do not change under the walk.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage
import SwiftboxKernel

public struct CommitOptions: Sendable {
    public var reference: ImageReference?
    public var message: String?
    public var author: String?
    public var changes: [String] = []
    public var pause = true
    public init() {}
}

extension Engine {
    public func commit(_ ref: String, _ o: CommitOptions) throws -> ImageRecord {
        let id = try store.resolve(ref)
        let c = try store.config(id)
        let base = try images.resolve(c.imageID)
        var config = try images.config(of: base)
        var cc = config.config ?? ImageConfig.ContainerConfig()
        // The container's own settings, as Docker takes them from its config.
        let command = [c.path] + c.args
        let entrypoint = cc.Entrypoint ?? []
        if command.starts(with: entrypoint) && !entrypoint.isEmpty {
            cc.Cmd = Array(command.dropFirst(entrypoint.count))
        } else if command != (cc.Entrypoint ?? []) + (cc.Cmd ?? []) {
            cc.Entrypoint = nil
            cc.Cmd = command
        }
        cc.Env = c.env
        cc.WorkingDir = c.workingDir.isEmpty ? cc.WorkingDir : c.workingDir
        cc.User = c.user.isEmpty ? cc.User : c.user
        if !c.labels.isEmpty { cc.Labels = (cc.Labels ?? [:]).merging(c.labels) { $1 } }
        for change in o.changes { try ImageImporter.apply(change, to: &cc) }
        config.config = cc

        let pausedHere = o.pause && isRunning(id) && !isPaused(id)
        if pausedHere { try pause(id) }
        defer { if pausedHere { try? unpause(id) } }
        let upper = store.dir(id) + "/upper"
        guard FileSystem.isDirectory(upper) else { throw EngineError.failed("container \(id.prefix(12)) has no file system to commit (never started)") }
        let layer = try LayerWriter.write(directory: upper, to: images.content, live: true)

        let now = Clock.rfc3339(nanoseconds: true)
        config.created = now
        config.author = o.author ?? config.author
        config.rootfs.diff_ids.append(layer.diffID)
        config.history = (config.history ?? []) + [.init(created: now, created_by: command.joined(separator: " "), comment: o.message)]
        let record = try images.commit(config: config, layers: base.layers + [layer.descriptor], tags: o.reference.map { [$0] } ?? [])
        event("commit", id: id, ["comment": o.message ?? ""], config: c)
        return record
    }
}
