// The device allowlist as the cgroup code sees it: OCI linux.resources.devices entries,
// checked and normalized. A rule says whether a process in the container may create
// (m: mknod), read (r) or write (w) a device node of a type and major:minor — the
// check the kernel makes on mknod(2) and open(2) of a device node, whatever file
// system the node lives on (Documentation/admin-guide/cgroup-v1/devices.rst).
//
// Rules are applied in order. Two kernels interfaces carry them:
//   - cgroup v1: each rule is one write to devices.allow or devices.deny (v1Write);
//   - cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program (DeviceFilterProgram).
import SwiftboxOCI

public struct DeviceRule: Equatable, Sendable, CustomStringConvertible {
    /// The device type; `all` matches both char and block devices.
    public enum Kind: String, Equatable, Sendable { case all = "a", char = "c", block = "b" }

    /// Access bits, with the values of linux/bpf.h BPF_DEVCG_ACC_* (the v1 letters m, r, w).
    public struct Access: OptionSet, Equatable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let mknod = Access(rawValue: 1)   // BPF_DEVCG_ACC_MKNOD
        public static let read = Access(rawValue: 2)    // BPF_DEVCG_ACC_READ
        public static let write = Access(rawValue: 4)   // BPF_DEVCG_ACC_WRITE
        public static let all: Access = [.read, .write, .mknod]

        /// "rwm", "r", "mw", … (absent or empty: all three, as runc and crun read it).
        public init(parsing text: String?) throws {
            var a: Access = []
            for ch in text ?? "" {
                switch ch {
                case "r": a.insert(.read)
                case "w": a.insert(.write)
                case "m": a.insert(.mknod)
                default: throw ResourceError.invalid("device access \"\(text ?? "")\": only the letters r, w and m are allowed")
                }
            }
            self = a.isEmpty ? .all : a
        }

        /// The letters in v1's order: "rwm".
        public var description: String {
            (contains(.read) ? "r" : "") + (contains(.write) ? "w" : "") + (contains(.mknod) ? "m" : "")
        }
    }

    public var allow: Bool
    public var kind: Kind
    /// nil: any major (v1 "*"; the OCI spec leaves it out, some writers put -1).
    public var major: Int64?
    public var minor: Int64?
    public var access: Access

    public init(allow: Bool, _ kind: Kind, _ major: Int64?, _ minor: Int64?, _ access: Access = .all) {
        self.allow = allow
        self.kind = kind
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// A linux.resources.devices entry; the error names the entry.
    public init(_ d: LinuxResources.DeviceCgroup) throws {
        let entry = "linux.resources.devices entry \(DeviceRule.describe(d))"
        guard let kind = Kind(rawValue: d.type ?? "a") else { throw ResourceError.invalid("\(entry): type must be a, c or b") }
        for n in [d.major, d.minor] {
            if let n, n > 0xFFFF_FFFF { throw ResourceError.invalid("\(entry): device number \(n) is out of range") }
        }
        do {
            self.init(allow: d.allow, kind, d.major.flatMap { $0 < 0 ? nil : $0 }, d.minor.flatMap { $0 < 0 ? nil : $0 },
                      try Access(parsing: d.access))
        } catch let e as ResourceError { throw ResourceError.invalid("\(entry): \(e)") }
    }

    static func describe(_ d: LinuxResources.DeviceCgroup) -> String {
        "{allow: \(d.allow), type: \(d.type ?? "-"), major: \(d.major.map(String.init) ?? "-"), minor: \(d.minor.map(String.init) ?? "-"), access: \(d.access ?? "-")}"
    }

    /// "c 1:3 rwm", "b *:* m", "a *:* rwm": the v1 spelling (devices.list shows the same).
    public var ruleText: String {
        "\(kind.rawValue) \(major.map(String.init) ?? "*"):\(minor.map(String.init) ?? "*") \(access)"
    }

    /// "allow c 1:3 rwm", "deny a *:* rwm".
    public var description: String { (allow ? "allow " : "deny ") + ruleText }

    /// Every device, every access: `deny` of it clears the list, `allow` of it opens all.
    public var isEverything: Bool { kind == .all && major == nil && minor == nil && access == .all }

    /// Whether this rule speaks about a request (type, major:minor, access bits): an
    /// allow rule when it grants all the requested bits, a deny rule when it refuses
    /// any of them. The reference semantics of DeviceFilterProgram (tests check the
    /// program against this).
    public func matches(_ type: Kind, _ major: Int64, _ minor: Int64, _ requested: Access) -> Bool {
        if kind != .all && kind != type { return false }
        if let m = self.major, m != major { return false }
        if let m = self.minor, m != minor { return false }
        return allow ? access.isSuperset(of: requested) : !access.isDisjoint(with: requested)
    }

    /// The decision of an ordered list: the last rule that matches decides; none: allowed
    /// (the kernel's answer with no program attached).
    public static func decide(_ rules: [DeviceRule], _ type: Kind, _ major: Int64, _ minor: Int64, _ requested: Access) -> Bool {
        rules.last { $0.matches(type, major, minor, requested) }?.allow ?? true
    }

    // MARK: cgroup v1

    /// The writes of one rule to the v1 devices controller. v1 reads "a" as "everything,
    /// reset the list" whatever follows it, so a type-a rule narrower than everything is
    /// written as its c and b halves.
    public var v1Writes: [CgroupWrite] {
        let file = allow ? "devices.allow" : "devices.deny"
        if isEverything { return [CgroupWrite(nil, file, "a")] }
        if kind == .all {
            return [Kind.char, Kind.block].map { k in
                var r = self
                r.kind = k
                return CgroupWrite(nil, file, r.ruleText)
            }
        }
        return [CgroupWrite(nil, file, ruleText)]
    }
}

