// `exec --dry-run`: the steps an exec would take, with nothing done — no process, no
// cgroup file written, no seccomp cache file. The same functions describe the traced
// exec (Engine.exec, OCIRuntime.exec), on the same values: the process execRequest
// makes, the plan OCIRuntime.execPlan builds.
import SwiftboxKernel
import SwiftboxSecurity

extension Engine {
    public func dryRunExec(_ id: String, command: [String], env: [String], workingDir: String?, user: String?,
                           detach: Bool) throws -> [NarratedStep] {
        let request = try execRequest(id, command: command, env: env, workingDir: workingDir, user: user)
        var steps = [ExecSteps.process(request.container, request.process, pid: firstProcess(id), detach: detach),
                     StartSteps.security(request.spec)]
        // The seccomp filter is compiled as the exec would, and cached nowhere.
        let cache = SeccompCompiler.cacheDirectory
        SeccompCompiler.cacheDirectory = nil
        defer { SeccompCompiler.cacheDirectory = cache }
        steps += try runtime().dryRunExec(id: id, process: request.process, detach: detach)
        return steps
    }
}
