// `swiftbox build`: a Dockerfile (SwiftboxDockerfile parses it as BuildKit's frontend
// does) turned into an image on swiftbox's own engine.
//
//   1. parse; the meta ARGs (before the first FROM) get --build-arg values or defaults;
//   2. the target stage (--target, else the last) and the stages it needs (its FROM
//      and every COPY --from / RUN --mount from=, transitively): only those are built;
//   3. each stage, instruction by instruction (StageExecutor): a step whose cache key
//      is known is CACHED, the others run — RUN as a container of the engine's on the
//      state so far, COPY/ADD/WORKDIR in an overlay of it — and each result is kept as
//      an intermediate image (the cache);
//   4. the target's result, with --label added, is committed and tagged.
// A failure or an interrupt (SIGINT/SIGTERM) anywhere removes the step's container
// and mounts and tags nothing; the steps finished before it stay in the cache.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxDockerfile
import SwiftboxEngine
import SwiftboxImage
import SwiftboxKernel

public struct Builder {
    public let engine: Engine
    /// Where progress goes (BuildEvent); called on the building thread.
    public var emit: (BuildEvent) -> Void

    public init(engine: Engine, emit: @escaping (BuildEvent) -> Void) {
        self.engine = engine
        self.emit = emit
    }

    var images: ImageStore { engine.images }
    var builderDir: String { engine.root + "/builder" }
    var cache: BuildCache { BuildCache(dir: builderDir + "/cache", images: images) }

    /// The platform this host builds for: the only one FROM --platform may name.
    static let platform = "linux/amd64"
    /// BuildKit's automatic platform ARGs (usable after `ARG TARGETARCH` and the like).
    static let platformArgs = ["TARGETPLATFORM": platform, "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
                               "BUILDPLATFORM": platform, "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": ""]
    /// Proxy variables may be passed with --build-arg without an ARG (Docker's predefined ARGs).
    static let predefinedArgs: Set<String> = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
                                              "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]

    public func build(_ o: BuildOptions) throws -> BuildResult {
        let started = WallTime.monotonic()
        emit(.started(vertex: 1, name: "[internal] load build definition from \(o.dockerfileName)"))
        let file: Dockerfile
        do { file = try Dockerfile.parse(o.dockerfile, file: o.dockerfileName) } catch let e as DockerfileError {
            emit(.failed(vertex: 1, message: e.description))
            throw BuildError(e.description)
        }
        emit(.done(vertex: 1, seconds: seconds(since: started)))
        if let syntax = file.syntax { emit(.note("# syntax=\(syntax) is ignored: swiftbox builds with its own Dockerfile frontend")) }
        for w in file.warnings { emit(.note("\(o.dockerfileName):\(w.line): warning: \(w.message)")) }
        let tags = try o.tags.map { t -> ImageReference in
            do { return try ImageReference.parse(t) } catch { throw BuildError("invalid tag \"\(t)\": \(error)") }
        }
        sb_watch_interrupt()
        BuildLeftovers.reap(self)
        let run = BuildRun(builder: self, options: o, file: file)
        try run.prepare()
        let final = try run.buildTarget()
        run.hashes.save()
        var config = final.config
        if !o.labels.isEmpty {
            var c = config.config ?? ImageConfig.ContainerConfig()
            c.Labels = (c.Labels ?? [:]).merging(o.labels) { $1 }
            config.config = c
        }
        config.created = config.history?.last?.created ?? config.created
        let vertex = run.nextVertex()
        emit(.started(vertex: vertex, name: "exporting to image"))
        let exportStarted = WallTime.monotonic()
        let record = try images.commit(config: config, layers: final.layers, tags: tags)
        emit(.output(vertex: vertex, line: "writing image \(record.id) done", seconds: seconds(since: exportStarted)))
        for t in tags { emit(.output(vertex: vertex, line: "naming to \(t) done", seconds: seconds(since: exportStarted))) }
        emit(.done(vertex: vertex, seconds: seconds(since: exportStarted)))
        let unused = Set(o.buildArgs.keys).subtracting(run.consumedArgs).subtracting(Builder.predefinedArgs)
        if !unused.isEmpty { emit(.note("[Warning] One or more build-args [\(unused.sorted().joined(separator: " "))] were not consumed")) }
        return BuildResult(imageID: record.id.description, tags: tags.map(\.description))
    }

    /// `builder prune`: the build cache and what only it kept; the entries removed.
    public func prune() throws -> Int { try cache.prune() }

    func seconds(since start: Int64) -> Double { Double(WallTime.monotonic() - start) / 1e9 }
}

