// RUN --mount: what a RUN step sees besides its image's files.
//
//   type=cache   a directory kept under the builder's directory, by id (or target)
//   type=bind    the build context, or with from= another stage's or an image's files,
//                read-only unless rw; source= picks a path inside
//   type=tmpfs   an empty tmpfs
//   type=secret  a --secret file, read-only (absent and not required: an empty tmpfs)
//
// A bind's source is resolved by the kernel inside its root (openat2 RESOLVE_IN_ROOT),
// so a symlink in the context or in a stage ("source=link" → /etc) binds the file inside
// that root, never the host's. Its cache key is the checksum of the files it shows (as
// COPY's), so a RUN that reads a bound file runs again when that file changes — the path
// alone would keep serving the old result.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxDockerfile
import SwiftboxEngine
import SwiftboxImage
import SwiftboxKernel

/// The mounts of one RUN, the cache-key words that describe them, and what to undo
/// after the step (the overlay that shows a stage of several layers).
struct PreparedRunMounts {
    var mounts: [ContainerMount] = []
    var keys: [String] = []
    var releases: [() -> Void] = []
    func release() { releases.forEach { $0() } }
}

extension StageExecutor {
    func runMounts(_ spec: RunSpec, line: Int) throws -> PreparedRunMounts {
        var out = PreparedRunMounts()
        do {
            for m in spec.mounts {
                let target = absolute(try expand(m.target))
                switch m.kind {
                case .cache:
                    let id = m.id.map { try? expand($0) } ?? nil
                    let name = String(Digest.of(Array((id ?? target).utf8)).hex.prefix(24))
                    let dir = builder.builderDir + "/cache-mounts/" + name
                    try FileSystem.makeDirectories(dir, mode: 0o755)
                    out.mounts.append(ContainerMount(type: .bind, source: dir, target: target, readOnly: false))
                    out.keys.append("cache:\(name):\(target)")
                case .bind:
                    let (mount, key) = try bindMount(m, target: target, line: line, releases: &out.releases)
                    out.mounts.append(mount)
                    out.keys.append(key)
                case .tmpfs:
                    out.mounts.append(ContainerMount(type: .tmpfs, source: "", target: target))
                    out.keys.append("tmpfs:\(target)")
                case .secret:
                    // Secrets never enter the key: their content is not part of the image.
                    let id = m.id ?? String(target.split(separator: "/").last ?? "")
                    guard let src = run.options.secrets[id] else {
                        if m.required { throw BuildError("\(run.file.file):\(line): secret \(id) not provided (--secret id=\(id),src=FILE)") }
                        out.mounts.append(ContainerMount(type: .tmpfs, source: "", target: "/run/secrets/.absent-\(id)"))
                        out.keys.append("secret-absent:\(id)")
                        continue
                    }
                    let secretTarget = m.target.isEmpty ? "/run/secrets/" + id : target
                    out.mounts.append(ContainerMount(type: .bind, source: src, target: secretTarget, readOnly: true))
                    out.keys.append("secret:\(id):\(secretTarget)")
                case .ssh:
                    throw BuildError("\(run.file.file):\(line): RUN --mount=type=ssh is not supported (swiftbox build has no SSH agent forwarding; use --secret)")
                }
            }
        } catch {
            out.release()
            throw error
        }
        return out
    }

    /// A bind from the context or from a stage/image: the host path to bind (resolved
    /// inside its root) and the cache-key word (the checksum of what it shows).
    private func bindMount(_ m: RunMount, target: String, line: Int, releases: inout [() -> Void]) throws -> (ContainerMount, String) {
        let sourceText = try expand(m.source ?? ".")
        guard let rel = CopySources.clean(sourceText) else {
            throw BuildError("\(run.file.file):\(line): RUN --mount source outside its root: \(sourceText)")
        }
        let root: SourceRoot
        let rootKey: String
        if let fromText = m.from {
            let from = try expand(fromText)
            let (dir, key, release, top) = try fromRoot(from, line: line)
            releases.append(release)
            root = SourceRoot(path: dir, ignore: nil, keepOwners: true, what: "stage or image \(from)",
                              hashes: top == nil ? nil : run.hashes, hashKey: top.map { "layers:" + $0 })
            rootKey = key
        } else {
            guard let context = run.options.context else { throw BuildError("\(run.file.file):\(line): RUN --mount=type=bind needs a build context") }
            root = SourceRoot(path: context, ignore: run.ignore, keepOwners: false, what: "build context", hashes: run.hashes)
            rootKey = "context"
        }
        let hostPath = try Self.resolvedInRoot(root, rel, line: line, file: run.file.file)
        let selected: [SelectedSource]
        do { selected = try CopySources.select([rel.isEmpty ? "." : rel], in: root) } catch let e as BuildError {
            throw BuildError("\(run.file.file):\(line): RUN --mount=type=bind failed: \(e.message)")
        }
        let checksum = try CopySources.checksum(selected, in: root)
        return (ContainerMount(type: .bind, source: hostPath, target: target, readOnly: !m.readWrite),
                "bind:\(rootKey):\(rel):\(checksum):\(target):\(m.readWrite ? "rw" : "ro")")
    }

    /// The host path of `rel` as the kernel resolves it inside the root: symlinks that
    /// point out (absolute, or by ..) land inside it. Read back from /proc/self/fd.
    static func resolvedInRoot(_ root: SourceRoot, _ rel: String, line: Int, file: String) throws -> String {
        let fd = try CopySources.openInRoot(root, rel, SB_O_PATH)
        guard fd >= 0 else { throw BuildError("\(file):\(line): RUN --mount=type=bind: \"/\(rel)\" not found in the \(root.what)") }
        defer { close(fd) }
        // The root as the kernel names it (the context may be given through a symlink).
        guard let real = realpath(root.path, nil) else { throw KernelError("realpath", [root.path]) }
        let rootPath = String(cString: real)
        free(real)
        guard let path = FileSystem.readLink("/proc/self/fd/\(fd)"),
              path == rootPath || path.hasPrefix(rootPath == "/" ? "/" : rootPath + "/") else {
            throw BuildError("\(file):\(line): RUN --mount=type=bind: \"/\(rel)\" does not resolve inside the \(root.what)")
        }
        return path
    }
}
