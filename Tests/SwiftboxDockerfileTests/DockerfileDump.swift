// A stable, human-readable text form of a parsed Dockerfile for the golden corpus:
// one line per fact, strings quoted Swift-style so blanks, tabs and newlines show.
import SwiftboxDockerfile

enum DockerfileDump {
    static func dump(_ dockerfile: Dockerfile) -> String {
        var out: [String] = []
        out.append("escape \(q(String(dockerfile.escape)))")
        if let syntax = dockerfile.syntax { out.append("syntax \(q(syntax))") }
        if let check = dockerfile.check { out.append("check \(q(check))") }
        for arg in dockerfile.metaArgs { out.append("meta-arg \(describe(arg))") }
        for stage in dockerfile.stages {
            var header = "stage \(stage.index) line \(stage.line) base \(q(stage.base))"
            if let name = stage.name { header += " name \(q(name))" }
            if let platform = stage.platform { header += " platform \(q(platform))" }
            out.append(header)
            for instruction in stage.instructions {
                let lines = instruction.line == instruction.endLine
                    ? "\(instruction.line)" : "\(instruction.line)-\(instruction.endLine)"
                out.append("  \(lines) \(instruction.keyword) original \(q(instruction.original))")
                out += kind(instruction.kind).map { "    " + $0 }
            }
        }
        for warning in dockerfile.warnings { out.append("warning \(warning.line): \(warning.message)") }
        return out.joined(separator: "\n") + "\n"
    }

    static func q(_ text: String) -> String { String(reflecting: text) }
    static func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }

    static func describe(_ arg: ArgDeclaration) -> String {
        arg.defaultValue.map { "\(arg.name) = \(q($0))" } ?? arg.name
    }

    static func describe(_ command: Command) -> String {
        switch command {
        case .exec(let arguments): return "exec \(list(arguments))"
        case .shell(let text): return "shell \(q(text))"
        }
    }

    static func describe(_ heredoc: Heredoc) -> String {
        var flags: [String] = []
        if !heredoc.expand { flags.append("no-expand") }
        if heredoc.chomp { flags.append("chomp") }
        if heredoc.fileDescriptor != 0 { flags.append("fd=\(heredoc.fileDescriptor)") }
        let suffix = flags.isEmpty ? "" : " (" + flags.joined(separator: ", ") + ")"
        return "heredoc \(q(heredoc.name))\(suffix) \(q(heredoc.content))"
    }

    static func pairs(_ name: String, _ pairs: [KeyValue]) -> [String] {
        pairs.map { "\(name) \(q($0.key)) = \(q($0.value))" }
    }

    static func kind(_ kind: InstructionKind) -> [String] {
        switch kind {
        case .run(let run):
            var out = ["command \(describe(run.command))"]
            out += run.heredocs.map(describe)
            for mount in run.mounts {
                var fields = ["type=\(mount.kind.rawValue)", "target=\(q(mount.target))", mount.readWrite ? "rw" : "ro"]
                if let source = mount.source { fields.append("source=\(q(source))") }
                if let from = mount.from { fields.append("from=\(q(from))") }
                if let id = mount.id { fields.append("id=\(q(id))") }
                if let sharing = mount.sharing { fields.append("sharing=\(sharing)") }
                if mount.required { fields.append("required") }
                if let mode = mount.mode { fields.append("mode=\(mode)") }
                if let uid = mount.uid { fields.append("uid=\(uid)") }
                if let gid = mount.gid { fields.append("gid=\(gid)") }
                if let size = mount.size { fields.append("size=\(size)") }
                if let env = mount.env { fields.append("env=\(env)") }
                out.append("mount " + fields.joined(separator: " "))
            }
            if let network = run.network { out.append("network \(network)") }
            if let security = run.security { out.append("security \(security)") }
            for device in run.devices { out.append("device \(q(device))") }
            return out
        case .cmd(let command): return [describe(command)]
        case .entrypoint(let command): return [describe(command)]
        case .shell(let shell): return ["shell \(list(shell))"]
        case .env(let env): return pairs("env", env)
        case .label(let labels): return pairs("label", labels)
        case .arg(let args): return args.map { "arg \(describe($0))" }
        case .expose(let ports): return ["ports \(list(ports))"]
        case .volume(let paths): return ["paths \(list(paths))"]
        case .user(let user): return ["user \(q(user))"]
        case .workdir(let path): return ["path \(q(path))"]
        case .copy(let spec), .add(let spec):
            var out = ["sources \(list(spec.sources)) destination \(q(spec.destination))"]
            if let from = spec.from { out.append("from \(q(from))") }
            if let chown = spec.chown { out.append("chown \(q(chown))") }
            if let chmod = spec.chmod { out.append("chmod \(q(chmod))") }
            if spec.link { out.append("link") }
            if let checksum = spec.checksum { out.append("checksum \(q(checksum))") }
            if spec.keepGitDir { out.append("keep-git-dir") }
            if !spec.excludes.isEmpty { out.append("excludes \(list(spec.excludes))") }
            if spec.parents { out.append("parents") }
            if let unpack = spec.unpack { out.append("unpack \(unpack)") }
            out += spec.heredocs.map(describe)
            return out
        case .healthcheck(nil): return ["none"]
        case .healthcheck(let spec?):
            var out = ["test \(list(spec.test))"]
            if let interval = spec.interval { out.append("interval \(interval)ns") }
            if let timeout = spec.timeout { out.append("timeout \(timeout)ns") }
            if let startPeriod = spec.startPeriod { out.append("start-period \(startPeriod)ns") }
            if let startInterval = spec.startInterval { out.append("start-interval \(startInterval)ns") }
            if let retries = spec.retries { out.append("retries \(retries)") }
            return out
        case .stopsignal(let signal): return ["signal \(q(signal))"]
        case .onbuild(let trigger): return ["trigger \(q(trigger))"]
        case .maintainer(let name): return ["maintainer \(q(name))"]
        }
    }
}
