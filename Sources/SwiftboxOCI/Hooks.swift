// config.json "hooks" (config.md, "POSIX-platform Hooks"): programs the runtime runs at
// points of the lifecycle, each given the container's state JSON on its stdin.
extension RuntimeSpec {
    public struct Hook: Codable, Equatable, Sendable {
        /// Absolute path, resolved in the runtime's mount namespace.
        public var path: String
        /// argv, including argv[0] (the spec's execv semantics).
        public var args: [String]?
        /// The whole environment of the hook (nothing is inherited).
        public var env: [String]?
        /// Seconds; the hook is killed and counts as failed after it.
        public var timeout: Int?
        public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
            self.path = path
            self.args = args
            self.env = env
            self.timeout = timeout
        }
    }

    public struct Hooks: Codable, Equatable, Sendable {
        /// Deprecated in favour of the next three; run with createRuntime.
        public var prestart: [Hook]?
        /// After the container's namespaces exist, before pivot_root; runtime namespace.
        public var createRuntime: [Hook]?
        /// Same point, but in the container's namespaces.
        public var createContainer: [Hook]?
        /// In the container, just before the user's process is executed.
        public var startContainer: [Hook]?
        /// After the user's process started, before `start` returns; runtime namespace.
        public var poststart: [Hook]?
        /// After the container is deleted, before `delete` returns; runtime namespace.
        public var poststop: [Hook]?
        public init(prestart: [Hook]? = nil, createRuntime: [Hook]? = nil, poststart: [Hook]? = nil, poststop: [Hook]? = nil) {
            self.prestart = prestart
            self.createRuntime = createRuntime
            self.poststart = poststart
            self.poststop = poststop
        }
    }
}