/// One build's bookkeeping: the parsed file, the meta ARGs, the stages built so far.
/// Shared by the stages that build at the same time (StageScheduler): what they write
/// here is under `lock`.
final class BuildRun: @unchecked Sendable {
    let builder: Builder
    let options: BuildOptions
    let file: Dockerfile
    private(set) var metaArgs: [String: String] = [:]
    private(set) var ignore: DockerIgnore?
    /// The context files' content hashes, kept between builds.
    let hashes: ChecksumCache
    let lock = Lock()
    private var results: [Int: StageState] = [:]
    private var consumed = Set<String>()
    private var vertex = 1
    /// Set when a stage failed: the others stop at their next step.
    private(set) var cancelled = false

    init(builder: Builder, options: BuildOptions, file: Dockerfile) {
        self.builder = builder
        self.options = options
        self.file = file
        hashes = ChecksumCache(path: builder.builderDir + "/checksums.bin")
    }

    func nextVertex() -> Int { lock.withLock { vertex += 1; return vertex } }
    func emit(_ e: BuildEvent) { lock.withLock { builder.emit(e) } }
    func consume(_ arg: String) { lock.withLock { _ = consumed.insert(arg) } }
    var consumedArgs: Set<String> { lock.withLock { consumed } }
    func result(_ stage: Int) -> StageState? { lock.withLock { results[stage] } }
    func cancel() { lock.withLock { cancelled = true } }
    var shouldStop: Bool { sb_interrupted() != 0 || lock.withLock { cancelled } }

    var lex: ShellLex { ShellLex(escape: file.escape) }

    func prepare() throws {
        var meta = Builder.platformArgs
        for arg in file.metaArgs {
            if let value = options.buildArgs[arg.name] {
                meta[arg.name] = value
                consume(arg.name)
            } else if let d = arg.defaultValue {
                meta[arg.name] = try lex.processWord(d, env: meta)
            }
        }
        metaArgs = meta
        if let context = options.context {
            // Dockerfile.dockerignore next to the Dockerfile's name wins over .dockerignore.
            let base = options.dockerfileName.split(separator: "/").last.map(String.init) ?? "Dockerfile"
            let text = (try? FileSystem.readString(context + "/" + base + ".dockerignore")) ?? (try? FileSystem.readString(context + "/.dockerignore"))
            ignore = text.map { DockerIgnore($0) }
        }
    }

    /// The stage --target names (by name or index), else the last.
    func targetIndex() throws -> Int {
        guard let target = options.target else { return file.stages.count - 1 }
        if let s = file.stages.first(where: { $0.name == target.lowercased() }) { return s.index }
        throw BuildError("target stage \"\(target)\" could not be found")
    }

    /// The stage a FROM or --from names, if it is a stage (by name, or by index for --from).
    func stageIndex(_ ref: String, before limit: Int, allowIndex: Bool) -> Int? {
        if let s = file.stages.first(where: { $0.name == ref.lowercased() && $0.index < limit }) { return s.index }
        if allowIndex, let n = Int(ref), n >= 0, n < limit { return n }
        return nil
    }

    /// The stages each stage needs directly (its FROM, COPY --from, RUN --mount from=).
    func dependencies(_ i: Int) throws -> Set<Int> {
        let stage = file.stages[i]
        var deps = Set<Int>()
        let base = try lex.processWord(stage.base, env: metaArgs)
        if let dep = stageIndex(base, before: i, allowIndex: false) { deps.insert(dep) }
        for ins in stage.instructions {
            var froms: [String] = []
            switch ins.kind {
            case .copy(let spec), .add(let spec): if let f = spec.from { froms.append(f) }
            case .run(let spec): froms += spec.mounts.compactMap(\.from)
            default: break
            }
            for f in froms {
                let ref = try lex.processWord(f, env: metaArgs)
                if let dep = stageIndex(ref, before: i, allowIndex: true) { deps.insert(dep) }
            }
        }
        return deps
    }

    /// `index` and every stage it needs, transitively, with their direct dependencies.
    func needed(_ index: Int) throws -> [Int: Set<Int>] {
        var graph: [Int: Set<Int>] = [:]
        var todo = [index]
        while let i = todo.popLast() {
            guard graph[i] == nil else { continue }
            let deps = try dependencies(i)
            graph[i] = deps
            todo += deps
        }
        return graph
    }

    func buildTarget() throws -> StageState {
        guard !file.stages.isEmpty else { throw BuildError("the Dockerfile has no FROM") }
        let target = try targetIndex()
        try StageScheduler(run: self, graph: try needed(target)).run { i in
            let state = try StageExecutor(run: self, stage: self.file.stages[i]).build()
            self.lock.withLock { self.results[i] = state }
        }
        return result(target)!
    }
}
