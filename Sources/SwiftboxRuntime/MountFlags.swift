// Mount options from config.json ("nosuid", "ro", "rbind", "mode=755", …) into the
// flags and data of mount(2). Options the kernel's mount(2) flags do not cover are
// passed on as filesystem data, as fstab(5) does.

public enum MountFlags {
    // MS_* values from <sys/mount.h>.
    public static let RDONLY: UInt = 1, NOSUID: UInt = 2, NODEV: UInt = 4, NOEXEC: UInt = 8
    public static let SYNCHRONOUS: UInt = 16, REMOUNT: UInt = 32, MANDLOCK: UInt = 64, DIRSYNC: UInt = 128
    public static let NOSYMFOLLOW: UInt = 256
    public static let NOATIME: UInt = 1024, NODIRATIME: UInt = 2048, BIND: UInt = 4096
    public static let REC: UInt = 16384, SILENT: UInt = 32768
    public static let UNBINDABLE: UInt = 1 << 17, PRIVATE: UInt = 1 << 18, SLAVE: UInt = 1 << 19, SHARED: UInt = 1 << 20
    public static let RELATIME: UInt = 1 << 21, STRICTATIME: UInt = 1 << 24, LAZYTIME: UInt = 1 << 25

    /// (set, clear) per option word.
    static let table: [String: (set: UInt, clear: UInt)] = [
        "defaults": (0, 0), "ro": (RDONLY, 0), "rw": (0, RDONLY), "suid": (0, NOSUID), "nosuid": (NOSUID, 0),
        "dev": (0, NODEV), "nodev": (NODEV, 0), "exec": (0, NOEXEC), "noexec": (NOEXEC, 0),
        "sync": (SYNCHRONOUS, 0), "async": (0, SYNCHRONOUS), "dirsync": (DIRSYNC, 0),
        "remount": (REMOUNT, 0), "mand": (MANDLOCK, 0), "nomand": (0, MANDLOCK),
        "atime": (0, NOATIME), "noatime": (NOATIME, 0), "diratime": (0, NODIRATIME), "nodiratime": (NODIRATIME, 0),
        "bind": (BIND, 0), "rbind": (BIND | REC, 0), "relatime": (RELATIME, 0), "norelatime": (0, RELATIME),
        "strictatime": (STRICTATIME, 0), "nostrictatime": (0, STRICTATIME), "lazytime": (LAZYTIME, 0),
        "nolazytime": (0, LAZYTIME), "silent": (SILENT, 0), "loud": (0, SILENT), "nosymfollow": (NOSYMFOLLOW, 0),
    ]

    static let propagationTable: [String: UInt] = [
        "private": PRIVATE, "rprivate": PRIVATE | REC, "shared": SHARED, "rshared": SHARED | REC,
        "slave": SLAVE, "rslave": SLAVE | REC, "unbindable": UNBINDABLE, "runbindable": UNBINDABLE | REC,
    ]

    /// Options that only make sense to other runtimes' helpers; accepted and ignored.
    static let ignored: Set<String> = ["tmpcopyup", "copy-symlink", "z", "Z", "U", "notmpcopyup"]

    public struct Parsed: Equatable {
        public var flags: UInt = 0
        public var propagation: UInt = 0
        public var data: [String] = []
    }

    public static func parse(_ options: [String]) -> Parsed {
        var p = Parsed()
        for option in options {
            if let f = table[option] {
                p.flags = (p.flags | f.set) & ~f.clear
            } else if let prop = propagationTable[option] {
                p.propagation = prop
            } else if !ignored.contains(option) {
                p.data.append(option)
            }
        }
        return p
    }

    public static func propagation(_ name: String) -> UInt? { propagationTable[name] }

    /// "MS_NOSUID|MS_NODEV" for printing.
    public static func names(_ flags: UInt) -> String {
        let all: [(UInt, String)] = [
            (RDONLY, "MS_RDONLY"), (NOSUID, "MS_NOSUID"), (NODEV, "MS_NODEV"), (NOEXEC, "MS_NOEXEC"),
            (SYNCHRONOUS, "MS_SYNCHRONOUS"), (REMOUNT, "MS_REMOUNT"), (MANDLOCK, "MS_MANDLOCK"),
            (DIRSYNC, "MS_DIRSYNC"), (NOSYMFOLLOW, "MS_NOSYMFOLLOW"), (NOATIME, "MS_NOATIME"),
            (NODIRATIME, "MS_NODIRATIME"), (BIND, "MS_BIND"), (REC, "MS_REC"), (SILENT, "MS_SILENT"),
            (UNBINDABLE, "MS_UNBINDABLE"), (PRIVATE, "MS_PRIVATE"), (SLAVE, "MS_SLAVE"), (SHARED, "MS_SHARED"),
            (RELATIME, "MS_RELATIME"), (STRICTATIME, "MS_STRICTATIME"), (LAZYTIME, "MS_LAZYTIME"),
        ]
        let names = all.filter { flags & $0.0 != 0 }.map(\.1)
        return names.isEmpty ? "0" : names.joined(separator: "|")
    }
}
