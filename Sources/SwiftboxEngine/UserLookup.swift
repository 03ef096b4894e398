// `-u`/image USER → uid, gid and supplementary groups, read from the container's own
// /etc/passwd and /etc/group (never the host's), as Docker resolves them.
import SwiftboxKernel

public enum UserLookup {
    public static func resolve(_ user: String, rootfs: String) throws -> (uid: UInt32, gid: UInt32, groups: [UInt32]) {
        if user.isEmpty { return (0, 0, []) }
        let parts = user.split(separator: ":", maxSplits: 1).map(String.init)
        let passwd = (try? FileSystem.readString(rootfs + "/etc/passwd")) ?? ""
        let group = (try? FileSystem.readString(rootfs + "/etc/group")) ?? ""
        var uid: UInt32
        var gid: UInt32 = 0
        var name: String?
        if let n = UInt32(parts[0]) {
            uid = n
            if let entry = passwd.split(separator: "\n").map({ $0.split(separator: ":", omittingEmptySubsequences: false) })
                .first(where: { $0.count > 3 && UInt32($0[2]) == n }) {
                gid = UInt32(entry[3]) ?? 0
                name = String(entry[0])
            }
        } else {
            guard let entry = passwd.split(separator: "\n").map({ $0.split(separator: ":", omittingEmptySubsequences: false) })
                .first(where: { $0.count > 3 && $0[0] == parts[0] }), let u = UInt32(entry[2]) else {
                throw EngineError.failed("unable to find user \(parts[0]): no matching entries in passwd file")
            }
            uid = u
            gid = UInt32(entry[3]) ?? 0
            name = parts[0]
        }
        if parts.count > 1 {
            if let g = UInt32(parts[1]) { gid = g } else {
                guard let entry = group.split(separator: "\n").map({ $0.split(separator: ":", omittingEmptySubsequences: false) })
                    .first(where: { $0.count > 2 && $0[0] == parts[1] }), let g = UInt32(entry[2]) else {
                    throw EngineError.failed("unable to find group \(parts[1]): no matching entries in group file")
                }
                gid = g
            }
        }
        var groups: [UInt32] = []
        if let name {
            for line in group.split(separator: "\n") {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                if f.count > 3, f[3].split(separator: ",").contains(Substring(name)), let g = UInt32(f[2]), g != gid { groups.append(g) }
            }
        }
        return (uid, gid, groups)
    }
}
