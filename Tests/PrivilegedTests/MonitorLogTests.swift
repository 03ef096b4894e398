// The monitor's messages and its log, end to end: a start that fails at the container's
// execve reaches the CLI as the typed failure (Docker's 127, the runtime's words), and
// each monitor writes what it did to <container dir>/monitor.log.
import XCTest

final class MonitorLogTests: EngineTestCase {
    func testAFailedStartIsTypedAndLogged() throws {
        XCTAssertEqual(sbx(["create", "--name", "missing", "busybox-image:latest", "no-such-command"]).status, 0)
        let start = sbx(["start", "missing"])
        XCTAssertEqual(start.status, 127)
        XCTAssertEqual(start.err, "swiftbox: exec no-such-command: executable file not found in $PATH or no such file\n")
        XCTAssertEqual(sbx(["inspect", "-f", "{{.State.ExitCode}}", "missing"]).out, "127\n")
        let log = try monitorLog("missing")
        XCTAssertTrue(log.contains("could not start the container (stage exec, errno 2): exec no-such-command"), log)
        XCTAssertTrue(log.contains("exit status 127"), log)
    }

    func testARunAndItsExitAreLogged() throws {
        let d = run(["-d", "--name", "brief", "busybox-image:latest", "sh", "-c", "exit 3"])
        XCTAssertEqual(d.status, 0, d.err)
        XCTAssertEqual(sbx(["wait", "brief"]).out, "3\n")
        eventually("the monitor logs its exit") { ((try? self.monitorLog("brief")) ?? "").contains("exiting with status 3") }
        let lines = try monitorLog("brief").split(separator: "\n")
        XCTAssertEqual(lines.count, 3, lines.joined(separator: "\n"))
        // One monitor wrote them: the same "monitor[PID]:" on each line.
        let writers = Set(lines.map { $0.split(separator: " ")[1] })
        XCTAssertEqual(writers.count, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(lines[0].contains("started the container: pid "), String(lines[0]))
        XCTAssertTrue(lines[1].hasSuffix("the container exited with status 3"), String(lines[1]))
    }

    private func monitorLog(_ name: String) throws -> String {
        let id = sbx(["inspect", "-f", "{{.Id}}", name]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        return try String(contentsOfFile: engineRoot + "/containers/" + id + "/monitor.log", encoding: .utf8)
    }
}
