// `extends:` — a service starts from another service (in the same file or in `file:`),
// and its own keys are merged over it with the usual merge rules. Resolved per file,
// before the files are merged with each other, as the spec says.

struct Extends {
    let files: FileSource
    var interpolator: Interpolator

    mutating func resolve(_ root: YNode, fileDir: String) throws -> YNode {
        guard let services = root["services"]?.mapping else { return root }
        var out = root
        var resolved: [(String, YNode)] = []
        for (name, node) in services {
            resolved.append((name, try resolveService(name, node, in: root, fileDir: fileDir, chain: [])))
        }
        out.set("services", YNode(.map(resolved), root["services"]!.loc))
        return out
    }

    mutating func resolveService(_ name: String, _ node: YNode, in root: YNode, fileDir: String, chain: [String]) throws -> YNode {
        guard let ext = node["extends"] else { return node }
        let path = "services.\(name).extends"
        var baseName: String
        var baseFile: String?
        if let s = ext.scalar { baseName = s } else {
            guard let m = ext.mapping else { throw ComposeError("must be a string or a mapping", at: ext.loc, key: path) }
            baseName = ""
            for (k, v) in m {
                switch k {
                case "service": baseName = v.scalar ?? ""
                case "file": baseFile = v.scalar
                default: throw ComposeError("additional property \(k) is not allowed", at: v.loc, key: path + "." + k)
                }
            }
            guard !baseName.isEmpty else { throw ComposeError("service is required", at: ext.loc, key: path) }
        }
        var baseRoot = root
        var baseDir = fileDir
        var key = baseName
        if let baseFile {
            let full = Paths.absolute(baseFile, relativeTo: fileDir)
            guard let text = files.read(full) else { throw ComposeError("cannot read \(full)", at: ext.loc, key: path + ".file") }
            baseRoot = try interpolator.apply(try YAMLTree.parse(text, file: full))
            baseDir = Paths.dirname(full)
            key = full + "#" + baseName
        }
        guard !chain.contains(key) else {
            throw ComposeError("circular reference with extends: \((chain + [key]).joined(separator: " -> "))", at: ext.loc, key: path)
        }
        guard let baseNode = baseRoot["services"]?[baseName] else {
            throw ComposeError("cannot extend service \"\(baseName)\": no such service\(baseFile.map { " in \($0)" } ?? "")", at: ext.loc, key: path)
        }
        var base = try resolveService(baseName, baseNode, in: baseRoot, fileDir: baseDir, chain: chain + [key])
        base.set("extends", nil)
        var own = node
        own.set("extends", nil)
        return ComposeMerge.mergeService(base, own)
    }
}
