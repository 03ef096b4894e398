// One stage of a build, instruction by instruction. The state is an image config
// (ENV, USER, WORKDIR, CMD… and the history) and a list of layers; each instruction
// changes one or both. Every step is first looked up in the cache by its key
// (BuildCache); on a miss it runs and its result is kept as an intermediate image.
//
// Variables: an instruction's words are expanded (ShellLex) with the stage's ENV and
// the ARGs declared so far in the stage (ENV wins), in the instructions where Docker
// expands them; RUN's command is not expanded (its shell does it), but the ARGs are in
// its environment.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxDockerfile
import SwiftboxEngine
import SwiftboxImage
import SwiftboxKernel

struct StageState {
    var config: ImageConfig
    var layers: [Descriptor]
    var key: String
    /// The intermediate image this state is (nil for a state not kept: FROM scratch).
    var record: ImageRecord?
    var diffIDs: [Digest] { config.rootfs.diff_ids }
    var container: ImageConfig.ContainerConfig {
        get { config.config ?? ImageConfig.ContainerConfig() }
        set { config.config = newValue }
    }
}

final class StageExecutor {
    let run: BuildRun
    let stage: Stage
    var state: StageState!
    /// ARGs declared in this stage and their values (nil: declared, no value).
    var args: [String: String?] = [:]
    var cmdSetHere = false
    var step = 0

    init(run: BuildRun, stage: Stage) {
        self.run = run
        self.stage = stage
    }

    var builder: Builder { run.builder }
    var images: ImageStore { builder.images }
    var lex: ShellLex { run.lex }
    var total: Int { stage.instructions.count + 1 }

    /// "[2/5]" for a build of one stage, "[builder 2/5]" or "[stage-1 2/5]" otherwise.
    func label(_ n: Int) -> String {
        run.file.stages.count == 1 ? "[\(n)/\(total)]" : "[\(stage.name ?? "stage-\(stage.index)") \(n)/\(total)]"
    }

