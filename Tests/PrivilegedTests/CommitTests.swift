// `commit` (issue #20): a container's changes as an image that runs, stopped or
// running (paused while its layer is read), with --change, --message and --author.
import XCTest

final class CommitTests: EngineTestCase {
    func testCommitKeepsChangesDeletionsAndTheContainersSettings() throws {
        let r = run(["--name", "maker", "--network", "none", "-e", "FOO=bar", "-w", "/tmp", "busybox-image",
                     "sh", "-c", "echo made > /made && rm /bin/vi && mkdir -p /srv/d && echo x > /srv/d/x"])
        XCTAssertEqual(r.status, 0, r.err)
        let c = sbx(["commit", "-m", "my message", "-a", "Me <me@example.com>", "-c", "CMD [\"cat\", \"/made\"]", "-c", "EXPOSE 8080",
                     "maker", "made:1"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertTrue(c.out.hasPrefix("sha256:") && c.out.count == 72, c.out)
        XCTAssertEqual(run(["--rm", "--network", "none", "made:1"]).out, "made\n", "the --change CMD and the new file")
        XCTAssertEqual(run(["--rm", "--network", "none", "made:1", "sh", "-c", "echo $FOO $(pwd); cat /srv/d/x; test -e /bin/vi || echo gone"]).out,
                       "bar /tmp\nx\ngone\n", "env, workdir, a new directory and a deletion")
        let inspect = sbx(["image", "inspect", "-f", "{{json .Config.ExposedPorts}}|{{len .RootFS.Layers}}", "made:1"])
        XCTAssertEqual(inspect.out, "{\"8080/tcp\":{}}|2\n", inspect.err)
        let history = sbx(["history", "--format", "{{.Comment}}", "made:1"]).out.split(separator: "\n").first.map(String.init)
        XCTAssertEqual(history, "my message")
        // The container is as it was: committing changes nothing of it.
        XCTAssertEqual(sbx(["start", "maker"]).status, 0)
    }

    func testARunningContainerIsPausedForTheCommitAndRunsOn() throws {
        XCTAssertEqual(run(["-d", "--name", "live", "--network", "none", "busybox-image", "sh", "-c", "echo live > /live && sleep 300"]).status, 0)
        for _ in 0..<50 where sbx(["diff", "live"]).out.contains("A /live") == false { usleep(100_000) }
        let c = sbx(["commit", "live", "live:1"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertEqual(sbx(["inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "live"]).out, "running false\n", "unpaused after")
        XCTAssertEqual(run(["--rm", "--network", "none", "live:1", "cat", "/live"]).out, "live\n")
        let events = sbx(["events", "--since", "0", "--until", "0s", "--format", "{{.Action}}", "--filter", "container=live"]).out
        XCTAssertTrue(events.contains("pause\n") && events.contains("commit\n") && events.contains("unpause\n"), events)

        XCTAssertNotEqual(sbx(["commit", "no-such", "x:1"]).status, 0)
        let bad = sbx(["commit", "-c", "BOGUS x", "live", "x:2"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("BOGUS"), bad.err)
    }
}
