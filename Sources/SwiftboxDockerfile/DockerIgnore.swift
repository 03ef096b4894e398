// .dockerignore (and <Dockerfile>.dockerignore), with Docker's rules
// (moby/patternmatcher and its ignorefile reader):
// - one pattern a line; a line starting with `#` is a comment; blank lines skipped;
// - blanks around a pattern are dropped; `!` makes it an exception (re-include);
// - patterns are cleaned like Go's filepath.Clean, and a leading "/" is dropped: all
//   patterns are relative to the context root;
// - a path is excluded when the LAST pattern that matches it, or one of its parent
//   directories, is not an exception: so excluding a directory excludes everything
//   below it, and a later `!dir/keep` can take a file back.
// A pattern that cannot compile (an unclosed `[`) makes Docker refuse the build; here
// it matches nothing.

public struct DockerIgnore: Sendable {
    private let patterns: [IgnorePattern]

    public init(_ text: String) {
        var patterns: [IgnorePattern] = []
        for line in SourceLines.split(text) {
            if line.content.hasPrefix("#") { continue }
            var pattern = line.content.trimmingBlanks
            if pattern.isEmpty { continue }
            let isException = pattern.hasPrefix("!")
            if isException { pattern = String(pattern.dropFirst()).trimmingBlanks }
            if pattern.isEmpty { continue }
            pattern = PathClean.clean(pattern)
            if pattern.count > 1 && pattern.hasPrefix("/") { pattern.removeFirst() }
            if let compiled = IgnorePattern(pattern, isException: isException) { patterns.append(compiled) }
        }
        self.patterns = patterns
    }

    /// The patterns in order, exceptions with their `!`: what Docker sends BuildKit.
    public var patternStrings: [String] { patterns.map { ($0.isException ? "!" : "") + $0.text } }

    /// `relativePath` is relative to the context, "/"-separated, without a leading "./".
    public func isExcluded(_ relativePath: String) -> Bool {
        let path = PathClean.clean(relativePath)
        if path == "." { return false }
        let components = path.split(separator: "/").map(String.init)
        let ancestors = (1..<max(components.count, 1)).map { components[0..<$0].joined(separator: "/") }

        var excluded = false
        for pattern in patterns where pattern.isException == excluded {
            // Only a pattern that could change the verdict is tried.
            if pattern.matches(path) || ancestors.contains(where: pattern.matches) {
                excluded = !pattern.isException
            }
        }
        return excluded
    }

    /// Whether a walk must still descend into an excluded directory because a "!"
    /// pattern may re-include something below it. Errs on the side of descending.
    public func mayIncludeBelow(_ relativeDirectory: String) -> Bool {
        let directory = PathClean.clean(relativeDirectory)
        let prefix = directory == "." ? "" : directory + "/"
        return patterns.contains { $0.isException && $0.mayMatch(below: prefix) }
    }
}
