// What a container asks to have mounted, parsed from `-v`, `--mount` and `--tmpfs` the
// way Docker's CLI parses them, and stored in the container's record. Pure: no file
// system access except to turn a relative bind source into an absolute path.
//
// Docker's differences between the flags are kept on purpose:
//   -v /host:/ctr          creates a missing host directory
//   --mount type=bind,...  refuses a missing source
//   -v NAME:/ctr           and --mount type=volume create the named volume if missing
//   -v /ctr                an anonymous volume (64 hex name), removed with `rm -v` / `--rm`
public struct ContainerMount: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case volume, bind, tmpfs }

    public var type: Kind
    /// Volume name, host path (bind), or empty (tmpfs; an anonymous volume before create).
    public var source: String
    /// Absolute path inside the container.
    public var target: String
    public var readOnly = false
    /// Bind propagation: private, rprivate (default), shared, rshared, slave, rslave.
    public var propagation: String?
    /// Do not copy the image's files into an empty volume (-v …:nocopy, volume-nocopy).
    public var noCopy: Bool?
    /// Created for this container only (`-v /path`, image VOLUME): removed with it.
    public var anonymous: Bool?
    /// -v binds create a missing host directory; --mount binds do not.
    public var createHostPath: Bool?
    /// tmpfs options: size in bytes, mode, and flags such as noexec.
    public var tmpfsSize: Int64?
    public var tmpfsMode: UInt32?
    public var tmpfsFlags: [String]?
    /// --mount volume-opt=… : options of a volume this mount creates.
    public var volumeOptions: [String: String]?
    /// Set at create, cleared after the first start copied the image's files in.
    public var copyUpPending: Bool?

    public init(type: Kind, source: String, target: String, readOnly: Bool = false) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }
}

public struct MountSyntaxError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum MountParser {
    static let propagations: Set<String> = ["private", "rprivate", "shared", "rshared", "slave", "rslave"]

    /// `-v [SOURCE:]TARGET[:OPTIONS]`. `cwd` resolves "./dir" sources.
    public static func parseVolumeFlag(_ spec: String, cwd: String = "/") throws -> ContainerMount {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard !spec.isEmpty, parts.count <= 3, !parts.contains(where: \.isEmpty) else {
            throw MountSyntaxError("invalid volume specification: '\(spec)'")
        }
        if parts.count == 1 {
            // Only a container path: an anonymous volume.
            try checkTarget(parts[0], spec: spec)
            var m = ContainerMount(type: .volume, source: "", target: parts[0])
            m.anonymous = true
            return m
        }
        let source = parts[0], target = parts[1]
        // "/ctr:ro" is an anonymous volume with options (Docker accepts it too).
        if parts.count == 2, source.hasPrefix("/"), target.split(separator: ",").allSatisfy({ isVolumeOption(String($0)) }) {
            var m = ContainerMount(type: .volume, source: "", target: source)
            m.anonymous = true
            try apply(options: target, to: &m, spec: spec)
            return m
        }
        try checkTarget(target, spec: spec)
        var m: ContainerMount
        if source.hasPrefix("/") || source.hasPrefix("./") || source.hasPrefix("../") || source == "." || source == ".." {
            m = ContainerMount(type: .bind, source: absolute(source, cwd: cwd), target: target)
            m.createHostPath = true
        } else {
            try VolumeName.validate(source)
            m = ContainerMount(type: .volume, source: source, target: target)
        }
        if parts.count == 3 { try apply(options: parts[2], to: &m, spec: spec) }
        return m
    }

    static func isVolumeOption(_ o: String) -> Bool {
        ["ro", "rw", "z", "Z", "nocopy"].contains(o) || propagations.contains(o)
    }

    static func apply(options: String, to m: inout ContainerMount, spec: String) throws {
        var sawMode = false
        for o in options.split(separator: ",").map(String.init) {
            switch o {
            case "ro", "rw":
                guard !sawMode else { throw MountSyntaxError("invalid mode: \(options)") }
                sawMode = true
                m.readOnly = o == "ro"
            case "z", "Z": break   // SELinux relabelling: no SELinux here.
            case "nocopy":
                guard m.type == .volume else { throw MountSyntaxError("invalid mode: \(options): nocopy applies to volumes only") }
                m.noCopy = true
            default:
                guard propagations.contains(o) else { throw MountSyntaxError("invalid mode: \(o) in volume specification '\(spec)'") }
                guard m.type == .bind else { throw MountSyntaxError("invalid mode: \(o): propagation applies to bind mounts only") }
                m.propagation = o
            }
        }
    }

