// The image commands as Docker users know them: images, image ls/inspect/rm/tag/
// load/save/import/prune, and the short forms rmi, tag, load, save, import.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftboxImage
import SwiftboxTemplate

/// Options every engine command takes.
struct EngineGlobals: ParsableArguments {
    @Option(help: "Directory for swiftbox's persistent state (images, containers, volumes).")
    var root: String = ProcessEnv.get("SWIFTBOX_ROOT") ?? "/var/lib/swiftbox"

    var images: ImageStore { ImageStore(root: root) }
}

struct ImageGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Manage images.",
        subcommands: [ImageList.self, Pull.self, ImageInspect.self, ImageRemove.self, ImageTag.self, ImageLoad.self,
                      ImageSave.self, ImageImport.self, ImagePrune.self, ImageSnapshot.self, Build.self, History.self])
}

struct ImageList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.", aliases: ["list"])
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Only image IDs.") var quiet = false
    @Flag(name: .customLong("no-trunc"), help: "Full image IDs.") var noTrunc = false
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"

    func run() throws {
        let listing = try ListingFormat.option(format)
        let store = globals.images
        let index = try store.readIndex()
        var rows: [(repo: String, tag: String, record: ImageRecord)] = []
        for (ref, id) in index.tags.sorted(by: { $0.key < $1.key }) {
            guard let r = index.images[id], let parsed = try? ImageReference.parse(ref) else { continue }
            let familiar = parsed.familiar
            let repo = parsed.tag.map { familiar.hasSuffix(":" + $0) ? String(familiar.dropLast($0.count + 1)) : familiar } ?? familiar
            rows.append((repo, parsed.tag ?? "<none>", r))
        }
        // The build cache's intermediate images are not listed (Docker hides its own too).
        for r in index.images.values where !index.tags.values.contains(r.id.hex) && r.intermediate != true {
            rows.append(("<none>", "<none>", r))
        }
        if quiet {
            var seen = Set<String>()
            for r in rows where seen.insert(r.record.id.hex).inserted { print(noTrunc ? r.record.id.description : r.record.id.short) }
            return
        }
        if !listing.isDefaultTable {
            try listing.print(rows.map { ListingRows.image(repository: $0.repo, tag: $0.tag, $0.record, noTrunc: noTrunc) },
                              header: ListingRows.imageHeader)
            return
        }
        var table = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
        for r in rows {
            table.append([r.repo, r.tag, noTrunc ? r.record.id.description : r.record.id.short,
                          RelativeTime.ago(r.record.created ?? r.record.stored), formatSize(r.record.size)])
        }
        printTable(table)
    }
}

func formatSize(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var v = Double(bytes)
    var i = 0
    while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
    if i == 0 { return "\(bytes)B" }
    let rounded = (v * 100).rounded() / 100
    return "\(rounded)\(units[i])"
}

struct ImageInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show images as Docker-shaped JSON.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: ArgumentHelp(FormatHelp.inspect)) var format: String?
    @Argument var images: [String]

    struct Inspect: Encodable {
        var Id: String
        var RepoTags: [String]
        var RepoDigests: [String]
        var Created: String?
        var Architecture: String
        var Os: String
        var Size: Int64
        var Config: ImageConfig.ContainerConfig?
        var RootFS: RootFS
        struct RootFS: Encodable { var `Type`: String; var Layers: [String] }
    }

    static func inspect(_ name: String, _ store: ImageStore, _ index: ImageIndexFile) throws -> Inspect {
        let r = try store.resolve(name)
        let c = try store.config(of: r)
        return Inspect(Id: r.id.description,
                       RepoTags: store.tags(of: r.id, in: index).compactMap { (try? ImageReference.parse($0))?.familiar },
                       RepoDigests: r.repoDigests ?? [], Created: c.created, Architecture: c.architecture, Os: c.os,
                       Size: r.size, Config: c.config,
                       RootFS: .init(Type: c.rootfs.type, Layers: c.rootfs.diff_ids.map(\.description)))
    }

    func run() throws {
        let store = globals.images
        let index = try store.readIndex()
        if let template = try InspectFormat(format) {
            var values: [TemplateValue] = []
            var missing: [String] = []
            for name in images {
                do { values.append(try TemplateValueEncoder.encode(try ImageInspect.inspect(name, store, index))) } catch { missing.append("\(error)") }
            }
            let code = template.print(values, missing: missing)
            if code != 0 { throw ExitCode(code) }
            return
        }
        let out = try images.map { try ImageInspect.inspect($0, store, index) }
        print(try jsonText(out, pretty: true))
    }
}

