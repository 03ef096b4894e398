// An idle monitor gives back the executable pages its start-up touched
// (ResidentPages), and keeps working afterwards: output is still logged and relayed.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class MonitorMemoryTests: EngineTestCase {
    func rssKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    }

    func testIdleMonitorShrinksAndStillRelays() throws {
        let r = run(["-d", "--name", "idle", "busybox-image:latest", "sh", "-c", "echo before; sleep 2; echo after; sleep 60"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: engineRoot + "/containers/\(id)/state.json"))) as! [String: Any]
        let monitor = Int32(state["monitorPid"] as! Int)
        let started = try XCTUnwrap(rssKB(monitor))
        var idle = started
        eventually("the idle monitor's RSS drops", seconds: 5) {
            idle = self.rssKB(monitor) ?? idle
            return idle < started / 2
        }
        print("monitor RSS: \(started) kB after start, \(idle) kB idle")
        eventually("output after the trim is still logged") { self.sbx(["logs", "idle"]).out == "before\nafter\n" }
        XCTAssertEqual(sbx(["exec", "idle", "echo", "exec works"]).out, "exec works\n")
        XCTAssertEqual(sbx(["stop", "-t", "1", "idle"]).status, 0)
        XCTAssertEqual(sbx(["wait", "idle"]).out, "137\n", "the monitor still records the exit (SIGKILL after the timeout)")
    }
}
