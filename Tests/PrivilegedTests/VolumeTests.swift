// Volumes, binds and tmpfs mounts end to end: data that outlives containers, copy-up
// once, read-only mounts, propagation, tmpfs limits, volumes-from, concurrent writers,
// an image that tries to send a volume out of its rootfs, and the bad-input errors.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class VolumeTests: EngineTestCase {
    let image = "busybox-image:latest"

    /// An image made from the busybox rootfs plus `prepare`d files, with Dockerfile `changes`.
    func makeImage(_ ref: String, changes: [String] = [], _ prepare: (String) throws -> Void) throws {
        let tree = work + "/tree-\(ref.replacingOccurrences(of: ":", with: "-"))"
        XCTAssertEqual(Self.shell(["cp", "-a", Self.sharedRootfs! + "/rootfs", tree]).status, 0)
        try prepare(tree)
        let tar = tree + ".tar"
        XCTAssertEqual(Self.shell(["tar", "--numeric-owner", "-C", tree, "-cf", tar, "."]).status, 0)
        let r = sbx(["import"] + changes.flatMap { ["--change", $0] } + [tar, ref])
        XCTAssertEqual(r.status, 0, r.err)
    }

    func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }

    func testDataOutlivesContainersAndCopyUpHappensOnce() throws {
        try makeImage("seeded:1") { root in
            try FileManager.default.createDirectory(atPath: root + "/seed/sub", withIntermediateDirectories: true)
            try "from the image\n".write(toFile: root + "/seed/sub/file", atomically: false, encoding: .utf8)
            XCTAssertEqual(chown(root + "/seed/sub/file", 1000, 1001), 0)
            XCTAssertEqual(chmod(root + "/seed/sub/file", 0o640), 0)
            XCTAssertEqual(chown(root + "/seed", 1000, 1000), 0)
            XCTAssertEqual(chmod(root + "/seed", 0o750), 0)
            XCTAssertEqual(symlink("sub/file", root + "/seed/link"), 0)
            try FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
            try "other\n".write(toFile: root + "/other/file", atomically: false, encoding: .utf8)
        }
        // First use: the empty volume is filled from the image, owners and modes kept.
        let first = run(["--rm", "-v", "vol:/seed", "seeded:1", "sh", "-c",
                         "stat -c '%u:%g %a %n' /seed /seed/sub/file; readlink /seed/link; cat /seed/link; echo written > /seed/mine"])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(lines(first.out), ["1000:1000 750 /seed", "1000:1001 640 /seed/sub/file", "sub/file", "from the image", ])
        // The next container reads what the first wrote; the volume is no longer empty,
        // so the image's files are not copied in again after being deleted.
        XCTAssertEqual(run(["--rm", "-v", "vol:/seed", "seeded:1", "rm", "-r", "/seed/sub", "/seed/link"]).status, 0)
        let second = run(["--rm", "-v", "vol:/seed", "seeded:1", "ls", "/seed"])
        XCTAssertEqual(second.out, "mine\n", second.err)
        // Mounted over another path with files: still no copy into a non-empty volume.
        XCTAssertEqual(run(["--rm", "-v", "vol:/other", "seeded:1", "ls", "/other"]).out, "mine\n")
        // nocopy: an empty volume stays empty.
        XCTAssertEqual(run(["--rm", "-v", "empty:/seed:nocopy", "seeded:1", "ls", "-A", "/seed"]).out, "")
        // Removing every container keeps named volumes.
        XCTAssertEqual(lines(sbx(["volume", "ls", "-q"]).out).sorted(), ["empty", "vol"])
    }

    func testReadOnlyFileBindsAndTmpfsLimits() throws {
        let file = work + "/motd"
        try "hello from the host\n".write(toFile: file, atomically: false, encoding: .utf8)
        let ro = run(["--rm", "-v", "data:/d:ro", "-v", file + ":/etc/motd:ro", image, "sh", "-c",
                      "cat /etc/motd; touch /d/x 2>/dev/null && echo wrote-d; echo x >> /etc/motd 2>/dev/null && echo wrote-motd; echo done"])
        XCTAssertEqual(ro.out, "hello from the host\ndone\n", ro.err)
        let rw = run(["--rm", "-v", file + ":/etc/motd", image, "sh", "-c", "echo appended >> /etc/motd"])
        XCTAssertEqual(rw.status, 0, rw.err)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "hello from the host\nappended\n")

        // 1 MiB tmpfs: 2 MiB do not fit; the defaults are nosuid,nodev,noexec and mode 1777.
        let t = run(["--rm", "--tmpfs", "/t:size=1m", image, "sh", "-c",
                     "dd if=/dev/zero of=/t/big bs=1024 count=2048 2>/dev/null; echo dd=$?; grep ' /t ' /proc/mounts; stat -c %a /t"])
        XCTAssertTrue(t.out.contains("dd=1"), t.out)
        XCTAssertTrue(t.out.contains("size=1024k"), t.out)
        XCTAssertTrue(t.out.contains("nosuid,nodev,noexec"), t.out)
        XCTAssertTrue(t.out.hasSuffix("1777\n"), t.out)
        let m = run(["--rm", "--mount", "type=tmpfs,target=/m,tmpfs-size=64k,tmpfs-mode=700", image, "sh", "-c",
                     "grep ' /m ' /proc/mounts; stat -c %a /m"])
        XCTAssertTrue(m.out.contains("size=64k"), m.out)
        XCTAssertTrue(m.out.hasSuffix("700\n"), m.out)
    }

    func testBindSourcesAsDockerTreatsThem() {
        // -v creates a missing host directory; --mount type=bind refuses it.
        let missing = work + "/made-by-v"
        XCTAssertEqual(run(["--rm", "-v", missing + ":/x", image, "touch", "/x/f"]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: missing + "/f"))
        let refused = run(["--rm", "--mount", "type=bind,source=\(work)/absent,target=/x", image, "true"])
        XCTAssertEqual(refused.status, 125)
        XCTAssertTrue(refused.err.contains("bind source path does not exist: \(work)/absent"), refused.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/absent"))
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "nothing created")
    }

    func testBindPropagationFollowsTheFlag() throws {
        // A shared host directory: a mount made under it later reaches rslave binds only.
        let shared = work + "/shared"
        try FileManager.default.createDirectory(atPath: shared + "/sub", withIntermediateDirectories: true)
        XCTAssertEqual(Self.shell(["mount", "--bind", shared, shared]).status, 0)
        defer { _ = Self.shell(["umount", "-R", "-l", shared]) }
        XCTAssertEqual(Self.shell(["mount", "--make-shared", shared]).status, 0)
        XCTAssertEqual(run(["-d", "--name", "slave", "-v", shared + ":/s:rslave", image, "sleep", "60"]).status, 0)
        XCTAssertEqual(run(["-d", "--name", "private", "-v", shared + ":/s", image, "sleep", "60"]).status, 0)
        XCTAssertEqual(Self.shell(["mount", "-t", "tmpfs", "-o", "size=64k", "late", shared + "/sub"]).status, 0)
        eventually("the slave bind sees the host's new mount") {
            self.sbx(["exec", "slave", "grep", " /s/sub ", "/proc/mounts"]).status == 0
        }
        XCTAssertNotEqual(sbx(["exec", "private", "grep", " /s/sub ", "/proc/mounts"]).status, 0, "rprivate must not receive it")
        _ = sbx(["rm", "-f", "slave", "private"])
    }

    func testVolumesFromAndConcurrentWriters() {
        XCTAssertEqual(run(["-d", "--name", "owner", "-v", "shared:/data", "-v", "/anon", image, "sleep", "60"]).status, 0)
        // Two containers append to one file at once, through --volumes-from and by name.
        let a = run(["-d", "--volumes-from", "owner", image, "sh", "-c", "for i in $(seq 300); do echo a$i >> /data/log; done"])
        let b = run(["-d", "-v", "shared:/data", image, "sh", "-c", "for i in $(seq 300); do echo b$i >> /data/log; done"])
        XCTAssertEqual(a.status, 0, a.err)
        XCTAssertEqual(b.status, 0, b.err)
        for id in [a.out, b.out].map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) {
            XCTAssertEqual(sbx(["wait", id]).out, "0\n")
        }
        let log = lines(sbx(["exec", "owner", "cat", "/data/log"]).out)
        XCTAssertEqual(log.count, 600, "no write lost")
        XCTAssertEqual(Set(log).count, 600)
        // :ro from --volumes-from; the anonymous volume comes along too.
        let ro = run(["--rm", "--volumes-from", "owner:ro", image, "sh", "-c", "touch /data/x 2>/dev/null || echo ro; touch /anon/y 2>/dev/null || echo ro2"])
        XCTAssertEqual(ro.out, "ro\nro2\n", ro.err)
        // In use: refused, with -f too.
        let inUse = sbx(["volume", "rm", "shared"])
        XCTAssertEqual(inUse.status, 1)
        XCTAssertTrue(inUse.err.contains("remove shared: volume is in use - ["), inUse.err)
        XCTAssertEqual(sbx(["volume", "rm", "-f", "shared"]).status, 1)
        XCTAssertEqual(lines(sbx(["volume", "ls", "--filter", "dangling=false", "-q"]).out).count, 2)
    }

    func testImageVolumesAreAnonymousAndGoWithTheContainer() throws {
        try makeImage("withvol:1", changes: ["VOLUME /cache"]) { root in
            try FileManager.default.createDirectory(atPath: root + "/cache", withIntermediateDirectories: true)
            try "seed\n".write(toFile: root + "/cache/seed", atomically: false, encoding: .utf8)
        }
        let c = run(["-d", "--name", "v1", "-v", "keep:/keep", "withvol:1", "sleep", "60"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertEqual(sbx(["exec", "v1", "cat", "/cache/seed"]).out, "seed\n", "image VOLUME filled by copy-up")
        let inspect = sbx(["inspect", "v1"]).out
        XCTAssertTrue(inspect.contains("\"Destination\" : \"/cache\""), inspect)
        XCTAssertEqual(lines(sbx(["volume", "ls", "-q"]).out).count, 2)
        XCTAssertEqual(sbx(["rm", "-f", "-v", "v1"]).status, 0)
        XCTAssertEqual(lines(sbx(["volume", "ls", "-q"]).out), ["keep"], "rm -v removes the anonymous volume only")
        XCTAssertEqual(run(["--rm", "withvol:1", "true"]).status, 0)
        XCTAssertEqual(lines(sbx(["volume", "ls", "-q"]).out), ["keep"], "--rm removes anonymous volumes")
        // A -v over the VOLUME path replaces the anonymous volume; keep is still empty, so it is filled.
        XCTAssertEqual(run(["--rm", "-v", "keep:/cache", "withvol:1", "cat", "/cache/seed"]).out, "seed\n")
        XCTAssertEqual(lines(sbx(["volume", "ls", "-q"]).out), ["keep"])
    }

    func testSymlinkInImageCannotSendAVolumeOutOfTheRootfs() throws {
        let marker = "swiftbox-volume-escape-\(getpid())"
        try makeImage("escape:1") { root in
            XCTAssertEqual(symlink("/etc", root + "/data"), 0)
        }
        let r = run(["--rm", "-v", "evil:/data", "escape:1", "sh", "-c", "touch /data/\(marker); ls /etc/\(marker)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/" + marker), "the host's /etc was written")
        let data = sbx(["volume", "inspect", "evil"]).out
        XCTAssertTrue(data.contains("/volumes/evil/_data"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: engineRoot + "/volumes/evil/_data/" + marker), "the volume sits on the container's own /etc")
        XCTAssertTrue(FileManager.default.fileExists(atPath: engineRoot + "/volumes/evil/_data/passwd"), "copy-up came from the image's /etc")
        XCTAssertFalse(FileManager.default.fileExists(atPath: engineRoot + "/volumes/evil/_data/debian_version"), "copy-up read the host's /etc")
    }

    func testVolumeCommandsAndDriverOptions() {
        XCTAssertEqual(sbx(["volume", "create", "--label", "team=db", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", "o=size=256k", "fast"]).out, "fast\n")
        XCTAssertEqual(run(["-d", "--name", "w", "-v", "fast:/f", image, "sh", "-c", "echo hi > /f/x; sleep 60"]).status, 0)
        eventually("the other container sees the tmpfs volume's file") {
            self.run(["--rm", "-v", "fast:/f", image, "cat", "/f/x"]).out == "hi\n"
        }
        let df = run(["--rm", "-v", "fast:/f", image, "df", "-k", "/f"]).out
        XCTAssertTrue(df.contains("256"), df)
        let json = sbx(["volume", "ls", "--format", "json"]).out
        XCTAssertTrue(json.contains("\"Labels\":\"team=db\""), json)
        XCTAssertEqual(sbx(["volume", "ls", "-q", "--filter", "label=team=db"]).out, "fast\n")
        XCTAssertEqual(sbx(["volume", "ls", "-q", "--filter", "label=team=web"]).out, "")
        XCTAssertEqual(sbx(["volume", "ls", "-q", "--filter", "dangling=true"]).out, "")
        _ = sbx(["rm", "-f", "w"])
        XCTAssertEqual(sbx(["volume", "ls", "-q", "--filter", "dangling=true"]).out, "fast\n")
        // prune: anonymous only by default; -a takes unused named volumes too.
        XCTAssertEqual(run(["-d", "--name", "a", "-v", "/anon", image, "true"]).status, 0)
        _ = sbx(["wait", "a"])
        XCTAssertEqual(sbx(["volume", "prune", "-f"]).out, "Total reclaimed space: 0B\n", "the anonymous volume is still used by a")
        _ = sbx(["rm", "a"])
        XCTAssertEqual(lines(sbx(["volume", "ls", "-q"]).out).count, 2)
        XCTAssertTrue(sbx(["volume", "prune", "-f"]).out.hasPrefix("Deleted Volumes:\n"))
        XCTAssertEqual(sbx(["volume", "ls", "-q"]).out, "fast\n")
        XCTAssertEqual(sbx(["volume", "prune", "-a", "-f"]).status, 0)
        XCTAssertEqual(sbx(["volume", "ls", "-q"]).out, "")
        let mounts = PrivilegedTestCase.mountinfo()
        XCTAssertFalse(mounts.contains(engineRoot + "/volumes"), "the tmpfs volume was unmounted")
    }

    func testBadInputIsRefusedClearlyAndCreatesNothing() {
        let unknown = sbx(["volume", "rm", "nosuch"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.err, "swiftbox: get nosuch: no such volume\n")
        XCTAssertEqual(sbx(["volume", "rm", "-f", "nosuch"]).status, 0)
        let invalid = sbx(["volume", "create", "bad/name"])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertTrue(invalid.err.contains("includes invalid characters for a local volume name"), invalid.err)
        XCTAssertEqual(sbx(["volume", "create", "--opt", "colour=red", "x1"]).status, 1)
        for args in [["--mount", "type=volume,target=/x,colour=red"], ["--mount", "type=bind,target=/x"], ["--mount", "source=v,target"],
                     ["-v", "v:relative"], ["-v", "v:/x:rq"], ["-v", "v:/x", "-v", "w:/x"], ["--tmpfs", "/t:size=lots"],
                     ["--volumes-from", "nosuch"], ["--mount", "type=volume,source=v1,target=/x,volume-opt=type"]] {
            let r = run(["--rm"] + args + [image, "true"])
            XCTAssertEqual(r.status, 125, "\(args): \(r.err)")
            XCTAssertTrue(r.err.hasPrefix("swiftbox: "), "\(args): \(r.err)")
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "no container was created")
        XCTAssertEqual(sbx(["volume", "ls", "-q"]).out, "", "no volume was created")
    }
}
