// COPY's and ADD's arguments and flags (ADD-only flags stay at their defaults for COPY).

public struct CopySpec: Equatable, Sendable {
    /// Raw words (JSON form or whitespace-separated). A heredoc source (`<<EOF`) appears
    /// as its name ("EOF"), its body in `heredocs`.
    public var sources: [String]
    /// Raw.
    public var destination: String
    /// `--from=` (COPY only): a stage name or index, or an image.
    public var from: String?
    public var chown: String?
    public var chmod: String?
    /// `--link` / `--link=true|false`.
    public var link: Bool
    /// ADD `--checksum=`.
    public var checksum: String?
    /// ADD `--keep-git-dir`.
    public var keepGitDir: Bool
    /// `--exclude=` (repeatable).
    public var excludes: [String]
    /// COPY `--parents`.
    public var parents: Bool
    /// `COPY <<EOF /dest` … `EOF`: bodies as written (chomp not applied).
    public var heredocs: [Heredoc]
    /// ADD `--unpack=true|false`; nil when not given. An addition to the agreed API.
    public var unpack: Bool?

    public init(sources: [String], destination: String, from: String? = nil, chown: String? = nil,
                chmod: String? = nil, link: Bool = false, checksum: String? = nil, keepGitDir: Bool = false,
                excludes: [String] = [], parents: Bool = false, heredocs: [Heredoc] = [], unpack: Bool? = nil) {
        self.sources = sources
        self.destination = destination
        self.from = from
        self.chown = chown
        self.chmod = chmod
        self.link = link
        self.checksum = checksum
        self.keepGitDir = keepGitDir
        self.excludes = excludes
        self.parents = parents
        self.heredocs = heredocs
        self.unpack = unpack
    }
}

/// A here-document: `<<NAME` on the instruction's line, its body on the lines after,
/// up to a line that is exactly NAME.
public struct Heredoc: Equatable, Sendable {
    /// The delimiter with quotes removed.
    public var name: String
    /// The body as written, each line with its newline, delimiter line excluded.
    public var content: String
    /// False when the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): no expansion in the body.
    public var expand: Bool
    /// `<<-`: leading tabs are stripped from the body's lines (and the delimiter line
    /// may be indented with tabs).
    public var chomp: Bool
    /// The file descriptor before `<<` (`3<<EOF`), 0 when none. An addition.
    public var fileDescriptor: Int

    public init(name: String, content: String, expand: Bool = true, chomp: Bool = false, fileDescriptor: Int = 0) {
        self.name = name
        self.content = content
        self.expand = expand
        self.chomp = chomp
        self.fileDescriptor = fileDescriptor
    }

    /// The body as the step sees it: with `<<-`, the leading tabs of each line removed.
    public var chompedContent: String {
        chomp ? Heredoc.stripLeadingTabs(content) : content
    }

    static func stripLeadingTabs(_ text: String) -> String {
        var out = ""
        var atLineStart = true
        for scalar in text.unicodeScalars {
            if atLineStart && scalar == "\t" { continue }
            atLineStart = scalar == "\n"
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}

/// HEALTHCHECK's configuration, as the image config stores it.
public struct HealthcheckSpec: Equatable, Sendable {
    /// ["CMD", args…] (exec form) or ["CMD-SHELL", "text"] (shell form).
    public var test: [String]
    /// Nanoseconds; nil when the flag was absent (0, given as such, means "inherit" too).
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int?

    public init(test: [String], interval: Int64? = nil, timeout: Int64? = nil, startPeriod: Int64? = nil,
                startInterval: Int64? = nil, retries: Int? = nil) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
    }
}
