// Where the build cache's images are recorded: files of their own
// (images/intermediate/), not the index every command reads.
import XCTest

extension BuildTests {
    func testStepImagesStayOutOfTheIndexAndGoWithBuilderPrune() throws {
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN echo one > /one\nRUN echo two > /two\nCMD [\"cat\", \"/one\", \"/two\"]\n"])
        XCTAssertEqual(build(["-t", "records:1"]).status, 0)
        let indexText = try String(contentsOfFile: engineRoot + "/images/repositories.json", encoding: .utf8)
        XCTAssertFalse(indexText.contains("\"intermediate\""), "a step's image in the index: \(indexText.prefix(400))")
        let records = entries(engineRoot + "/images/intermediate")
        XCTAssertGreaterThanOrEqual(records.count, 2, "one record per RUN step: \(records)")

        // An image prune (dangling images) keeps them and their layers: the next build is all cached.
        XCTAssertEqual(sbx(["image", "prune", "-f"]).status, 0)
        XCTAssertEqual(entries(engineRoot + "/images/intermediate"), records)
        let again = build(["-t", "records:1"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(cachedSteps(again.err).contains { $0.contains("echo two") }, again.err)
        XCTAssertEqual(run(["--rm", "records:1"]).out, "one\ntwo\n")

        // builder prune removes them, and their layers with them.
        XCTAssertEqual(sbx(["builder", "prune", "-f"]).status, 0)
        XCTAssertEqual(entries(engineRoot + "/images/intermediate"), [])
        XCTAssertEqual(cachedSteps(build(["-t", "records:1"]).err).filter { $0.contains("RUN") }, [], "pruned: nothing cached")
        XCTAssertEqual(run(["--rm", "records:1"]).out, "one\ntwo\n", "the tagged image keeps its layers")
    }
}

extension BuildTests {
    /// A COPY that runs again links the files that come out as last time from the
    /// previous layer (CopyReuse) and copies the rest: the unchanged file keeps its
    /// inode, a changed one, a touched one (new mtime) and a re-moded one do not, and
    /// every file reads as its source.
    func testACopyThatRunsAgainLinksWhatDidNotChange() throws {
        try write(["Dockerfile": "FROM busybox-image:latest\nCOPY app/ /app/\n",
                   "app/same.txt": "same\n", "app/edit.txt": "one\n", "app/touch.txt": "touch\n", "app/mode.txt": "mode\n"])
        func inodes(_ tag: String) -> [String: String] {
            let out = run(["--rm", "--network", "none", tag, "sh", "-c", "cd /app && for f in *; do echo \"$f $(stat -c %i $f) $(cat $f) $(stat -c %a $f)\"; done"]).out
            var m: [String: String] = [:]
            for line in out.split(separator: "\n") {
                let w = line.split(separator: " ", maxSplits: 1).map(String.init)
                if w.count == 2 { m[w[0]] = w[1] }
            }
            return m
        }
        XCTAssertEqual(build(["-t", "reuse:1"]).status, 0)
        let first = inodes("reuse:1")
        try write(["app/edit.txt": "two\n"])
        XCTAssertEqual(utime(context + "/app/touch.txt", nil), 0)   // same bytes, new mtime
        XCTAssertEqual(chmod(context + "/app/mode.txt", 0o600), 0)
        let r = build(["-t", "reuse:2"])
        XCTAssertEqual(r.status, 0, r.err)
        let second = inodes("reuse:2")
        func ino(_ m: [String: String], _ f: String) -> String { String(m[f]?.split(separator: " ").first ?? "") }
        XCTAssertEqual(ino(second, "same.txt"), ino(first, "same.txt"), "unchanged: linked from the previous layer")
        for f in ["edit.txt", "touch.txt", "mode.txt"] {
            XCTAssertNotEqual(ino(second, f), ino(first, f), "\(f) changed: copied, not linked")
        }
        XCTAssertEqual(second["edit.txt"].map { $0.split(separator: " ").dropFirst().joined(separator: " ") }, "two 644")
        XCTAssertEqual(second["mode.txt"].map { $0.split(separator: " ").dropFirst().joined(separator: " ") }, "mode 600")
        XCTAssertEqual(second["same.txt"].map { $0.split(separator: " ").dropFirst().joined(separator: " ") }, "same 644")
        // The first image still reads as it was built.
        XCTAssertEqual(inodes("reuse:1")["edit.txt"].map { $0.split(separator: " ").dropFirst().joined(separator: " ") }, "one 644")
        // Its save holds every file whole (the layer's tar does not depend on links).
        let saved = work + "/reuse.tar"
        XCTAssertEqual(sbx(["save", "-o", saved, "reuse:2"]).status, 0)
        XCTAssertEqual(sbx(["builder", "prune", "-f"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: engineRoot + "/builder/copy-hints"), "prune drops the hints")
    }
}
