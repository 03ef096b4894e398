// RUN --mount=type=bind: the context and other stages bound into a RUN, read-only by
// default, resolved inside their root, and part of the step's cache key.
import XCTest

extension BuildTests {
    func testBindMountsOfTheContextAndOfAStage() throws {
        try write([
            "Dockerfile": """
                FROM busybox-image:latest AS tools
                RUN mkdir /kit && echo from-stage > /kit/tool.txt && ln -s /etc /kit/escape

                FROM busybox-image:latest
                RUN --mount=type=bind,target=/ctx cat /ctx/input.txt > /from-context
                RUN --mount=type=bind,from=tools,source=/kit,target=/kit cat /kit/tool.txt > /from-stage
                RUN --mount=type=bind,target=/ctx (echo nope > /ctx/written) 2>/dev/null; test ! -e /ctx/written && echo ro > /readonly
                CMD ["cat", "/from-context", "/from-stage", "/readonly"]
                """,
            "input.txt": "one\n",
        ])
        let first = build(["-t", "binds:1"])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(run(["--rm", "binds:1"]).out, "one\nfrom-stage\nro\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: context + "/written"), "a read-only bind wrote to the context")

        // The bound file is part of the key: changing it runs the RUN that reads it again.
        XCTAssertTrue(cachedSteps(build(["-t", "binds:1"]).err).count >= 4, "unchanged: cached")
        try write(["input.txt": "two\n"])
        let changed = build(["-t", "binds:1"])
        XCTAssertEqual(changed.status, 0, changed.err)
        XCTAssertFalse(cachedSteps(changed.err).contains { $0.contains("cat /ctx/input.txt") }, changed.err)
        XCTAssertEqual(run(["--rm", "binds:1"]).out, "two\nfrom-stage\nro\n")
        assertNothingLeft()
    }

    /// A symlink that points out of its root binds what it names inside the root,
    /// never the host's /etc (this host is Debian: /etc/debian_version; busybox has none).
    func testABindSourceSymlinkStaysInsideItsRoot() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/etc/debian_version"), "the host marker this test relies on")
        try write([
            "Dockerfile": """
                FROM busybox-image:latest AS tools
                RUN ln -s /etc /out-link

                FROM busybox-image:latest
                RUN --mount=type=bind,from=tools,source=/out-link,target=/seen ls /seen > /listing
                CMD ["cat", "/listing"]
                """,
        ])
        let r = build(["-t", "hostile-bind:1"])
        XCTAssertEqual(r.status, 0, r.err)
        let listing = run(["--rm", "hostile-bind:1"]).out
        XCTAssertTrue(listing.contains("passwd"), "the stage's own /etc: \(listing)")
        XCTAssertFalse(listing.contains("debian_version"), "the host's /etc was bound: \(listing)")

        // In the context: a link to the host's /etc resolves to <context>/etc: absent.
        XCTAssertEqual(symlink("/etc", context + "/hostile"), 0)
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN --mount=type=bind,source=hostile,target=/seen ls /seen\n"])
        let refused = build(["-t", "hostile-bind:2"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("Dockerfile:2") && refused.err.contains("not found in the build context"), refused.err)
        assertNothingLeft()
    }

    func testSshMountsAreRefusedWithTheLine() throws {
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN --mount=type=ssh true\n"])
        let r = build(["-t", "ssh:1"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("Dockerfile:2") && r.err.contains("type=ssh"), r.err)
        assertNothingLeft()
    }
}

extension BuildTests {
    /// `--root` given relative to the working directory: its paths go into bundles and
    /// mount options that other processes read from elsewhere (a RUN step once failed
    /// with "…/bundle/w/sb/containers/…/rootfs: no such directory").
    func testARelativeRootWorksForBuildAndRun() throws {
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN echo made > /made\nCMD [\"cat\", \"/made\"]\n"])
        let relative = "rel-root-\(getpid())"
        defer { _ = Self.shell(["sh", "-c", "cd \(work) && \(Self.binary) system prune -af --root \(relative) >/dev/null 2>&1; rm -rf \(relative)"]) }
        let layout = try XCTUnwrap(Self.imageLayout)
        let script = """
            cd \(work) && \(Self.binary) load --root \(relative) -i \(layout) >/dev/null && \
            \(Self.binary) build --root \(relative) --network none -q -t rel:1 \(context) >/dev/null && \
            \(Self.binary) run --rm --network none --root \(relative) rel:1
            """
        let r = Self.shell(["sh", "-c", script])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "made\n", r.err)
    }
}

extension BuildTests {
    /// A step's layer is written without fsync (the tagged image flushes the file
    /// system once): a layer left short by a crash of the machine must be a cache miss,
    /// built again, never reused.
    func testAShortLayerBlobIsACacheMiss() throws {
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN echo one > /one\nRUN echo two > /two\nCMD [\"cat\", \"/one\", \"/two\"]\n"])
        XCTAssertEqual(build(["-t", "short:1"]).status, 0)
        let layers = sbx(["image", "inspect", "--format", "{{range .RootFS.Layers}}{{println .}}{{end}}", "short:1"]).out
            .split(separator: "\n").map(String.init)
        let top = try XCTUnwrap(layers.last, "layers: \(layers)")
        let blob = engineRoot + "/images/blobs/sha256/" + top.replacingOccurrences(of: "sha256:", with: "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: blob), "layers are stored as their tar: \(blob)")
        XCTAssertEqual(truncate(blob, 100), 0)

        let again = build(["-t", "short:1"])
        XCTAssertEqual(again.status, 0, again.err)
        let cached = cachedSteps(again.err)
        XCTAssertTrue(cached.contains { $0.contains("echo one") }, again.err)
        XCTAssertFalse(cached.contains { $0.contains("echo two") }, "the short layer was reused: \(again.err)")
        // The step's new layer (a new digest when its files' times moved to another
        // second, the same one rewritten otherwise) is whole.
        let newTop = sbx(["image", "inspect", "--format", "{{range .RootFS.Layers}}{{println .}}{{end}}", "short:1"]).out
            .split(separator: "\n").map(String.init).last ?? ""
        var st = stat()
        XCTAssertEqual(stat(engineRoot + "/images/blobs/sha256/" + newTop.replacingOccurrences(of: "sha256:", with: ""), &st), 0)
        XCTAssertGreaterThan(st.st_size, 100, "the layer was written again, whole")
        XCTAssertEqual(run(["--rm", "short:1"]).out, "one\ntwo\n")
    }
}