    /// `--mount type=volume|bind|tmpfs,source=…,target=…,readonly,…` (CSV of key[=value]).
    public static func parseMountFlag(_ spec: String, cwd: String = "/") throws -> ContainerMount {
        var fields: [(String, String?)] = []
        for field in spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let kv = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = kv.first, !key.isEmpty else { throw MountSyntaxError("invalid field '\(field)' must be a key=value pair") }
            fields.append((key.lowercased(), kv.count > 1 ? kv[1] : nil))
        }
        let typeName = fields.last(where: { $0.0 == "type" })?.1 ?? "volume"
        guard let kind = ContainerMount.Kind(rawValue: typeName) else {
            throw MountSyntaxError("invalid mount type \"\(typeName)\": expected volume, bind or tmpfs")
        }
        var m = ContainerMount(type: kind, source: "", target: "")
        func bool(_ key: String, _ value: String?) throws -> Bool {
            switch value?.lowercased() {
            case nil, "1", "true": return true
            case "0", "false": return false
            default: throw MountSyntaxError("invalid value for \(key): \(value!)")
            }
        }
        for (key, value) in fields {
            func required() throws -> String {
                guard let value, !value.isEmpty else { throw MountSyntaxError("invalid field '\(key)' must be a key=value pair") }
                return value
            }
            switch key {
            case "type": continue
            case "source", "src": m.source = try required()
            case "target", "destination", "dst": m.target = try required()
            case "readonly", "ro": m.readOnly = try bool(key, value)
            case "consistency": continue   // macOS-only in Docker
            case "bind-propagation":
                guard kind == .bind else { throw MountSyntaxError("cannot mix 'bind-*' options with mount type '\(kind.rawValue)'") }
                let p = try required()
                guard propagations.contains(p) else { throw MountSyntaxError("invalid bind-propagation: \(p)") }
                m.propagation = p
            case "volume-nocopy":
                guard kind == .volume else { throw MountSyntaxError("cannot mix 'volume-*' options with mount type '\(kind.rawValue)'") }
                m.noCopy = try bool(key, value)
            case "volume-driver":
                guard kind == .volume else { throw MountSyntaxError("cannot mix 'volume-*' options with mount type '\(kind.rawValue)'") }
                guard try required() == "local" else { throw MountSyntaxError("volume driver \(value!) is not supported (only \"local\")") }
            case "volume-opt":
                guard kind == .volume else { throw MountSyntaxError("cannot mix 'volume-*' options with mount type '\(kind.rawValue)'") }
                let kv = try required().split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw MountSyntaxError("invalid volume-opt '\(value!)': expected key=value") }
                m.volumeOptions = (m.volumeOptions ?? [:]).merging([kv[0]: kv[1]]) { $1 }
            case "tmpfs-size":
                guard kind == .tmpfs else { throw MountSyntaxError("cannot mix 'tmpfs-*' options with mount type '\(kind.rawValue)'") }
                guard let n = Engine.parseSize(try required()), n > 0 else { throw MountSyntaxError("invalid tmpfs-size: \(value!)") }
                m.tmpfsSize = n
            case "tmpfs-mode":
                guard kind == .tmpfs else { throw MountSyntaxError("cannot mix 'tmpfs-*' options with mount type '\(kind.rawValue)'") }
                guard let n = UInt32(try required(), radix: 8), n <= 0o7777 else { throw MountSyntaxError("invalid tmpfs-mode: \(value!)") }
                m.tmpfsMode = n
            default:
                throw MountSyntaxError("unexpected key '\(key)' in '\(spec)'")
            }
        }
        guard !m.target.isEmpty else { throw MountSyntaxError("target is required") }
        try checkTarget(m.target, spec: spec)
        switch kind {
        case .bind:
            guard !m.source.isEmpty else { throw MountSyntaxError("invalid mount config for type \"bind\": field Source must not be empty") }
            m.source = absolute(m.source, cwd: cwd)
        case .volume:
            if m.source.isEmpty { m.anonymous = true } else { try VolumeName.validate(m.source) }
        case .tmpfs:
            guard m.source.isEmpty else { throw MountSyntaxError("invalid mount config for type \"tmpfs\": source must not be specified") }
        }
        return m
    }

    /// `--tmpfs /path[:opt,opt,…]` with mount(8)-style options (size=64m, mode=1777, noexec…).
    public static func parseTmpfsFlag(_ spec: String) throws -> ContainerMount {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard let target = parts.first else { throw MountSyntaxError("invalid tmpfs specification: '\(spec)'") }
        try checkTarget(target, spec: spec)
        var m = ContainerMount(type: .tmpfs, source: "", target: target)
        var flags: [String] = []
        for o in parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : [] {
            if o.hasPrefix("size=") {
                guard let n = Engine.parseSize(String(o.dropFirst(5))), n > 0 else { throw MountSyntaxError("invalid tmpfs size in '\(spec)'") }
                m.tmpfsSize = n
            } else if o.hasPrefix("mode=") {
                guard let n = UInt32(o.dropFirst(5), radix: 8), n <= 0o7777 else { throw MountSyntaxError("invalid tmpfs mode in '\(spec)'") }
                m.tmpfsMode = n
            } else if o == "ro" {
                m.readOnly = true
            } else if o == "rw" {
                m.readOnly = false
            } else if MountFlagNames.tmpfsFlags.contains(o) {
                flags.append(o)
            } else {
                throw MountSyntaxError("invalid tmpfs option \"\(o)\" in '\(spec)'")
            }
        }
        if !flags.isEmpty { m.tmpfsFlags = flags }
        return m
    }

    static func checkTarget(_ target: String, spec: String) throws {
        guard target.hasPrefix("/") else {
            throw MountSyntaxError("invalid mount path: '\(target)' mount path must be absolute")
        }
        let clean = target.split(separator: "/")
        guard !clean.isEmpty else { throw MountSyntaxError("invalid specification: destination can't be '/' in '\(spec)'") }
        guard !clean.contains("..") else { throw MountSyntaxError("invalid mount path: '\(target)' must not contain '..'") }
    }

    static func absolute(_ path: String, cwd: String) -> String {
        var parts: [Substring] = path.hasPrefix("/") ? [] : cwd.split(separator: "/")
        for comp in path.split(separator: "/") {
            if comp == "." { continue }
            if comp == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(comp)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// "/a//b/" → "/a/b", for comparing targets.
    public static func clean(_ path: String) -> String { absolute(path, cwd: "/") }
}

enum MountFlagNames {
    /// Flags `--tmpfs` accepts besides size/mode/ro/rw (mount(8) names).
    static let tmpfsFlags: Set<String> = ["exec", "noexec", "suid", "nosuid", "dev", "nodev", "atime", "noatime",
                                          "relatime", "norelatime", "strictatime", "diratime", "nodiratime", "sync", "async",
                                          "dirsync", "mand", "nomand"]
}
