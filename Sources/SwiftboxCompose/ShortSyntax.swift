// The short string forms of ports, volumes and commands.

enum PortParser {
    /// [HOST_IP:][HOST_PORT[-RANGE]:]CONTAINER_PORT[-RANGE][/PROTOCOL]; an IPv6 host IP in
    /// brackets. A range of container ports gives one entry each, as Compose expands them.
    static func parse(_ text: String) -> [PortConfig]? {
        var rest = Substring(text)
        var proto = "tcp"
        if let slash = rest.lastIndex(of: "/") {
            proto = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
            guard ["tcp", "udp", "sctp"].contains(proto) else { return nil }
        }
        var hostIP: String?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            hostIP = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            rest = rest.dropFirst()
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var published: String?
        let target: String
        switch parts.count {
        case 1: target = parts[0]
        case 2: published = parts[0]; target = parts[1]
        case 3:
            guard hostIP == nil else { return nil }
            hostIP = parts[0]; published = parts[1]; target = parts[2]
        default: return nil
        }
        if published == "" { published = nil }
        guard let (t0, t1) = range(target) else { return nil }
        var pubRange: (Int, Int)?
        if let published {
            guard let r = range(published) else { return nil }
            pubRange = r
        }
        let count = t1 - t0 + 1
        if let pr = pubRange, pr.1 - pr.0 + 1 != count, count != 1 { return nil }
        return (0..<count).map { i in
            var pub: String?
            if let pr = pubRange { pub = count == 1 ? (pr.0 == pr.1 ? "\(pr.0)" : "\(pr.0)-\(pr.1)") : "\(pr.0 + i)" }
            return PortConfig(target: t0 + i, published: pub, hostIp: hostIP, protocol: proto)
        }
    }

    static func range(_ s: String) -> (Int, Int)? {
        let ends = s.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count <= 2, let a = Int(ends[0]), (1...65535).contains(a) else { return nil }
        guard ends.count == 2 else { return (a, a) }
        guard let b = Int(ends[1]), b >= a, b <= 65535 else { return nil }
        return (a, b)
    }
}

enum VolumeParser {
    /// [SOURCE:]TARGET[:MODE]: a source starting with /, . or ~ is a bind mount, any other a
    /// named volume; no source is an anonymous volume. MODE: ro, rw, and SELinux/propagation
    /// flags (z, Z, shared, rshared, slave, rslave, private, rprivate), comma-separated.
    static func parse(_ text: String) -> ServiceVolume? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty), (1...3).contains(parts.count) else { return nil }
        if parts.count == 1 { return ServiceVolume(type: "volume", source: nil, target: parts[0]) }
        let source = parts[0]
        var v = ServiceVolume(type: isPath(source) ? "bind" : "volume", source: source, target: parts[1])
        if parts.count == 3 {
            for flag in parts[2].split(separator: ",") {
                switch flag {
                case "ro": v.readOnly = true
                case "rw": v.readOnly = false
                case "z", "Z": v.bind = .init(propagation: v.bind?.propagation, createHostPath: true, selinux: String(flag))
                case "shared", "rshared", "slave", "rslave", "private", "rprivate":
                    v.bind = .init(propagation: String(flag), createHostPath: true, selinux: v.bind?.selinux)
                case "nocopy": v.volume = .init(nocopy: true, subpath: nil)
                case "consistent", "cached", "delegated": v.consistency = String(flag)
                default: return nil
                }
            }
        }
        if v.type == "bind" && v.bind == nil { v.bind = .init(propagation: nil, createHostPath: true, selinux: nil) }
        return v
    }

    static func isPath(_ s: String) -> Bool { s.hasPrefix("/") || s.hasPrefix(".") || s.hasPrefix("~") }
}

/// A command written as one string is split into words as a POSIX shell would (quotes
/// and backslashes), without running a shell: `command: echo "a b"` → ["echo", "a b"].
public enum ShellWords {
    public static func split(_ s: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in s {
            if escaped { current.append(c); escaped = false; inWord = true; continue }
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"" { escaped = true } else { current.append(c) }
                continue
            }
            switch c {
            case "\\": escaped = true
            case "'", "\"": quote = c; inWord = true
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            default: current.append(c); inWord = true
            }
        }
        guard quote == nil, !escaped else { return nil }
        if inWord { words.append(current) }
        return words
    }
}

public enum Paths {
    public static func absolute(_ path: String, relativeTo dir: String) -> String {
        if path.hasPrefix("/") { return clean(path) }
        return clean(dir + "/" + path)
    }

    public static func expandHome(_ path: String, lookup: (String) -> String?) -> String {
        guard path.hasPrefix("~") else { return path }
        return (lookup("HOME") ?? "/root") + path.dropFirst()
    }

    /// Remove ".", ".." and duplicate slashes, lexically.
    public static func clean(_ path: String) -> String {
        var out: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(part)
        }
        return "/" + out.joined(separator: "/")
    }

    public static func dirname(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        return i == path.startIndex ? "/" : String(path[..<i])
    }

    public static func basename(_ path: String) -> String {
        String(path.split(separator: "/").last ?? "")
    }
}