    /// ENV, then the ARGs in scope (ENV wins): what words are expanded with.
    var environment: [String: String] {
        var env: [String: String] = [:]
        for (k, v) in args { if let v { env[k] = v } }
        for kv in state.container.Env ?? [] {
            let parts = kv.split(separator: "=", maxSplits: 1).map(String.init)
            env[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return env
    }

    func expand(_ word: String) throws -> String {
        do { return try lex.processWord(word, env: environment) } catch { throw BuildError("\(run.file.file):\(currentLine): \(error)") }
    }

    func expandWords(_ text: String) throws -> [String] {
        do { return try lex.processWords(text, env: environment) } catch { throw BuildError("\(run.file.file):\(currentLine): \(error)") }
    }

    var currentLine = 0

    func build() throws -> StageState {
        try from()
        for ins in stage.instructions {
            if run.shouldStop { throw BuildError(sb_interrupted() != 0 ? "build interrupted" : "canceled: another stage failed", exitCode: sb_interrupted() != 0 ? 130 : nil) }
            step += 1
            currentLine = ins.line
            try execute(ins)
        }
        return state
    }

    // MARK: FROM

    func from() throws {
        currentLine = stage.line
        let vertex = run.nextVertex()
        let base = try lex.processWord(stage.base, env: run.metaArgs)
        if let p = stage.platform.map({ try? lex.processWord($0, env: run.metaArgs) }) ?? nil, p != Builder.platform {
            throw BuildError("\(run.file.file):\(stage.line): FROM --platform=\(p): this host builds only for \(Builder.platform)")
        }
        run.emit(.started(vertex: vertex, name: "\(label(1)) FROM \(base)\(stage.name.map { " AS \($0)" } ?? "")"))
        let started = WallTime.monotonic()
        if let dep = run.stageIndex(base, before: stage.index, allowIndex: false), let done = run.result(dep) {
            state = done
        } else if base.lowercased() == "scratch" {
            var config = ImageConfig(config: ImageConfig.ContainerConfig(), diffIDs: [], created: nil)
            config.history = []
            state = StageState(config: config, layers: [], key: BuildCache.key(parent: "", ["FROM scratch"]), record: nil)
        } else {
            let record = try baseImage(base)
            var config = try images.config(of: record)
            config.history = config.history ?? []
            state = StageState(config: config, layers: record.layers, key: BuildCache.key(parent: "", ["FROM", record.id.description]), record: record)
        }
        run.emit(.done(vertex: vertex, seconds: builder.seconds(since: started)))
        // ONBUILD triggers of the base run now, as if written after FROM (then they are gone).
        let triggers = state.container.OnBuild ?? []
        state.container.OnBuild = nil
        for trigger in triggers {
            let parsed: Dockerfile
            do { parsed = try Dockerfile.parse("FROM scratch\n" + trigger, file: "ONBUILD") } catch {
                throw BuildError("\(run.file.file):\(stage.line): ONBUILD trigger of \(base) \"\(trigger)\": \(error)")
            }
            for ins in parsed.stages.first?.instructions ?? [] { try execute(ins) }
        }
    }

    /// The base image: in the store, else pulled (always pulled with --pull).
    func baseImage(_ ref: String) throws -> ImageRecord {
        if !run.options.pull, let r = try? images.resolve(ref) { return r }
        let reference: ImageReference
        do { reference = try ImageReference.parse(ref) } catch { throw BuildError("\(run.file.file):\(stage.line): invalid base image \"\(ref)\": \(error)") }
        do {
            return try ImagePuller(store: images).pull(reference, credentials: Credentials(root: builder.engine.root))
        } catch {
            if let r = try? images.resolve(ref), !run.options.pull { return r }
            throw BuildError("\(run.file.file):\(stage.line): \(ref): not in the local store and not pulled: \(error)")
        }
    }

    // MARK: instructions

    func execute(_ ins: Instruction) throws {
        switch ins.kind {
        case .arg(let decls):
            var parts: [String] = []
            for d in decls {
                var value: String?
                if let v = run.options.buildArgs[d.name] {
                    value = v
                    run.consume(d.name)
                } else if let def = d.defaultValue {
                    value = try expand(def)
                } else if let meta = run.metaArgs[d.name] {
                    value = meta   // a meta ARG redeclared in the stage takes its value
                }
                args[d.name] = .some(value)
                parts.append(value.map { "\(d.name)=\($0)" } ?? d.name)
            }
            try configStep(ins, key: ["ARG"] + parts) { _ in }
        case .env(let pairs):
            var expanded: [(String, String)] = []
            for kv in pairs { expanded.append((try expand(kv.key), try expand(kv.value))) }
            try configStep(ins, key: ["ENV"] + expanded.map { "\($0.0)=\($0.1)" }, history: "ENV " + expanded.map { "\($0.0)=\($0.1)" }.joined(separator: " ")) { c in
                var env = c.Env ?? []
                for (k, v) in expanded {
                    env.removeAll { $0 == k || $0.hasPrefix(k + "=") }
                    env.append("\(k)=\(v)")
                }
                c.Env = env
            }
        case .label(let pairs):
            var expanded: [(String, String)] = []
            for kv in pairs { expanded.append((try expand(kv.key), try expand(kv.value))) }
            try configStep(ins, key: ["LABEL"] + expanded.map { "\($0.0)=\($0.1)" }) { c in
                var labels = c.Labels ?? [:]
                for (k, v) in expanded { labels[k] = v }
                c.Labels = labels
            }
        case .expose(let words):
            let ports = try words.flatMap { try expandWords($0) }.map { $0.contains("/") ? $0.lowercased() : $0 + "/tcp" }
            try configStep(ins, key: ["EXPOSE"] + ports) { c in
                var exposed = c.ExposedPorts ?? [:]
                for p in ports { exposed[p] = EmptyObject() }
                c.ExposedPorts = exposed
            }
        case .volume(let words):
            let paths = try words.map { try expand($0) }.filter { !$0.isEmpty }
            try configStep(ins, key: ["VOLUME"] + paths) { c in
                var volumes = c.Volumes ?? [:]
                for p in paths { volumes[p] = EmptyObject() }
                c.Volumes = volumes
            }
        case .user(let user):
            let u = try expand(user)
            try configStep(ins, key: ["USER", u]) { $0.User = u }
        case .stopsignal(let signal):
            let s = try expand(signal)
            try configStep(ins, key: ["STOPSIGNAL", s]) { $0.StopSignal = s }
        case .cmd(let command):
            let cmd = commandLine(command)
            cmdSetHere = true
            try configStep(ins, key: ["CMD"] + cmd) { $0.Cmd = cmd }
        case .entrypoint(let command):
            let entry = commandLine(command)
            let resetCmd = !cmdSetHere
            try configStep(ins, key: ["ENTRYPOINT"] + entry) { c in
                c.Entrypoint = entry
                // An ENTRYPOINT resets the CMD the base image had (Docker's rule).
                if resetCmd { c.Cmd = nil }
            }
        case .shell(let shell):
            try configStep(ins, key: ["SHELL"] + shell) { $0.Shell = shell }
        case .healthcheck(let spec):
            let health: ImageConfig.Healthcheck
            if let spec {
                health = .init(Test: spec.test, Interval: spec.interval, Timeout: spec.timeout, StartPeriod: spec.startPeriod,
                               StartInterval: spec.startInterval, Retries: spec.retries)
            } else {
                health = .init(Test: ["NONE"])
            }
            try configStep(ins, key: ["HEALTHCHECK", ins.original]) { $0.Healthcheck = health }
        case .onbuild(let trigger):
            try configStep(ins, key: ["ONBUILD", trigger]) { c in c.OnBuild = (c.OnBuild ?? []) + [trigger] }
        case .maintainer(let name):
            try configStep(ins, key: ["MAINTAINER", name]) { _ in }
            state.config.author = name
        case .workdir(let path):
            try workdir(ins, path)
        case .run(let spec):
            try runStep(ins, spec)
        case .copy(let spec):
            try copyStep(ins, spec, add: false)
        case .add(let spec):
            try copyStep(ins, spec, add: true)
        }
    }

    /// Exec form as it is; shell form through SHELL (default /bin/sh -c).
    func commandLine(_ command: Command) -> [String] {
        switch command {
        case .exec(let args): return args
        case .shell(let text): return (state.container.Shell ?? ["/bin/sh", "-c"]) + [text]
        }
    }

    // MARK: steps

    /// A step that changes only the config: cached like any other (so the steps after
    /// it keep their keys), never a layer.
    func configStep(_ ins: Instruction, key parts: [String], history: String? = nil,
                             _ change: (inout ImageConfig.ContainerConfig) -> Void) throws {
        try cachedStep(ins, key: parts) { state in
            var c = state.container
            change(&c)
            state.container = c
            state.config.history?.append(.init(created: Clock.rfc3339(nanoseconds: false), created_by: history ?? ins.original, empty_layer: true))
            return nil
        }
    }

    /// Look the step up; on a miss run `body` (which changes the state and may return
    /// a layer it made), then keep the result as an intermediate image.
    func cachedStep(_ ins: Instruction, key parts: [String], _ body: (inout StageState) throws -> LayerWriter.Layer?) throws {
        let vertex = run.nextVertex()
        let key = BuildCache.key(parent: state.key, parts)
        run.emit(.started(vertex: vertex, name: "\(label(step + 1)) \(ins.original)"))
        if !run.options.noCache, let hit = builder.cache.lookup(key) {
            state = StageState(config: try images.config(of: hit), layers: hit.layers, key: key, record: hit)
            run.emit(.cached(vertex: vertex))
            return
        }
        let started = WallTime.monotonic()
        currentVertex = vertex
        var next = state!
        do {
            if let layer = try body(&next) {
                next.layers.append(layer.descriptor)
                next.config.rootfs.diff_ids.append(layer.diffID)
            }
            next.key = key
            next.config.created = next.config.history?.last?.created
            next.record = try images.commit(config: next.config, layers: next.layers, intermediate: true)
            try builder.cache.store(key, next.record!)
        } catch {
            run.emit(.failed(vertex: vertex, message: "\(error)"))
            throw error
        }
        state = next
        run.emit(.done(vertex: vertex, seconds: builder.seconds(since: started)))
    }

    var currentVertex = 0
}
