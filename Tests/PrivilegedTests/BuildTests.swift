// `swiftbox build` end to end: real RUN containers, layers written and read back, the
// cache, what failures and interrupts leave (nothing), and the image in podman.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class BuildTests: EngineTestCase {
    var context: String { work + "/ctx" }

    func write(_ files: [String: String]) throws {
        for (name, text) in files {
            let path = context + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    func build(_ args: [String]) -> (status: Int32, out: String, err: String) {
        sbx(["build"] + args + [context])
    }

    /// The step lines of a build's progress ("#5 CACHED" and the names), for cache checks.
    func cachedSteps(_ err: String) -> [String] {
        let lines = err.split(separator: "\n").map(String.init)
        var names: [String: String] = [:]
        var cached: [String] = []
        for l in lines {
            let parts = l.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].hasPrefix("#") else { continue }
            if parts[1].hasPrefix("[") { names[parts[0]] = parts[1] }
            if parts[1] == "CACHED" { cached.append(names[parts[0]] ?? parts[0]) }
        }
        return cached
    }

    /// What a build must not leave: step containers, mounts under the root, sessions.
    func assertNothingLeft(_ file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "no step container left", file: file, line: line)
        XCTAssertFalse(PrivilegedTestCase.mountinfo().contains(engineRoot), "no mount left under the root", file: file, line: line)
        XCTAssertEqual(entries(engineRoot + "/builder/tmp"), [], "no overlay session left", file: file, line: line)
    }

    /// The Debian 12 fixture (debootstrap; `make fixtures-debian` keeps one in
    /// fixtures-out/, else it is built once per test run from the cached .debs).
    static let debianLayout: String? = {
        let made = packageRoot + "/fixtures-out/debian-image"
        if FileManager.default.fileExists(atPath: made + "/index.json") { return made }
        let dir = NSTemporaryDirectory() + "swiftbox-debian-\(getpid())/debian-image"
        guard shell([packageRoot + "/rootfs-fixtures/debian-image.sh", dir]).status == 0 else { return nil }
        atexit { _ = try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "swiftbox-debian-\(getpid())") }
        return dir
    }()

    /// Three stages over the three fixtures (Debian, Alpine, busybox): ARG/ENV, RUN,
    /// COPY --from, USER, WORKDIR, VOLUME, EXPOSE and HEALTHCHECK, and the image runs
    /// with all of them and turns healthy.
    func testThreeStagesMakeAnImageThatRunsAndTurnsHealthy() throws {
        let alpine = try loadAlpine()
        guard let debianLayout = Self.debianLayout else { throw missingTool("no Debian image: rootfs-fixtures/debian-image.sh failed (make fixtures-debian)") }
        XCTAssertEqual(sbx(["load", "-i", debianLayout]).status, 0)
        try write([
            "Dockerfile": """
            ARG BASE=busybox-image:latest
            FROM debian-image:bookworm-web AS tools
            ARG VERSION=1.0
            RUN echo "tools $VERSION on $(cut -d. -f1 /etc/debian_version)" > /made-by-tools

            FROM \(alpine) AS app
            COPY --from=tools /made-by-tools /opt/app/
            COPY app.sh /opt/app/run.sh
            RUN chmod 755 /opt/app/run.sh && addgroup -g 4242 app && adduser -D -u 4242 -G app app && chown -R app:app /opt/app

            FROM $BASE
            COPY --from=app /etc/passwd /etc/group /etc/
            COPY --from=app /opt/app /opt/app
            ENV GREETING="hello there"
            WORKDIR /opt/app
            USER app
            VOLUME /data
            EXPOSE 8080/tcp 9090
            HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD test -f /opt/app/made-by-tools
            CMD ["./run.sh"]
            """,
            "app.sh": "#!/bin/sh\necho \"$GREETING, I am $(id -u) in $(pwd)\"\ncat made-by-tools\nls -ld /data | cut -c1-10\n",
        ])
        let r = build(["-t", "three:stages", "--build-arg", "VERSION=2.5"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("sha256:"), r.out)
        let out = run(["--rm", "three:stages"])
        XCTAssertEqual(out.out, "hello there, I am 4242 in /opt/app\ntools 2.5 on 12\ndrwxr-xr-x\n", out.err)
        let inspect = sbx(["image", "inspect", "-f", "{{json .Config.ExposedPorts}} {{.Config.User}} {{json .Config.Volumes}}", "three:stages"])
        XCTAssertEqual(inspect.out, "{\"8080/tcp\":{},\"9090/tcp\":{}} app {\"/data\":{}}\n", inspect.err)
        XCTAssertEqual(run(["-d", "--name", "healthy", "three:stages", "sleep", "30"]).status, 0)
        eventually("the image's HEALTHCHECK reports healthy", seconds: 15) {
            self.sbx(["inspect", "-f", "{{.State.Health.Status}}", "healthy"]).out == "healthy\n"
        }
    }

    /// Nothing changed: every step CACHED and the same image ID. One file changed: the
    /// steps before the COPY that reads it stay cached, the rest run. A file that
    /// .dockerignore excludes changes nothing; a build arg RUN sees does; --no-cache
    /// runs everything.
    func testTheCacheMissesFromTheFirstStepThatSeesAChange() throws {
        try write([
            "Dockerfile": "FROM busybox-image:latest\nARG FLAVOUR=plain\nRUN echo base > /base\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy && echo $FLAVOUR >> /copy\nCMD [\"cat\", \"/copy\"]\n",
            "a.txt": "one\n", "ignored.log": "x\n", ".dockerignore": "*.log\n",
        ])
        let first = build(["-t", "cached:1"])
        XCTAssertEqual(first.status, 0, first.err)
        let again = build(["-t", "cached:1"])
        XCTAssertEqual(again.out, first.out, "same image ID")
        XCTAssertEqual(cachedSteps(again.err).count, 5, again.err)

        try write(["ignored.log": "changed\n"])
        XCTAssertEqual(build(["-t", "cached:1"]).out, first.out, "an ignored file is not part of the context")

        try write(["a.txt": "two\n"])
        let changed = build(["-t", "cached:1"])
        XCTAssertEqual(changed.status, 0, changed.err)
        XCTAssertEqual(cachedSteps(changed.err), ["[2/6] ARG FLAVOUR=plain", "[3/6] RUN echo base > /base"], changed.err)
        XCTAssertEqual(run(["--rm", "cached:1"]).out, "two\nplain\n")

        let arg = build(["-t", "cached:1", "--build-arg", "FLAVOUR=spicy"])
        XCTAssertEqual(run(["--rm", "cached:1"]).out, "two\nspicy\n", arg.err)
        XCTAssertFalse(cachedSteps(arg.err).contains { $0.contains("RUN cat") }, "RUN sees the new ARG value")

        let none = build(["-t", "cached:1", "--no-cache"])
        XCTAssertEqual(none.status, 0, none.err)
        XCTAssertEqual(cachedSteps(none.err), [])
        XCTAssertEqual(sbx(["builder", "prune", "-f"]).status, 0)
        XCTAssertEqual(cachedSteps(build(["-t", "cached:1"]).err), [], "pruned: nothing cached")
    }

    /// Deletions become whiteouts, a replaced directory is opaque, and modes, owners,
    /// symlinks and hard links survive the layer round trip (read back by a container
    /// and by podman, which unpacks the saved layers itself).
    func testLayersKeepDeletionsOwnersLinksAndModes() throws {
        try write(["Dockerfile": """
            FROM busybox-image:latest
            RUN mkdir -p /d/sub && echo keep > /d/keep && echo gone > /d/gone && echo old > /d/sub/old && touch /x && \\
                echo data > /h1 && ln /h1 /h2 && ln -s /h1 /sym && chown 12:34 /h1 && chmod 4710 /h1
            RUN rm /d/gone /x && rm -rf /d/sub && mkdir /d/sub && echo new > /d/sub/new
            CMD ["sh", "-c", "ls /d; ls /d/sub; test -e /x || echo no-x; stat -c '%a %u:%g %h' /h1; readlink /sym; cat /h2"]
            """])
        XCTAssertEqual(build(["-t", "layers:1"]).status, 0)
        let expected = "keep\nsub\nnew\nno-x\n4710 12:34 2\n/h1\ndata\n"
        XCTAssertEqual(run(["--rm", "layers:1"]).out, expected)
        try requirePodman()
        let tar = work + "/layers.tar"
        XCTAssertEqual(sbx(["save", "-o", tar, "layers:1"]).status, 0)
        let podman = podmanRun(tar, image: "layers:1")
        XCTAssertEqual(podman.out, expected, podman.err)
    }

    /// A RUN that fails: its output and exit code, status 1, no tag, nothing left.
    func testAFailingRunTagsNothingAndLeavesNothing() throws {
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN echo about to fail && exit 3\n"])
        let r = build(["-t", "broken:1"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("about to fail"), r.err)
        XCTAssertTrue(r.err.contains("process \"/bin/sh -c echo about to fail && exit 3\" did not complete successfully: exit code: 3"), r.err)
        XCTAssertNotEqual(sbx(["image", "inspect", "broken:1"]).status, 0, "not tagged")
        assertNothingLeft()
    }

    /// Ctrl-C in the middle of a RUN: the step's container goes, status 130. A build
    /// killed outright (SIGKILL, no chance to clean) leaves its step, which the next
    /// build removes.
    func testInterruptedAndKilledBuildsLeaveNothingBehind() throws {
        // st''arted: the step's header shows the quotes, only its output says "started".
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN echo st''arted && sleep 30\n"])
        let out = work + "/build.out"
        let pid = spawn(["sh", "-c", "exec \(Self.binary) build --no-cache --root \(engineRoot) -t slow:1 \(context) >\(out) 2>&1"])
        eventually("the RUN step has started") { (try? String(contentsOfFile: out, encoding: .utf8))?.contains("started") == true }
        kill(pid, SIGINT)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual((status >> 8) & 0xff, 130, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
        assertNothingLeft()

        let out2 = work + "/build2.out"
        let killed = spawn(["sh", "-c", "exec \(Self.binary) build --no-cache --root \(engineRoot) -t slow:1 \(context) >\(out2) 2>&1"])
        eventually("the RUN step has started") { (try? String(contentsOfFile: out2, encoding: .utf8))?.contains("started") == true }
        kill(killed, SIGKILL)
        waitpid(killed, &status, 0)
        XCTAssertNotEqual(sbx(["ps", "-aq"]).out, "", "a killed build could not remove its step")
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN true\n"])
        XCTAssertEqual(build(["-t", "next:1"]).status, 0)
        assertNothingLeft()
    }

    /// Errors name the file and line (or what is wrong) and build nothing.
    func testBadInputIsRefusedWithWhereAndWhat() throws {
        try FileManager.default.createDirectory(atPath: work + "/outside", withIntermediateDirectories: true)
        let cases: [(String, String)] = [
            ("FROM busybox-image:latest\nRUNN echo\n", "Dockerfile:2: unknown instruction: RUNN"),
            ("FROM busybox-image:latest\nCOPY missing.txt /\n", "\"/missing.txt\": not found"),
            ("FROM busybox-image:latest\nCOPY ../outside /x\n", "forbidden path outside the build context: ../outside"),
            ("FROM --platform=linux/arm64 busybox-image:latest\n", "this host builds only for linux/amd64"),
            ("FROM no-such-image-here:1\n", "no-such-image-here:1"),
            ("FROM busybox-image:latest\nCOPY a b /dest\n", "must be a directory and end with a /"),
        ]
        for (dockerfile, message) in cases {
            try write(["Dockerfile": dockerfile, "a": "", "b": ""])
            let r = build(["-t", "bad:1"])
            XCTAssertNotEqual(r.status, 0, dockerfile)
            XCTAssertTrue(r.err.contains(message), "\(dockerfile): \(r.err)")
        }
        XCTAssertTrue(build(["--target", "nope"]).err.contains("target stage \"nope\" could not be found"))
        XCTAssertNotEqual(sbx(["image", "inspect", "bad:1"]).status, 0)
        assertNothingLeft()
    }

    /// `build -` takes the Dockerfile on stdin (no context); a Containerfile is found
    /// like a Dockerfile; RUN's shell form goes through SHELL; heredocs run.
    func testStdinContainerfileShellAndHeredocs() throws {
        let stdin = work + "/stdin.Dockerfile"
        try "FROM busybox-image:latest\nRUN echo from-stdin > /f\nCMD cat /f\n".write(toFile: stdin, atomically: true, encoding: .utf8)
        let piped = Self.shell(["sh", "-c", "\(Self.binary) build --root \(engineRoot) -t piped:1 - < \(stdin)"])
        XCTAssertEqual(piped.status, 0, piped.err)
        XCTAssertEqual(run(["--rm", "piped:1"]).out, "from-stdin\n")
        try write(["Containerfile": """
            FROM busybox-image:latest
            SHELL ["/bin/sh", "-e", "-c"]
            RUN <<EOF
            echo line one > /script.out
            echo line two >> /script.out
            EOF
            COPY <<NOTE /note.txt
            a note
            NOTE
            CMD cat /script.out /note.txt
            """])
        let r = build(["-t", "heredoc:1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(run(["--rm", "heredoc:1"]).out, "line one\nline two\na note\n")
        // The context as a tar stream on stdin, its Containerfile inside.
        let tarred = Self.shell(["sh", "-c", "tar -C \(context) -cz . | \(Self.binary) build --root \(engineRoot) -t tarred:1 -"])
        XCTAssertEqual(tarred.status, 0, tarred.err)
        XCTAssertEqual(run(["--rm", "tarred:1"]).out, "line one\nline two\na note\n")
        XCTAssertEqual(entries(engineRoot + "/builder/tmp"), [], "the unpacked context is removed")
    }

    /// ADD unpacks a local archive (owners and modes from it; nothing outside DEST) and
    /// downloads a URL (here from a server on 127.0.0.1), checked with --checksum.
    func testAddUnpacksArchivesAndDownloadsURLs() throws {
        try write(["payload/dir/file.txt": "in the archive\n", "served/remote.txt": "from the web\n"])
        let tar = Self.shell(["tar", "-C", context + "/payload", "--owner=7", "--group=8", "-czf", context + "/payload.tgz", "dir"])
        XCTAssertEqual(tar.status, 0, tar.err)
        // A hostile archive: an entry that climbs out, and a symlink then a write through it.
        let evil = Self.shell(["python3", "-c", """
            import tarfile, io
            t = tarfile.open('\(context)/evil.tar', 'w')
            def add(name, data=b'', **kw):
                i = tarfile.TarInfo(name); i.size = len(data)
                for k, v in kw.items(): setattr(i, k, v)
                t.addfile(i, io.BytesIO(data))
            add('../../escaped', b'x')
            add('link', type=tarfile.SYMTYPE, linkname='/etc')
            add('link/evil-passwd', b'x')
            t.close()
            """])
        XCTAssertEqual(evil.status, 0, evil.err)
        // Not 20000+: the compose tests publish ports there, and the connections to this
        // server leave TIME_WAIT entries on its port (swiftbox binds published ports
        // without SO_REUSEADDR).
        let port = 41000 + Int(getpid() % 9000)
        let server = spawn(["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", context + "/served", "\(port)"])
        defer { kill(server, SIGTERM); waitpid(server, nil, 0) }
        eventually("the web server answers") { Self.shell(["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]).status == 0 || Self.shell(["python3", "-c", "import socket; socket.create_connection(('127.0.0.1', \(port)))"]).status == 0 }
        let sum = Self.shell(["sha256sum", context + "/served/remote.txt"]).out.prefix(64)
        try write(["Dockerfile": """
            FROM busybox-image:latest
            ADD payload.tgz /unpacked/
            ADD --checksum=sha256:\(sum) http://127.0.0.1:\(port)/remote.txt /web/
            CMD ["sh", "-c", "stat -c '%u:%g %n' /unpacked/dir/file.txt; cat /unpacked/dir/file.txt /web/remote.txt"]
            """])
        let r = build(["-t", "added:1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(run(["--rm", "added:1"]).out, "7:8 /unpacked/dir/file.txt\nin the archive\nfrom the web\n")
        // The hostile archive: the entry that climbs out is dropped, and the write
        // through the archive's own symlink is refused (Docker would write into the
        // image's /etc); nothing reaches the host.
        try write(["Dockerfile": "FROM busybox-image:latest\nADD evil.tar /evil/\n"])
        let hostile = build(["-t", "added:3"])
        XCTAssertNotEqual(hostile.status, 0)
        XCTAssertTrue(hostile.err.contains("link/evil-passwd"), hostile.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/evil-passwd"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: (context as NSString).deletingLastPathComponent + "/escaped"))
        try write(["Dockerfile": "FROM busybox-image:latest\nADD --checksum=sha256:\(String(repeating: "0", count: 64)) http://127.0.0.1:\(port)/remote.txt /\n"])
        let bad = build(["-t", "added:2"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("checksum mismatch"), bad.err)
        assertNothingLeft()
    }

    /// Independent stages build at the same time: each waits (at most 20 s) for the
    /// other's marker in a shared cache mount, which only works if both run at once;
    /// built one after the other, the first would give up and fail the build.
    func testIndependentStagesBuildAtTheSameTime() throws {
        let id = "rendezvous-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func stage(_ me: String, _ other: String) -> String {
            """
            FROM busybox-image:latest AS \(me)
            RUN --mount=type=cache,target=/meet,id=\(id) touch /meet/\(me) && \
                for i in $(seq 1 200); do test -e /meet/\(other) && break; sleep 0.1; done && test -e /meet/\(other) && echo \(me) > /done
            """
        }
        try write(["Dockerfile": stage("left", "right") + "\n" + stage("right", "left") + """

            FROM busybox-image:latest
            COPY --from=left /done /left
            COPY --from=right /done /right
            CMD ["cat", "/left", "/right"]
            """])
        let r = build(["-t", "parallel:1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(run(["--rm", "parallel:1"]).out, "left\nright\n")
        // A failing stage cancels the one building beside it, and nothing is left.
        try write(["Dockerfile": "FROM busybox-image:latest AS slow\nRUN sleep 20\nFROM busybox-image:latest AS broken\nRUN exit 7\n"
                   + "FROM busybox-image:latest\nCOPY --from=slow /etc/hostname /a\nCOPY --from=broken /etc/hostname /b\n"])
        let failed = build(["-t", "parallel:2"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.err.contains("exit code: 7"), failed.err)
        assertNothingLeft()
    }

    // MARK: helpers

    func spawn(_ argv: [String]) -> pid_t {
        var pid: pid_t = 0
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        XCTAssertEqual(posix_spawnp(&pid, argv[0], nil, nil, &cargs, environ), 0)
        return pid
    }

    func requirePodman() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/podman") else { throw missingTool("podman is not installed (make deps)") }
    }

    /// podman with storage of its own under the test's directory: load the tar, run
    /// the image, remove everything.
    func podmanRun(_ tar: String, image: String) -> (status: Int32, out: String, err: String) {
        let dir = work + "/podman"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n".write(toFile: dir + "/containers.conf", atomically: true, encoding: .utf8)
        let pod = ["/usr/bin/env", "CONTAINERS_CONF=\(dir)/containers.conf", "podman", "--root", dir + "/storage", "--runroot", dir + "/run",
                   "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "none"]
        defer {
            _ = Self.shell(pod + ["rmi", "-af"])
            _ = Self.shell(pod + ["system", "reset", "-f"])
            _ = Self.shell(["umount", "-R", dir + "/storage/overlay"])
        }
        let load = Self.shell(pod + ["load", "-i", tar])
        guard load.status == 0 else { return load }
        return Self.shell(pod + ["run", "--rm", "--network", "none", image])
    }
}
