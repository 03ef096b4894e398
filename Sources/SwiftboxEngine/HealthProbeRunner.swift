// Runs a container's health probes from inside its monitor — no daemon, no timer unit.
// The monitor's poll loop asks how long it may sleep (`timeoutMs`), watches the
// running probe's output (`pollFD`), and calls `service` after each wake-up. A probe
// is an `exec` into the container (its cgroup and namespaces, its user and env), with
// stdout and stderr on one pipe; it is our child, so we reap it ourselves. While a
// probe runs we wake at least every 100 ms: a probe that exits while something it
// started keeps the pipe open gives no EOF to wake us.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel
import SwiftboxOCI
import SwiftboxRuntime

public final class HealthProbeRunner {
    let engine: Engine
    let id: String
    public private(set) var machine: HealthMachine
    /// Called when the status changes (events, --health-on-failure).
    public var onChange: (HealthStatus) -> Void = { _ in }
    /// Something to do at a monotonic time (the SIGKILL after a stop signal).
    var pending: (at: Int64, run: () -> Void)?

    struct Probe {
        var pid: Int32
        var fd: Int32
        var startWall: Int64
        var deadline: Int64
        var output: [UInt8] = []
        var exitCode: Int32?
    }
    var probe: Probe?
    var nextDue: Int64

    public init(engine: Engine, id: String, config: HealthConfig, startedWall: Int64, startedMonotonic: Int64) {
        self.engine = engine
        self.id = id
        machine = HealthMachine(config: config, startedAt: startedWall)
        nextDue = startedMonotonic + machine.delay(at: startedWall)
        try? engine.store.saveHealth(machine.record, id: id)
    }

    public var pollFD: Int32 { probe?.fd ?? -1 }

    public func schedule(at: Int64, _ run: @escaping () -> Void) { pending = (at, run) }

    /// Milliseconds until something is due (rounded up, so we never wake early).
    public func timeoutMs(now: Int64 = WallTime.monotonic()) -> Int32 {
        var due = probe.map { min($0.deadline, now + 100 * GoDuration.millisecond) } ?? nextDue
        if let p = pending { due = min(due, p.at) }
        let ms = (max(0, due - now) + GoDuration.millisecond - 1) / GoDuration.millisecond
        return Int32(min(ms, Int64(Int32.max)))
    }

    /// After a wake-up: read output, finish or time out the probe, start the next one.
    public func service(readable: Bool) {
        let now = WallTime.monotonic()
        if let p = pending, now >= p.at { pending = nil; p.run() }
        if readable { drain() }
        if var p = probe {
            var st: Int32 = 0
            if waitpid(p.pid, &st, WNOHANG) == p.pid {
                p.exitCode = OCIRuntime.exitCode(st)
                probe = p
                drain()
                finish(timedOut: false)
            } else if now >= p.deadline {
                // Past its timeout: killed and counted as a failure (Docker's exit -1).
                Glibc.kill(p.pid, SIGKILL)
                while waitpid(p.pid, &st, 0) < 0 && errno == EINTR {}
                finish(timedOut: true)
            }
        } else if now >= nextDue {
            start()
        }
    }

    /// The container exited: kill a probe still running and forget it.
    public func cancel() {
        guard let p = probe else { return }
        Glibc.kill(p.pid, SIGKILL)
        var st: Int32 = 0
        while waitpid(p.pid, &st, 0) < 0 && errno == EINTR {}
        close(p.fd)
        probe = nil
    }

    func start() {
        let startWall = WallTime.now()
        var fds: [Int32] = [-1, -1]
        guard sb_pipe_cloexec(&fds) == 0 else { record(start: startWall, code: -1, output: "pipe2: \(Errno.message(errno))"); return }
        let pid: Int32
        do {
            let process = try engine.probeProcess(id, command: machine.config.command)
            // The probe's stdout and stderr: our pipe (the launcher hands it fds 0-2 as ours).
            let saved = (dup(0), dup(1), dup(2))
            let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
            dup2(null, 0); dup2(fds[1], 1); dup2(fds[1], 2)
            defer {
                dup2(saved.0, 0); dup2(saved.1, 1); dup2(saved.2, 2)
                close(saved.0); close(saved.1); close(saved.2); close(null)
            }
            pid = try engine.runtime().spawnExec(id: id, process: process)
        } catch {
            close(fds[0]); close(fds[1])
            // A probe that cannot start (say the command is missing from the image) is a failed probe.
            record(start: startWall, code: -1, output: "\(error)")
            return
        }
        close(fds[1])
        _ = sb_set_nonblock(fds[0], 1)
        probe = Probe(pid: pid, fd: fds[0], startWall: startWall, deadline: WallTime.monotonic() + machine.config.effectiveTimeout)
    }

    /// Read what is there; keep one byte more than the log keeps (to cut at a character).
    func drain() {
        guard var p = probe else { return }
        var buf = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buf.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if p.output.count <= HealthMachine.maxOutputBytes { p.output += buf[0..<min(n, HealthMachine.maxOutputBytes + 1 - p.output.count)] }
        }
        probe = p
    }

    func finish(timedOut: Bool) {
        guard let p = probe else { return }
        close(p.fd)
        probe = nil
        let end = WallTime.now()
        let change = timedOut ? machine.recordTimeout(start: p.startWall, end: end)
                              : machine.record(start: p.startWall, end: end, exitCode: p.exitCode ?? -1, output: p.output)
        saved(change)
    }

    func record(start: Int64, code: Int32, output: String) {
        saved(machine.record(start: start, end: WallTime.now(), exitCode: code, output: Array(output.utf8)))
    }

    private func saved(_ change: HealthStatus?) {
        try? engine.store.saveHealth(machine.record, id: id)
        nextDue = WallTime.monotonic() + machine.delay(at: WallTime.now())
        if let change { onChange(change) }
    }
}

extension Engine {
    /// The probe's process: the container's own settings (user, capabilities, env,
    /// working directory) with the healthcheck's argv, as `exec` builds it.
    func probeProcess(_ id: String, command: [String]) throws -> RuntimeSpec.Process {
        let (spec, _) = try OCIRuntime.loadSpec(bundle: store.dir(id) + "/bundle")
        guard var process = spec.process else { throw EngineError.failed("container \(id.prefix(12)) has no process config") }
        process.args = command
        process.terminal = false
        process.consoleSize = nil
        return process
    }
}
