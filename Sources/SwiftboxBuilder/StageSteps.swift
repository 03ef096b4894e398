// The steps that make layers: WORKDIR (when the directory is missing), RUN and
// COPY/ADD. See StageExecutor for the state and the cache around them.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxDockerfile
import SwiftboxEngine
import SwiftboxImage
import SwiftboxKernel

extension StageExecutor {
    var workingDir: String {
        let w = state.container.WorkingDir ?? ""
        return w.isEmpty ? "/" : w
    }

    /// An absolute, cleaned path; a relative one is below WORKDIR.
    func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDir + "/" + path
        return "/" + (CopySources.clean(joined) ?? "")
    }

    // MARK: WORKDIR

    func workdir(_ ins: Instruction, _ path: String) throws {
        let dir = absolute(try expand(path))
        try cachedStep(ins, key: ["WORKDIR", dir]) { state in
            var c = state.container
            c.WorkingDir = dir
            state.container = c
            let created = Clock.rfc3339(nanoseconds: false)
            // Made when missing (BuildKit does), as a layer of its own; else config only.
            let layer = try DirectLayer.open(images: images, layers: state.layers, diffIDs: state.diffIDs, under: builder.builderDir)
            let path = layer.canonical(dir)
            if layer.existsInView(path) {
                layer.discard()
                state.config.history?.append(.init(created: created, created_by: "WORKDIR \(dir)", empty_layer: true))
                return nil
            }
            do { close(try layer.upperDirectory(path).fd) } catch { layer.discard(); throw error }
            state.config.history?.append(.init(created: created, created_by: "WORKDIR \(dir)"))
            return try layer.commit(images: images, parentDiffIDs: state.diffIDs, compression: run.options.layerCompression)
        }
    }

    // MARK: RUN

    /// The ARGs in scope that ENV does not set: RUN's extra environment.
    var argEnvironment: [String] {
        let envNames = Set((state.container.Env ?? []).map { String($0.split(separator: "=", maxSplits: 1)[0]) })
        return args.compactMap { k, v in v.flatMap { envNames.contains(k) ? nil : "\(k)=\($0)" } }.sorted()
    }

    /// RUN's command: exec form as written; shell form through SHELL, with its heredocs
    /// appended as the shell reads them (`cat <<EOF > f` then the body and EOF).
    func runCommand(_ spec: RunSpec) -> [String] {
        guard case .shell(var text) = spec.command else { return commandLine(spec.command) }
        let bare = spec.heredocs.count == 1 && text == spec.heredocs[0].content
        if !spec.heredocs.isEmpty && !bare {
            for h in spec.heredocs {
                text += "\n" + h.content + (h.content.hasSuffix("\n") || h.content.isEmpty ? "" : "\n") + h.name
            }
        }
        return commandLine(.shell(text))
    }

    func runStep(_ ins: Instruction, _ spec: RunSpec) throws {
        let argv = runCommand(spec)
        let network = spec.network.map { $0 == "default" ? run.options.network : $0 } ?? run.options.network
        guard ["bridge", "none", "host"].contains(network) else { throw BuildError("\(run.file.file):\(ins.line): RUN --network=\(network): expected default, none or host") }
        let prepared = try runMounts(spec, line: ins.line)
        defer { prepared.release() }
        let mounts = prepared.mounts
        let env = argEnvironment
        let key = ["RUN", argv.joined(separator: "\u{0}"), "network=\(network)", "mounts=\(prepared.keys)"] + env
        try cachedStep(ins, key: key) { state in
            let record = try state.record ?? images.commit(config: state.config, layers: state.layers, intermediate: true)
            state.record = record
            let layer = try RunStep(engine: builder.engine, emit: run.emit, vertex: currentVertex, shouldStop: { self.run.shouldStop })
                .run(image: record, argv: argv, env: env, workingDir: workingDir, user: state.container.User,
                     network: network, mounts: mounts, parentDiffIDs: state.diffIDs, compression: run.options.layerCompression)
            state.config.history?.append(.init(created: Clock.rfc3339(nanoseconds: false), created_by: "RUN " + argv.joined(separator: " ")))
            return layer
        }
    }

    // MARK: COPY and ADD

    func copyStep(_ ins: Instruction, _ spec: CopySpec, add: Bool) throws {
        let keyword = add ? "ADD" : "COPY"
        var cleanups: [() -> Void] = []
        defer { cleanups.forEach { $0() } }
        // Where the sources are read from.
        let root: SourceRoot
        var fromKey = "context"
        var downloaded: [String]?
        if !spec.heredocs.isEmpty {
            // COPY <<EOF /dest: each heredoc becomes a file of that name.
            let dir = builder.builderDir + "/tmp/heredoc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileSystem.makeDirectories(dir, mode: 0o700)
            cleanups.append { try? FileSystem.removeTree(dir) }
            for h in spec.heredocs {
                let text = h.expand ? try expand(h.content) : h.content
                try FileSystem.writeAtomically(dir + "/" + h.name, Array(text.utf8), mode: 0o644, fsync: false)
            }
            root = SourceRoot(path: dir, ignore: nil, keepOwners: false, what: "heredoc")
        } else if add, !spec.sources.isEmpty, spec.sources.allSatisfy({ $0.hasPrefix("http://") || $0.hasPrefix("https://") }) {
            // ADD URL…: downloaded now (every build, as Docker does), then copied like
            // files; the cache key is their content.
            let dir = builder.builderDir + "/tmp/download-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileSystem.makeDirectories(dir, mode: 0o700)
            cleanups.append { try? FileSystem.removeTree(dir) }
            var names: [String] = []
            for s in spec.sources {
                let url = try expand(s)
                let name = url.split(separator: "?").first.flatMap { $0.split(separator: "/").last }.map(String.init) ?? "download"
                let checksum = try spec.checksum.map { try expand($0) }
                _ = try AddSources.download(url, to: dir, name: name, checksum: checksum)
                names.append(name)
            }
            downloaded = names
            root = SourceRoot(path: dir, ignore: nil, keepOwners: false, what: "download")
        } else if let fromText = spec.from {
            let from = try expand(fromText)
            let (dir, key, release, top) = try fromRoot(from, line: ins.line)
            cleanups.append(release)
            root = SourceRoot(path: dir, ignore: nil, keepOwners: true, what: "stage or image \(from)",
                              hashes: top == nil ? nil : run.hashes, hashKey: top.map { "layers:" + $0 })
            fromKey = key
        } else {
            guard let context = run.options.context else {
                throw BuildError("\(run.file.file):\(ins.line): \(keyword) needs a build context (the Dockerfile came alone, on stdin)")
            }
            root = SourceRoot(path: context, ignore: run.ignore, keepOwners: false, what: "build context", hashes: run.hashes)
        }
        var sources: [String] = downloaded ?? []
        for s in spec.sources where downloaded == nil {
            if s.hasPrefix("http://") || s.hasPrefix("https://") {
                throw BuildError("\(run.file.file):\(ins.line): \(keyword) \(s): a URL cannot be mixed with local sources")
            }
            sources.append(spec.heredocs.isEmpty ? try expand(s) : s)
        }
        let destination = try expand(spec.destination)
        let destIsDir = destination.hasSuffix("/") || destination == "." || destination.hasSuffix("/.")
        let dest = absolute(destination)
        let selected: [SelectedSource]
        do { selected = try CopySources.select(sources, in: root) } catch let e as BuildError {
            throw BuildError("\(run.file.file):\(ins.line): \(keyword) failed: \(e.message)")
        }
        let checksum = try CopySources.checksum(selected, in: root)
        let chown = try spec.chown.map { try expand($0) }
        let chmod = try spec.chmod.map { text -> mode_t in
            guard let m = mode_t(text, radix: 8), m <= 0o7777 else { throw BuildError("\(run.file.file):\(ins.line): invalid --chmod=\(text): expected an octal mode") }
            return m
        }
        let key = [keyword, fromKey, checksum, dest + (destIsDir ? "/" : ""), "chown=\(chown ?? "")", "chmod=\(chmod.map { String($0, radix: 8) } ?? "")"]
        // The same COPY without its files' content: where its last layer is (CopyReuse).
        let hintKey = CopyReuse.hintKey([keyword, fromKey, sources.joined(separator: "\u{0}"), dest + (destIsDir ? "/" : ""),
                                         "chown=\(chown ?? "")", "chmod=\(chmod.map { String($0, radix: 8) } ?? "")"])
        try cachedStep(ins, key: key) { state in
            let layer = try DirectLayer.open(images: images, layers: state.layers, diffIDs: state.diffIDs, under: builder.builderDir)
            do {
                var owner: (UInt32, UInt32)?
                if let chown {
                    let (uid, gid, _) = try UserLookup.resolve(chown, rootfs: layer.view)
                    owner = (uid, gid)
                }
                // ADD unpacks the context's archives into DEST; the rest is copied.
                var copied = selected
                if add && downloaded == nil && spec.from == nil && spec.heredocs.isEmpty {
                    copied = []
                    for source in selected {
                        let fd = source.isDirectory ? -1 : try CopySources.openInRoot(root, source.relative, O_RDONLY)
                        defer { if fd >= 0 { close(fd) } }
                        if fd >= 0 && AddSources.isArchive(fd) {
                            try AddSources.unpack(fd, into: dest, target: layer, owner: owner, what: source.relative)
                        } else {
                            copied.append(source)
                        }
                    }
                }
                if !copied.isEmpty {
                    var request = CopyRequest(sources: copied, root: root, destination: dest,
                                              destinationIsDirectory: destIsDir || copied.count < selected.count, owner: owner, mode: chmod)
                    request.previousLayer = CopyReuse.previousLayer(builderDir: builder.builderDir, key: hintKey, images: images)
                    try CopyInto.run(request, into: layer)
                }
            } catch {
                layer.discard()
                throw error
            }
            state.config.history?.append(.init(created: Clock.rfc3339(nanoseconds: false), created_by: ins.original))
            let made = try layer.commit(images: images, parentDiffIDs: state.diffIDs, compression: run.options.layerCompression)
            if let chain = SnapshotStore.chainIDs(state.diffIDs + [made.diffID]).last {
                CopyReuse.remember(builderDir: builder.builderDir, key: hintKey, chain: chain)
            }
            return made
        }
    }

    /// COPY --from: a stage built before (by name or index) or an image; its files as a
    /// directory (one layer: its snapshot; several: a read-only overlay of them), a
    /// cache key part, and what to undo afterwards.
    /// The last element: the top layer's chain ID (nil for no layers).
    func fromRoot(_ from: String, line: Int) throws -> (String, String, () -> Void, String?) {
        let layers: [Descriptor], diffIDs: [Digest], key: String
        if let i = run.stageIndex(from, before: stage.index, allowIndex: true), let s = run.result(i) {
            (layers, diffIDs, key) = (s.layers, s.diffIDs, "stage:" + s.key)
        } else {
            let record = try baseImage(from)
            (layers, diffIDs, key) = (record.layers, record.diffIDs, "image:" + record.id.description)
        }
        let top = SnapshotStore.chainIDs(diffIDs).last?.hex
        var dirs = try images.snapshots.prepare(layers: layers, diffIDs: diffIDs)
        if dirs.isEmpty { dirs = [try images.snapshots.emptyLower()] }
        if dirs.count == 1 { return (dirs[0], key, {}, top) }
        let mountpoint = builder.builderDir + "/tmp/from-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.makeDirectories(mountpoint, mode: 0o700)
        let data = "lowerdir=\(SnapshotStore.lowerdir(dirs))"
        guard mount("overlay", mountpoint, "overlay", UInt(MS_RDONLY), data) == 0 else {
            let e = KernelError("mount", ["overlay", mountpoint, "overlay", data])
            rmdir(mountpoint)
            throw e
        }
        return (mountpoint, key, { _ = umount2(mountpoint, Int32(MNT_DETACH)); rmdir(mountpoint) }, top)
    }
}
