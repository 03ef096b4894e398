// `history` and `diff` (issue #20): Docker's rows, from the image's config and the
// container's upper directory.
import XCTest

final class HistoryDiffTests: EngineTestCase {
    func testHistoryPairsEntriesWithTheirLayers() throws {
        let context = work + "/ctx"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox-image:latest\nENV A=1\nRUN echo hello > /hello\nCOPY f /f\nCMD [\"sh\"]\n"
            .write(toFile: context + "/Dockerfile", atomically: true, encoding: .utf8)
        try "12345678\n".write(toFile: context + "/f", atomically: true, encoding: .utf8)
        let built = sbx(["build", "-q", "-t", "hist:1", context])
        XCTAssertEqual(built.status, 0, built.err)
        let id = built.out.trimmingCharacters(in: .whitespacesAndNewlines)

        let rows = sbx(["history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}", "hist:1"])
        XCTAssertEqual(rows.status, 0, rows.err)
        let lines = rows.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(4)), [
            "\(id)|CMD [\"sh\"]|0B",
            "<missing>|COPY f /f|9B",
            "<missing>|RUN /bin/sh -c echo hello > /hello|6B",
            "<missing>|ENV A=1|0B",
        ])
        XCTAssertGreaterThan(lines.count, 4, "the base image's entries follow")
        XCTAssertEqual(sbx(["history", "-q", "hist:1"]).out.split(separator: "\n").first.map(String.init), String(id.dropFirst(7).prefix(12)))
        let table = sbx(["image", "history", "hist:1"]).out.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(table.hasPrefix("IMAGE") && table.contains("CREATED BY") && table.contains("COMMENT"), table)
        XCTAssertEqual(sbx(["history", "-H", "false", "--format", "{{.Size}}", "hist:1"]).out.split(separator: "\n").dropFirst().first, "9")

        let missing = sbx(["history", "no-such-image:1"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("no-such-image"), missing.err)
    }

    func testDiffShowsAddedChangedAndDeleted() throws {
        let r = run(["--name", "changer", "--network", "none", "busybox-image",
                     "sh", "-c", "mkdir -p /tmp/new && echo a > /tmp/new/a && rm -rf /root && echo x >> /etc/passwd && rm -rf /tmp/gone; mkdir /srv && touch /srv/fresh"])
        XCTAssertEqual(r.status, 0, r.err)
        let diff = sbx(["diff", "changer"])
        XCTAssertEqual(diff.status, 0, diff.err)
        let lines = diff.out.split(separator: "\n").map(String.init)
        for expected in ["C /etc", "C /etc/passwd", "D /root", "C /tmp", "A /tmp/new", "A /tmp/new/a", "A /srv", "A /srv/fresh"] {
            XCTAssertTrue(lines.contains(expected), "\(expected) missing from:\n\(diff.out)")
        }
        XCTAssertFalse(lines.contains { $0.hasPrefix("A /etc/passwd") || $0.hasPrefix("C /tmp/new") }, diff.out)
        XCTAssertEqual(sbx(["container", "diff", "changer"]).out, diff.out)
        let gone = sbx(["diff", "no-such-container"])
        XCTAssertEqual(gone.status, 125, "as the other container commands (logs, rm)")
        XCTAssertTrue(gone.err.contains("No such container: no-such-container"), gone.err)
    }
}
