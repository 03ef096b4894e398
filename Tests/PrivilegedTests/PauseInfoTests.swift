// pause/unpause, info and version (issue #20), as a Docker user sees them.
import XCTest

final class PauseInfoTests: EngineTestCase {
    func testPauseShowsEverywhereAndStopKillRmStillWork() throws {
        XCTAssertEqual(run(["-d", "--name", "frozen", "--network", "none", "busybox-image", "sleep", "300"]).status, 0)
        let paused = sbx(["pause", "frozen"])
        XCTAssertEqual(paused.status, 0, paused.err)
        XCTAssertEqual(paused.out, "frozen\n")
        XCTAssertTrue(sbx(["ps"]).out.contains("(Paused)"), sbx(["ps"]).out)
        XCTAssertEqual(sbx(["ps", "--filter", "status=paused", "--format", "{{.Names}} {{.State}}"]).out, "frozen paused\n")
        XCTAssertEqual(sbx(["inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}", "frozen"]).out, "paused true true\n")
        XCTAssertEqual(sbx(["info", "--format", "{{.ContainersPaused}} {{.ContainersRunning}}"]).out, "1 0\n")
        let again = sbx(["pause", "frozen"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.err.contains("already paused"), again.err)

        XCTAssertEqual(sbx(["container", "unpause", "frozen"]).out, "frozen\n")
        XCTAssertEqual(sbx(["inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "frozen"]).out, "running false\n")
        XCTAssertEqual(sbx(["unpause", "frozen"]).status, 1, "not paused")
        let events = sbx(["events", "--since", "0", "--until", "0s", "--format", "{{.Action}}", "--filter", "container=frozen"]).out
        XCTAssertTrue(events.contains("pause\n") && events.contains("unpause\n"), events)

        // A paused container stops, is killed and is removed as a running one is (the
        // freezer would hold the signal: the engine thaws it after signalling).
        XCTAssertEqual(sbx(["pause", "frozen"]).status, 0)
        let began = Date()
        let stop = sbx(["stop", "-t", "1", "frozen"])
        XCTAssertEqual(stop.status, 0, stop.err)
        XCTAssertLessThan(Date().timeIntervalSince(began), 8, "stop of a paused container waited out its grace and more")
        XCTAssertEqual(sbx(["inspect", "-f", "{{.State.Status}}", "frozen"]).out, "exited\n")

        XCTAssertEqual(run(["-d", "--name", "frozen2", "--network", "none", "busybox-image", "sleep", "300"]).status, 0)
        XCTAssertEqual(sbx(["pause", "frozen2"]).status, 0)
        XCTAssertEqual(sbx(["rm", "-f", "frozen2"]).status, 0)
        XCTAssertEqual(sbx(["ps", "-aq", "--filter", "name=frozen2"]).out, "")

        let stopped = sbx(["pause", "frozen"])
        XCTAssertEqual(stopped.status, 1, "a stopped container cannot be paused")
        XCTAssertEqual(sbx(["pause", "no-such"]).status, 1)
    }

    func testInfoAndVersionAreDockerShaped() throws {
        let info = sbx(["info"])
        XCTAssertEqual(info.status, 0, info.err)
        for line in ["Server:", " Containers: 0", " Storage Driver: overlay2", " Cgroup Driver: cgroupfs", " Operating System: ", " CPUs: "] {
            XCTAssertTrue(info.out.contains(line), "\(line) missing:\n\(info.out)")
        }
        let f = sbx(["info", "--format", "{{.Driver}} {{.OSType}} {{.DockerRootDir}}"])
        XCTAssertEqual(f.out, "overlay2 linux \(engineRoot)\n")
        let id1 = sbx(["info", "-f", "{{.ID}}"]).out
        XCTAssertEqual(sbx(["info", "-f", "{{.ID}}"]).out, id1, "the engine ID is stable")
        let json = sbx(["info", "--format", "{{json .}}"]).out
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(object?["NCPU"] as? Int, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        XCTAssertEqual(object?["Images"] as? Int, 1, "the busybox image")

        let v = sbx(["version", "--format", "{{.Server.ApiVersion}} {{.Client.Version}} {{.Server.Os}}"])
        XCTAssertEqual(v.status, 0, v.err)
        let words = v.out.split(separator: " ").map(String.init)
        XCTAssertEqual(words.first, "1.41")
        XCTAssertEqual(words.last, "linux\n")
        XCTAssertTrue(sbx(["version"]).out.contains("Server: swiftbox"))
    }
}
