// RUN: the command runs as an ordinary container of the engine's, on the state so far
// (an intermediate image): the same namespaces, default capabilities and seccomp
// profile, cgroup and network as `swiftbox run` (Docker's classic builder ran its steps
// as containers too). Its output is followed through its log; when it exits 0, the
// container's upper directory — every file the command wrote, deleted (whiteouts) or
// changed — becomes the new layer and that layer's snapshot. Whatever happens, the
// container and its anonymous volumes (an image VOLUME's writes are discarded, as
// Docker discards them) are removed.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxEngine
import SwiftboxImage
import SwiftboxKernel

struct RunStep {
    let engine: Engine
    let emit: (BuildEvent) -> Void
    let vertex: Int
    /// An interrupt, or another stage's failure: kill the command and stop.
    let shouldStop: () -> Bool

    func run(image: ImageRecord, argv: [String], env: [String], workingDir: String, user: String?, network: String,
             mounts: [ContainerMount], parentDiffIDs: [Digest], compression: LayerWriter.Compression) throws -> LayerWriter.Layer {
        var o = RunOptions(image: image.id.description)
        o.entrypoint = argv.first ?? ""
        o.args = Array(argv.dropFirst())
        o.env = env
        o.workingDir = workingDir
        o.user = user
        o.networks = [network]
        o.health = HealthConfig(test: ["NONE"])
        o.labels = BuildLeftovers.ownLabels
        o.mounts = mounts
        o.buildStep = true
        let c = try engine.create(o)
        defer { try? engine.remove(c.id, force: true, removeVolumes: true) }
        let started = WallTime.monotonic()
        // Opened before the start: a short command can be done before a later open.
        let log = LogTail(path: engine.store.logPath(c.id), create: true)
        guard let monitor = try engine.start(c.id) else { throw BuildError("the step's container did not start") }
        let watch = ProcessWatch(pid: monitor, startTime: nil)
        var last: [String] = []
        func emitLines() {
            for entry in log.next() {
                let line = entry.log.hasSuffix("\n") ? String(entry.log.dropLast()) : entry.log
                last = Array((last + [line]).suffix(6))
                emit(.output(vertex: vertex, line: line, seconds: Double(WallTime.monotonic() - started) / 1e9))
            }
        }
        while !(watch?.wait(timeoutMs: 20) ?? true) {
            emitLines()
            if shouldStop() {
                try? engine.kill(c.id, signal: "SIGKILL")
                _ = DetachedProcess.exitCode(of: monitor)
                let interrupted = sb_interrupted() != 0
                throw BuildError(interrupted ? "build interrupted" : "canceled: another stage failed", exitCode: interrupted ? 130 : nil)
            }
        }
        emitLines()
        let code = DetachedProcess.exitCode(of: monitor) ?? engine.wait(c.id, timeoutMs: 0) ?? 255
        guard code == 0 else {
            let shown = argv.count == 3 && argv[1] == "-c" ? "\(argv[0]) -c \(argv[2])" : argv.joined(separator: " ")
            throw BuildError("process \"\(shown)\" did not complete successfully: exit code: \(code)", exitCode: code)
        }
        // The monitor unmounted the rootfs when the command exited: the upper directory
        // holds exactly the step's changes.
        let upper = engine.store.dir(c.id) + "/upper"
        let layer = try LayerWriter.write(directory: upper, to: engine.images.content, compression: compression, durable: false)
        let chain = SnapshotStore.chainIDs(parentDiffIDs + [layer.diffID]).last!
        try engine.images.snapshots.adopt(upper, chain: chain)
        return layer
    }
}