/// The rule sets swiftbox applies.
public enum DeviceRules {
    /// The nodes every container gets (runtime-spec config-linux.md "Default Devices"):
    /// null, zero, full, random, urandom, tty, console, ptmx, and the pty slaves.
    public static let defaultDevices: [DeviceRule] = [
        DeviceRule(allow: true, .char, 1, 3), DeviceRule(allow: true, .char, 1, 5), DeviceRule(allow: true, .char, 1, 7),
        DeviceRule(allow: true, .char, 1, 8), DeviceRule(allow: true, .char, 1, 9), DeviceRule(allow: true, .char, 5, 0),
        DeviceRule(allow: true, .char, 5, 1), DeviceRule(allow: true, .char, 5, 2), DeviceRule(allow: true, .char, 136, nil),
    ]

    /// What a runtime container gets: linux.resources.devices as given, then allow rules
    /// for the default devices (as runc and youki add them) and for each linux.devices
    /// entry that no rule names by its own type and numbers (the spec says those devices
    /// "MUST be available"; the runtime creates them inside the cgroup). A rule that
    /// names one (Docker's `--device /dev/fuse:r`) decides alone. A list with no deny
    /// rule restricts nothing and comes back empty: nothing to write, no program to attach.
    public static func forContainer(_ requested: [LinuxResources.DeviceCgroup]?, devices: [RuntimeSpec.Device]) throws -> [DeviceRule] {
        var rules = try (requested ?? []).map(DeviceRule.init)
        guard rules.contains(where: { !$0.allow }) else { return [] }
        let given = rules
        var extra = defaultDevices
        for d in devices {
            guard let major = d.major, let minor = d.minor else { continue }   // FIFOs ("p") have none
            let kind: DeviceRule.Kind = d.type == "b" ? .block : .char
            if given.contains(where: { ($0.kind == kind || $0.kind == .all) && $0.major == major && $0.minor == minor }) { continue }
            extra.append(DeviceRule(allow: true, kind, major, minor))
        }
        for r in extra {
            // Already allowed by the same rule with no deny after it: nothing to add.
            if let i = rules.lastIndex(of: r), !rules[(i + 1)...].contains(where: { !$0.allow }) { continue }
            rules.append(r)
        }
        return rules
    }
}
