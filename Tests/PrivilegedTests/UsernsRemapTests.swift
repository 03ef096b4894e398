// --userns-remap: the container's root is an unprivileged host uid. Checked from both
// sides: inside, root with the image's files owned by root; outside, the process and
// everything it writes belong to the range, and a host directory only root may write
// stays closed to it. Both ways of shifting the layers (idmapped mounts, a shifted
// copy) must show the container the same files.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class UsernsRemapTests: EngineTestCase {
    let range = "100000:100000:65536"

    func hostUIDs(ofPid pid: String) -> String {
        let status = (try? String(contentsOfFile: "/proc/\(pid.trimmingCharacters(in: .whitespacesAndNewlines))/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("Uid:") }.map(String.init) ?? "no Uid line"
    }

    func owner(_ path: String) -> String {
        guard let a = try? FileManager.default.attributesOfItem(atPath: path) else { return "missing" }
        return "\(a[.ownerAccountID] ?? "?"):\(a[.groupOwnerAccountID] ?? "?")"
    }

    func writeDaemonConfig(_ json: String) throws {
        try json.write(toFile: engineRoot + "/daemon.json", atomically: true, encoding: .utf8)
    }

    /// On the default bridge network (the engine's network namespace, which the host's
    /// user namespace owns): run, exec, the process's host uid, the writable layer.
    func testRootInsideIsAnUnprivilegedUIDOnTheHost() throws {
        let r = run(["-d", "--name", "remapped", "--userns-remap", range, "busybox-image", "sleep", "60"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let inside = sbx(["exec", "remapped", "sh", "-c", "cat /proc/self/uid_map; id -u; stat -c '%u:%g' / /bin /bin/busybox; touch /made-inside && echo wrote"])
        XCTAssertEqual(inside.status, 0, inside.err)
        let words = inside.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        XCTAssertEqual(Array(words.prefix(3)), ["0", "100000", "65536"], inside.out)
        XCTAssertEqual(Array(words.dropFirst(3)), ["0", "0:0", "0:0", "0:0", "wrote"], "the image's files are root's inside: \(inside.out)")
        let pid = sbx(["inspect", "-f", "{{.State.Pid}}", "remapped"]).out
        XCTAssertEqual(hostUIDs(ofPid: pid), "Uid:\t100000\t100000\t100000\t100000")
        XCTAssertEqual(owner(engineRoot + "/containers/\(id)/upper/made-inside"), "100000:100000", "written as the range's first uid")
        XCTAssertEqual(owner(engineRoot + "/containers/\(id)/hosts"), "100000:100000", "/etc/hosts is the container root's")
        // Without the flag, nothing changes.
        let plain = run(["--rm", "--network", "none", "busybox-image", "cat", "/proc/self/uid_map"])
        XCTAssertEqual(plain.out.split(whereSeparator: { $0 == " " || $0 == "\n" }), ["0", "0", "4294967295"])
    }

    /// Root in a remapped container holds no capability over the engine's network
    /// namespace (no raw sockets), yet pings as Docker's containers do: ICMP datagram
    /// sockets, allowed by ping_group_range, on a bridge and without a network.
    func testPingWorksWithoutCapabilitiesOverTheNetworkNamespace() throws {
        let alpine = try loadAlpine()
        for network in ["bridge", "none"] {
            let r = run(["--rm", "--network", network, "--userns-remap", range, alpine, "sh", "-c",
                         "ping -c 1 -W 2 127.0.0.1 >/dev/null && echo pinged"])
            XCTAssertEqual(r.out, "pinged\n", "\(network): \(r.err)")
        }
    }

    /// The point of it all: root in the container is nobody to a host directory that
    /// only host root may write or read.
    func testHostFilesOnlyRootMayTouchStayClosed() throws {
        let host = work + "/hostdir"
        try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try "secret\n".write(toFile: host + "/secret", atomically: true, encoding: .utf8)
        chmod(host + "/secret", 0o600)
        let script = "touch /h/new 2>/dev/null && echo wrote-new; cat /h/secret 2>/dev/null || echo no-read; echo done"
        let remapped = run(["--rm", "--network", "none", "--userns-remap", range, "-v", host + ":/h", "busybox-image", "sh", "-c", script])
        XCTAssertEqual(remapped.status, 0, remapped.err)
        XCTAssertEqual(remapped.out, "no-read\ndone\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: host + "/new"))
        let plain = run(["--rm", "--network", "none", "-v", host + ":/h", "busybox-image", "sh", "-c", script])
        XCTAssertEqual(plain.out, "wrote-new\nsecret\ndone\n", "the same container without the remap is host root")
    }

    /// idmapped mounts and shifted copies show the container the same files; the copy
    /// is kept per range next to the layer, and goes with the image.
    func testBothLayerModesShowTheSameFiles() throws {
        let script = "stat -c '%n %u:%g %a' / /bin /bin/busybox /etc /tmp /root 2>&1; touch /etc/x && echo ok"
        var outputs: [String: String] = [:]
        for mode in ["idmap", "copy"] {
            try writeDaemonConfig(#"{"userns-remap-layers": "\#(mode)"}"#)
            let r = run(["--rm", "--network", "none", "--userns-remap", range, "busybox-image", "sh", "-c", script])
            XCTAssertEqual(r.status, 0, "\(mode): \(r.err)")
            outputs[mode] = r.out
        }
        XCTAssertEqual(outputs["idmap"], outputs["copy"])
        XCTAssertTrue(outputs["copy"]?.contains("/bin/busybox 0:0") == true, outputs["copy"] ?? "")
        let copies = entries(engineRoot + "/images/snapshots").flatMap { chain in
            entries(engineRoot + "/images/snapshots/" + chain).filter { $0.hasPrefix("remap-") }.map { engineRoot + "/images/snapshots/\(chain)/\($0)" }
        }
        XCTAssertEqual(copies.map { ($0 as NSString).lastPathComponent }, ["remap-100000-100000-65536"])
        XCTAssertEqual(owner(copies[0] + "/bin/busybox"), "100000:100000")
        XCTAssertEqual(sbx(["rmi", "busybox-image"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: copies[0]), "the shifted copy goes with its layer")
    }

    /// daemon.json's default for the root, `--userns-remap host` to opt out, and a
    /// named volume the remapped root can write.
    func testRootDefaultOptOutAndVolumes() throws {
        try writeDaemonConfig(#"{"userns-remap": "\#(range)"}"#)
        let r = run(["--rm", "--network", "none", "-v", "remapdata:/data", "busybox-image", "sh", "-c", "cat /proc/self/uid_map; touch /data/f && echo wrote"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }), ["0", "100000", "65536", "wrote"])
        XCTAssertEqual(owner(engineRoot + "/volumes/remapdata/_data/f"), "100000:100000")
        let host = run(["--rm", "--network", "none", "--userns-remap", "host", "busybox-image", "cat", "/proc/self/uid_map"])
        XCTAssertEqual(host.out.split(whereSeparator: { $0 == " " || $0 == "\n" }), ["0", "0", "4294967295"])
        try writeDaemonConfig(#"{"userns-remap": "\#(range)", "userns-remapp": true}"#)
        let bad = run(["--rm", "busybox-image", "true"])
        XCTAssertEqual(bad.status, 125)
        XCTAssertTrue(bad.err.contains("daemon.json: unknown key \"userns-remapp\""), bad.err)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "nothing was created")
    }

    /// `default` takes (and the first time adds) a range in the subordinate ID files.
    func testDefaultTakesTheSwiftboxRemapRange() throws {
        let subuid = work + "/subuid", subgid = work + "/subgid"
        try "someone:100000:65536\n".write(toFile: subuid, atomically: true, encoding: .utf8)
        try "someone:100000:65536\n".write(toFile: subgid, atomically: true, encoding: .utf8)
        setenv("SWIFTBOX_SUBUID", subuid, 1)
        setenv("SWIFTBOX_SUBGID", subgid, 1)
        defer { unsetenv("SWIFTBOX_SUBUID"); unsetenv("SWIFTBOX_SUBGID") }
        for _ in 0..<2 {
            let r = run(["--rm", "--network", "none", "--userns-remap", "default", "busybox-image", "cat", "/proc/self/uid_map"])
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertEqual(r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }), ["0", "165536", "65536"])
        }
        XCTAssertEqual(try String(contentsOfFile: subuid, encoding: .utf8), "someone:100000:65536\nswiftbox-remap:165536:65536\n")
    }

    /// A root whose parent directory others may not search cannot be reached by the
    /// remapped root: the start fails naming that directory, and nothing is left running.
    func testARootTheRangeCannotReachIsAClearError() throws {
        let closed = work + "/closed"
        try FileManager.default.createDirectory(atPath: closed, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let root = closed + "/root"
        defer {
            for id in Self.shell([Self.binary, "ps", "-aq", "--root", root]).out.split(separator: "\n") {
                _ = Self.shell([Self.binary, "rm", "-f", "--root", root, String(id)])
            }
            _ = Self.shell([Self.binary, "system", "prune", "--root", root, "-af"])
        }
        XCTAssertEqual(Self.shell([Self.binary, "load", "--root", root, "-i", try XCTUnwrap(Self.imageLayout)]).status, 0)
        let r = Self.shell([Self.binary, "run", "--root", root, "--rm", "--network", "none", "--userns-remap", range, "busybox-image", "true"])
        XCTAssertEqual(r.status, 125)
        XCTAssertTrue(r.err.contains("cannot reach \(root): \(closed) does not let others search it (mode 700)"), r.err)
        XCTAssertEqual(Self.shell([Self.binary, "ps", "-q", "--root", root]).out, "", "nothing runs")
    }

    /// What cannot work under a remapping is refused before anything exists.
    func testIncompatibleAndBadValuesAreRefused() throws {
        let cases: [([String], String)] = [
            (["--userns-remap", range, "--privileged"], "--privileged is incompatible with --userns-remap"),
            (["--userns-remap", range, "--network", "host"], "--network host is incompatible with --userns-remap"),
            (["--userns-remap", "0:0:65536"], "maps the container's root to the host's root"),
            (["--userns-remap", "1:2"], "has no range for"),
            (["--userns-remap", "100000:100000:x"], "three numbers"),
        ]
        for (flags, message) in cases {
            let r = run(["--rm"] + flags + ["busybox-image", "true"])
            XCTAssertEqual(r.status, 125, "\(flags)")
            XCTAssertTrue(r.err.contains(message), "\(flags): \(r.err)")
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "nothing was created")
    }
}
