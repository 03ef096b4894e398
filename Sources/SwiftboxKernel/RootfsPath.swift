// Resolving a container path against the rootfs the way the container will see it:
// absolute symlinks and ".." are interpreted with the rootfs as "/". This is the
// check the planner makes up front so it can refuse, with a clear message, a mount
// destination that tries to climb out of the rootfs through a relative symlink
// ("../../etc"). The child then resolves every destination again with
// openat2(RESOLVE_IN_ROOT), so even a rootfs changed after planning cannot redirect a
// mount onto the host.

public enum RootfsPath {
    public struct Resolution: Equatable {
        /// The path inside the rootfs that `path` ends up at.
        public var resolved: String
        /// A symlink on the way whose relative target climbed above the rootfs, if any.
        public var escapingLink: (link: String, target: String)?

        public static func == (a: Resolution, b: Resolution) -> Bool {
            a.resolved == b.resolved && a.escapingLink?.link == b.escapingLink?.link && a.escapingLink?.target == b.escapingLink?.target
        }
    }

    /// Resolve `path` inside `root` (a host directory), following at most 40 symlinks.
    public static func resolve(_ path: String, in root: String) -> Resolution {
        var pending = path.split(separator: "/").map(String.init)
        var done: [String] = []
        var escaping: (String, String)?
        var links = 0
        while !pending.isEmpty {
            let comp = pending.removeFirst()
            if comp == "." || comp.isEmpty { continue }
            if comp == ".." { if !done.isEmpty { done.removeLast() }; continue }
            let current = "/" + (done + [comp]).joined(separator: "/")
            if let target = FileSystem.readLink(root + current), links < 40 {
                links += 1
                if target.hasPrefix("/") {
                    done = []
                } else if escaping == nil && climbsAbove(target, depth: done.count) {
                    escaping = (current, target)
                }
                pending = target.split(separator: "/").map(String.init) + pending
                continue
            }
            done.append(comp)
        }
        return Resolution(resolved: "/" + done.joined(separator: "/"), escapingLink: escaping)
    }

    /// Does a relative link target at directory depth `depth` use more ".." than it can?
    static func climbsAbove(_ target: String, depth: Int) -> Bool {
        var level = depth
        for comp in target.split(separator: "/") {
            if comp == ".." { level -= 1; if level < 0 { return true } } else if comp != "." { level += 1 }
        }
        return false
    }
}