struct ImageRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove images.", aliases: ["rmi", "remove"])
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Remove an image with several tags by ID.") var force = false
    @Argument var images: [String]
    func run() throws {
        for name in images {
            // An image a container was created from stays until the container is gone.
            let record = try globals.images.resolve(name)
            if !force, let user = globals.engine.list().first(where: { $0.0.imageID == record.id.description }) {
                throw ImageError.inUse("conflict: unable to remove \(name) (must force) - container \(user.0.shortID) is using its referenced image \(record.id.short)")
            }
            for line in try globals.images.remove(name, force: force) { print(line) }
        }
    }
}

struct ImageTag: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Give an image another name.")
    @OptionGroup var globals: EngineGlobals
    @Argument var source: String
    @Argument var target: String
    func run() throws { try globals.images.tag(source, as: try ImageReference.parse(target)) }
}

struct ImageLoad: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Load images from a docker-archive or OCI layout tar (or directory).")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "The archive to read.") var input: String
    @Flag(name: [.short, .long]) var quiet = false
    func run() throws {
        for name in try ImageLoader(store: globals.images).load(input) {
            if !quiet { print(name.hasPrefix("sha256:") ? "Loaded image ID: \(name)" : "Loaded image: \(name)") }
        }
    }
}

struct ImageSave: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "save", abstract: "Write images to a tar (OCI layout plus Docker's manifest.json).")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "The file to write.") var output: String
    @Argument var images: [String]
    func run() throws { try ImageSaver(store: globals.images).save(images, to: output) }
}

struct ImageImport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Create an image from a root filesystem tarball.")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long], help: "A Dockerfile instruction for the config (CMD, ENTRYPOINT, ENV, WORKDIR, …); repeatable.") var change: [String] = []
    @Option(name: [.short, .long]) var message: String?
    @Argument var file: String
    @Argument var reference: String?
    func run() throws {
        let ref = try reference.map { try ImageReference.parse($0) }
        let record = try ImageImporter(store: globals.images).importTarball(file, reference: ref, changes: change, message: message)
        print(record.id.description)
    }
}

struct ImagePrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove untagged images and unused blobs and layers.")
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long], help: "Also remove tagged images no container uses.") var all = false
    @Flag(name: [.short, .long], help: "Do not ask (swiftbox never asks).") var force = false
    func run() throws {
        let used = Set(globals.engine.list().map(\.0.imageID))
        let removed = try globals.images.prune(all: all, keep: used)
        if !removed.isEmpty { print("Deleted Images:"); removed.forEach { print("deleted: \($0.id)") } }
    }
}

/// Unpack an image's layers and print the overlay lowerdir (used by tests and, later,
/// by the engine to mount a container's rootfs).
struct ImageSnapshot: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snapshot", abstract: "Unpack an image's layers; print the overlay lowerdir.", shouldDisplay: false)
    @OptionGroup var globals: EngineGlobals
    @Argument var image: String
    func run() throws {
        let store = globals.images
        let dirs = try store.snapshots.prepare(try store.resolve(image))
        print(SnapshotStore.lowerdir(dirs))
    }
}

// Docker's short forms.
struct Images: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images.")
    @OptionGroup var list: ImageListOptions
    func run() throws { try list.command.run() }
}

struct ImageListOptions: ParsableArguments {
    @OptionGroup var globals: EngineGlobals
    @Flag(name: [.short, .long]) var quiet = false
    @Flag(name: .customLong("no-trunc")) var noTrunc = false
    @Option(help: ArgumentHelp(FormatHelp.listing)) var format: String = "table"
    var command: ImageList {
        var c = ImageList()
        c.globals = globals
        c.quiet = quiet
        c.noTrunc = noTrunc
        c.format = format
        return c
    }
}

/// `swiftbox rmi|tag|load|save|import`: the same commands under Docker's short names.
/// Each forwards its arguments to the `image` subcommand, so options are defined once.
protocol ShortForm: ParsableCommand {
    associatedtype Target: ParsableCommand
    var arguments: [String] { get }
}

extension ShortForm {
    func run() throws {
        var target: Target
        do { target = try Target.parse(arguments) } catch { Target.exit(withError: error) }
        try target.run()
    }
}

struct Rmi: ShortForm {
    typealias Target = ImageRemove
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove images (image rm).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct Tag: ShortForm {
    typealias Target = ImageTag
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Give an image another name (image tag).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct Load: ShortForm {
    typealias Target = ImageLoad
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Load images from an archive (image load).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct Save: ShortForm {
    typealias Target = ImageSave
    static let configuration = CommandConfiguration(commandName: "save", abstract: "Write images to a tar (image save).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct Import: ShortForm {
    typealias Target = ImageImport
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Create an image from a rootfs tarball (image import).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}
