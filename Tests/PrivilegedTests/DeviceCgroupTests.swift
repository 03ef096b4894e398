// The device cgroup for real: a container may create device nodes (Docker allows mknod
// of any) but open only the default ones and those given with --device; --privileged
// opens everything; `swiftbox oci` applies linux.resources.devices as written. Runs
// natively (hybrid: the v1 devices controller and a BPF program on the cgroup2
// directory, both) and in the pure cgroup v2 guest of `make test-cgroup2` (the BPF
// program alone).
//
// The probes: char 1:11 (/dev/kmsg: present on every kernel, and opening it write-only
// needs no capability) and block 7:0 (loop0). A refused open says "Operation not
// permitted" (EPERM); without a device policy it succeeded (or failed otherwise, e.g.
// ENXIO for a block device the kernel does not have).
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class DeviceCgroupTests: EngineTestCase {
    let image = "busybox-image:latest"
    static let denied = "Operation not permitted"

    /// mknod the probes in /tmp, then open each: char for writing, block for reading.
    static let probe = """
        mknod /tmp/k c 1 11 && echo mknod-c; mknod /tmp/l b 7 0 && echo mknod-b
        true > /tmp/k && echo open-c; true < /tmp/l && echo open-b
        true < /dev/null && true > /dev/null && head -c1 /dev/zero > /dev/null && head -c1 /dev/urandom > /dev/null && echo defaults-ok
        """

    func testDefaultContainerCreatesButCannotOpenOtherDevices() throws {
        let r = run(["--rm", image, "sh", "-c", Self.probe])
        XCTAssertTrue(r.out.contains("mknod-c\nmknod-b\n"), "Docker allows mknod of any node: \(r.out) \(r.err)")
        XCTAssertFalse(r.out.contains("open-c"), "char 1:11 opened in a default container: \(r.out)")
        XCTAssertFalse(r.out.contains("open-b"), "block 7:0 opened in a default container: \(r.out)")
        XCTAssertTrue(r.err.contains("can't create /tmp/k: \(Self.denied)"), r.err)
        XCTAssertTrue(r.err.contains("can't open /tmp/l: \(Self.denied)"), r.err)
        XCTAssertTrue(r.out.contains("defaults-ok"), "/dev/null, zero and urandom stay usable: \(r.out) \(r.err)")
    }

    func testNodesFromABindMountAreRefusedEvenWithoutCapabilities() throws {
        // The node comes with the container's files (here a bind mount; an image layer
        // is the same): no mknod, no capability involved — only the device cgroup stops it.
        let nodes = work + "/nodes"
        try FileManager.default.createDirectory(atPath: nodes, withIntermediateDirectories: true)
        XCTAssertEqual(mknod(nodes + "/k", S_IFCHR | 0o666, makedev(1, 11)), 0)
        XCTAssertEqual(mknod(nodes + "/l", S_IFBLK | 0o666, makedev(7, 0)), 0)
        for caps in [[], ["--cap-drop", "ALL"]] {
            let r = run(["--rm"] + caps + ["-v", nodes + ":/nodes", image, "sh", "-c", "true > /nodes/k && echo open-c; true < /nodes/l && echo open-b; true > /dev/null && echo null-ok"])
            XCTAssertEqual(r.out, "null-ok\n", "\(caps): \(r.err)")
            XCTAssertTrue(r.err.contains("can't create /nodes/k: \(Self.denied)"), "\(caps): \(r.err)")
            XCTAssertTrue(r.err.contains("can't open /nodes/l: \(Self.denied)"), "\(caps): \(r.err)")
        }
    }

    func testPrivilegedOpensAnyDevice() throws {
        let r = run(["--rm", "--privileged", image, "sh", "-c", "mknod /tmp/k c 1 11 && true > /tmp/k && echo open-c"])
        XCTAssertEqual(r.out, "open-c\n", r.err)
    }

    /// A host char device not among the defaults: /dev/fuse, else /dev/kmsg; and its numbers.
    func hostDevice() throws -> (path: String, numbers: String) {
        for path in ["/dev/fuse", "/dev/kmsg"] {
            var st = stat()
            if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR {
                let dev = UInt64(st.st_rdev)
                return (path, "\(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff)) \((dev & 0xff) | ((dev >> 12) & ~0xff))")
            }
        }
        throw XCTSkip("neither /dev/fuse nor /dev/kmsg is a char device here")
    }

    func testDeviceFlagMakesAHostDeviceUsable() throws {
        let (dev, numbers) = try hostDevice()
        let check = "test -c \(dev) && true > \(dev) && echo open-w"
        let without = run(["--rm", image, "sh", "-c", "mknod \(dev) c \(numbers) && \(check)"])
        XCTAssertFalse(without.out.contains("open-w"), "\(dev) usable without --device: \(without.out)")
        XCTAssertTrue(without.err.contains(Self.denied), without.err)
        let with = run(["--rm", "--device", dev, image, "sh", "-c", check])
        XCTAssertEqual(with.out, "open-w\n", with.err)
        // Another path and only the permissions given: w but not r.
        let renamed = run(["--rm", "--device", "\(dev):/dev/probe:w", image, "sh", "-c", "true > /dev/probe && echo open-w; true < /dev/probe && echo open-r"])
        XCTAssertEqual(renamed.out, "open-w\n", renamed.err)
        XCTAssertTrue(renamed.err.contains("can't open /dev/probe: \(Self.denied)"), renamed.err)
        // A bad --device names itself.
        let missing = run(["--rm", "--device", "/dev/swiftbox-no-such-device", image, "true"])
        XCTAssertEqual(missing.status, 125)
        XCTAssertTrue(missing.err.contains("/dev/swiftbox-no-such-device"), missing.err)
        let mode = run(["--rm", "--device", "\(dev):/dev/x:rwx", image, "true"])
        XCTAssertEqual(mode.status, 125)
        XCTAssertTrue(mode.err.contains("invalid device mode: rwx"), mode.err)
    }

    // MARK: swiftbox oci

    /// The fixture's config with CAP_MKNOD, `devices` as linux.resources.devices and
    /// `nodes` as linux.devices.
    func ociBundle(_ script: String, devices: [[String: Any]], nodes: [[String: Any]] = []) throws -> String {
        try bundle(["sh", "-c", script]) { config in
            var process = config["process"] as! [String: Any]
            var caps = process["capabilities"] as! [String: Any]
            for k in ["bounding", "effective", "permitted"] { caps[k] = ((caps[k] as? [String]) ?? []) + ["CAP_MKNOD"] }
            process["capabilities"] = caps
            config["process"] = process
            var linux = config["linux"] as! [String: Any]
            var resources = (linux["resources"] as? [String: Any]) ?? [:]
            resources["devices"] = devices
            linux["resources"] = resources
            linux["devices"] = nodes
            config["linux"] = linux
        }
    }

    func testOCIAppliesTheRulesAsWrittenPlusDefaultsAndConfigDevices() throws {
        let dir = try ociBundle("""
            mknod /dev/f c 10 229 && echo mknod-allowed; true > /dev/f && echo write-f
            mknod /dev/g c 10 232 && echo mknod-g
            true > /dev/kk && echo config-device-ok; true > /dev/null && echo null-ok
            """,
            devices: [["allow": false, "access": "rwm"], ["allow": true, "type": "c", "major": 10, "minor": 229, "access": "m"]],
            nodes: [["path": "/dev/kk", "type": "c", "major": 1, "minor": 11, "fileMode": 0o600]])
        let r = sb(["run", "--bundle", dir, newID("dev")])
        XCTAssertEqual(r.out, "mknod-allowed\nconfig-device-ok\nnull-ok\n", r.err)
        XCTAssertTrue(r.err.contains("can't create /dev/f: \(Self.denied)"), r.err)
        XCTAssertTrue(r.err.contains("mknod: /dev/g: \(Self.denied)"), r.err)
    }

    func testOCIUpdateReplacesTheDeviceList() throws {
        let id = newID("devup")
        XCTAssertEqual(sb(["run", "--detach", "--bundle", try ociBundle("sleep 100", devices: [["allow": false, "access": "rwm"]]), id]).status, 0)
        let probe = ["exec", id, "sh", "-c", "rm -f /dev/k; mknod /dev/k c 1 11 && true > /dev/k && echo open-c"]
        XCTAssertEqual(sb(probe).out, "")
        let file = work + "/resources.json"
        try #"{"devices":[{"allow":true,"type":"c","major":1,"minor":11}]}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let refused = sb(["update", "--resources", file, id])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("must begin with an allow or deny of type a"), refused.err)
        try #"{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":11}]}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let u = sb(["update", "--resources", file, id])
        XCTAssertEqual(u.status, 0, u.err)
        let after = sb(probe)
        XCTAssertEqual(after.out, "open-c\n", after.err)
        XCTAssertTrue(sb(["exec", id, "sh", "-c", "true < /dev/null && echo null-ok"]).out == "null-ok\n", "the defaults stay after an update")
    }

    // MARK: one mechanism per host

    /// A hybrid host enforces with the v1 list alone: the list holds the rules, and the
    /// container's cgroup2 directory has no device program (loading one cost 0.46 ms
    /// of each start for nothing; the guest tier runs the program on pure v2).
    func testOnAHybridHostTheV1ListEnforces() throws {
        let v1 = "/sys/fs/cgroup/devices"
        let mounts = PrivilegedTestCase.mountinfo()
        guard mounts.contains(" \(v1) "), mounts.contains(" - cgroup2 ") else {
            throw XCTSkip("not a hybrid host (needs the v1 devices controller and a cgroup2 mount)")
        }
        let d = run(["-d", image, "sleep", "100"])
        XCTAssertEqual(d.status, 0, d.err)
        let id = d.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let list = (try? String(contentsOfFile: v1 + "/swiftbox/\(id)/devices.list", encoding: .utf8)) ?? ""
        XCTAssertTrue(list.contains("c 136:* rwm") && !list.contains("a *:* rwm"), "the v1 list holds the rules: \(list)")
        let e = sbx(["exec", id, "sh", "-c", "mknod /tmp/k c 1 11; true > /tmp/k && echo open-c; true > /dev/null && echo null-ok"])
        XCTAssertEqual(e.out, "null-ok\n", e.err)
        XCTAssertTrue(e.err.contains("can't create /tmp/k: \(Self.denied)"), e.err)
    }
}

/// makedev(3) as glibc encodes dev_t (the macro is not importable).
private func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
    let ma = UInt64(major), mi = UInt64(minor)
    return dev_t(((ma & 0xfff) << 8) | ((ma & ~0xfff) << 32) | (mi & 0xff) | ((mi & ~0xff) << 12))
}
