// Which devices a container may use, as Docker decides it:
//   - default: its device cgroup denies everything, then allows mknod of any node (so
//     images that create nodes still unpack and start), the default nodes (null, zero,
//     full, random, urandom, tty, console, ptmx, the pty slaves) and /dev/net/tun;
//   - --device HOST[:CONTAINER[:PERMS]]: the host's node is created in the container
//     (linux.devices) and allowed with PERMS (default rwm);
//   - --privileged: every device allowed (no rule at all).
// The kernel then refuses with EPERM any open(2) or mknod(2) of another device node,
// even one that came with the image or a bind mount.
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel
import SwiftboxOCI

/// One --device (Docker's HostConfig.Devices entry).
public struct DeviceMapping: Codable, Equatable, Sendable {
    public var pathOnHost: String
    public var pathInContainer: String
    /// Letters of "rwm".
    public var cgroupPermissions: String

    public init(pathOnHost: String, pathInContainer: String, cgroupPermissions: String = "rwm") {
        self.pathOnHost = pathOnHost
        self.pathInContainer = pathInContainer
        self.cgroupPermissions = cgroupPermissions
    }

    enum CodingKeys: String, CodingKey {
        case pathOnHost = "PathOnHost", pathInContainer = "PathInContainer", cgroupPermissions = "CgroupPermissions"
    }

    /// Docker's --device syntax: HOST, HOST:CONTAINER, HOST:PERMS or HOST:CONTAINER:PERMS.
    public static func parse(_ text: String) throws -> DeviceMapping {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var mapping = DeviceMapping(pathOnHost: parts[0], pathInContainer: parts[0])
        switch parts.count {
        case 1: break
        case 2:
            if isPermissions(parts[1]) { mapping.cgroupPermissions = parts[1] } else { mapping.pathInContainer = parts[1] }
        case 3:
            guard isPermissions(parts[2]) else { throw EngineError.failed("invalid device mode: \(parts[2])") }
            mapping.pathInContainer = parts[1]
            mapping.cgroupPermissions = parts[2]
        default: throw EngineError.failed("invalid device specification: \(text)")
        }
        guard !mapping.pathOnHost.isEmpty else { throw EngineError.failed("invalid device specification: \(text)") }
        guard mapping.pathInContainer.hasPrefix("/") else {
            throw EngineError.failed("\(mapping.pathInContainer) is not an absolute path")
        }
        return mapping
    }

    /// dev_t → (major, minor) as glibc's gnu_dev_major/minor (macros Swift cannot import):
    /// 12 bits of major and 20 of minor, each split in two.
    static func split(_ dev: UInt64) -> (Int64, Int64) {
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        return (Int64(major), Int64(minor))
    }

    /// "r", "rw", "mrw", …: one to three of the letters r, w, m.
    static func isPermissions(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 3 && s.allSatisfy { "rwm".contains($0) } && Set(s).count == s.count
    }

    /// The host's node now: its type, numbers, mode and owner (stat(2)), as the entry of
    /// linux.devices the runtime creates, and the allow rule that makes it usable.
    public func resolve() throws -> (device: RuntimeSpec.Device, rule: RuntimeSpec.Linux.Resources.DeviceCgroup) {
        var st = stat()
        guard stat(pathOnHost, &st) == 0 else {
            throw EngineError.failed("error gathering device information while adding custom device \"\(pathOnHost)\": \(Errno.message(errno))")
        }
        let type: String
        switch st.st_mode & S_IFMT {
        case S_IFCHR: type = "c"
        case S_IFBLK: type = "b"
        default: throw EngineError.failed("error gathering device information while adding custom device \"\(pathOnHost)\": not a device node")
        }
        let (major, minor) = DeviceMapping.split(UInt64(st.st_rdev))
        let device = RuntimeSpec.Device(type: type, path: pathInContainer, major: major, minor: minor,
                                        fileMode: UInt32(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid)
        return (device, .init(allow: true, type: type, major: major, minor: minor, access: cgroupPermissions))
    }
}

extension DockerDefaults {
    /// Docker's device cgroup rules for a container that is not --privileged.
    public static let deviceRules: [RuntimeSpec.Linux.Resources.DeviceCgroup] = {
        func allow(_ type: String, _ major: Int64?, _ minor: Int64?, _ access: String = "rwm") -> RuntimeSpec.Linux.Resources.DeviceCgroup {
            .init(allow: true, type: type, major: major, minor: minor, access: access)
        }
        return [
            .init(allow: false, type: "a", access: "rwm"),
            allow("c", nil, nil, "m"), allow("b", nil, nil, "m"),
            allow("c", 1, 3), allow("c", 1, 5), allow("c", 1, 7), allow("c", 1, 8), allow("c", 1, 9),  // null zero full random urandom
            allow("c", 5, 0), allow("c", 5, 1), allow("c", 5, 2),                                    // tty console ptmx
            allow("c", 136, nil),                                                                    // /dev/pts/*
            allow("c", 10, 200),                                                                     // /dev/net/tun
        ]
    }()
}
