// Healthchecks, restart policies, events and `system restore` end to end, with real
// containers and monitors. Intervals are short (100–300 ms) to keep the tests fast;
// every check polls with a deadline, none depends on exact timing.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class HealthRestartTests: EngineTestCase {
    let image = "busybox-image:latest"

    func runD(_ args: [String]) -> String {
        let r = Self.shell([Self.binary, "run", "--root", engineRoot, "-d"] + args)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func inspect(_ name: String) -> [String: Any] {
        let r = sbx(["inspect", name])
        guard let data = r.out.data(using: .utf8), let arr = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
              let first = arr.first else { return [:] }
        return first
    }

    func state(_ name: String) -> [String: Any] { inspect(name)["State"] as? [String: Any] ?? [:] }
    func health(_ name: String) -> [String: Any] { state(name)["Health"] as? [String: Any] ?? [:] }
    func healthStatus(_ name: String) -> String? { health(name)["Status"] as? String }
    func healthLog(_ name: String) -> [[String: Any]] { health(name)["Log"] as? [[String: Any]] ?? [] }
    func restartCount(_ name: String) -> Int { (inspect(name)["RestartCount"] as? NSNumber)?.intValue ?? -1 }
    func status(of name: String) -> String? { state(name)["Status"] as? String }

    /// Events of one container as (action, attributes), from `events --format json`.
    func events(_ name: String, since: String) -> [(String, [String: String])] {
        let r = sbx(["events", "--since", since, "--until", "0s", "--format", "json", "--filter", "container=\(name)"])
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let action = obj["Action"] as? String, let actor = obj["Actor"] as? [String: Any] else { return nil }
            return (action, actor["Attributes"] as? [String: String] ?? [:])
        }
    }

    func testProbePassesAndStartsAsStarting() {
        runD(["--name", "ok", "--health-cmd", "echo fine", "--health-interval", "200ms", image, "sleep", "100"])
        eventually("healthy") { self.healthStatus("ok") == "healthy" }
        XCTAssertTrue(sbx(["ps"]).out.contains("(healthy)"), sbx(["ps"]).out)
        let last = healthLog("ok").last ?? [:]
        XCTAssertEqual(last["Output"] as? String, "fine\n")
        XCTAssertEqual((last["ExitCode"] as? NSNumber)?.intValue, 0)
        XCTAssertNotNil(last["Start"] as? String)
        eventually("at most 5 results kept", seconds: 5) { self.healthLog("ok").count == 5 }
        XCTAssertEqual(healthLog("ok").count, 5)
        // The first probe comes one interval after the start: with 1h, none yet.
        runD(["--name", "slow", "--health-cmd", "true", "--health-interval", "1h", image, "sleep", "100"])
        XCTAssertTrue(sbx(["ps"]).out.contains("Up Less than a second (health: starting)") || sbx(["ps"]).out.contains("(health: starting)"))
        XCTAssertEqual(healthStatus("slow"), "starting")
        // Probes run inside the container: its hostname, its filesystem.
        runD(["--name", "inside", "--hostname", "probed", "--health-cmd", "hostname; test -d /proc/1", "--health-interval", "200ms", image, "sleep", "100"])
        eventually("probe output shows the container's hostname") { (self.healthLog("inside").last?["Output"] as? String) == "probed\n" }
    }

    func testFailsAfterNRunsThenUnhealthy() {
        // Passes twice, then fails: retries 2 → unhealthy after two more probes.
        let cmd = "n=$(cat /tmp/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/n; echo run $n; [ $n -le 2 ]"
        runD(["--name", "flaky", "--health-cmd", cmd, "--health-interval", "150ms", "--health-retries", "2", image, "sleep", "100"])
        eventually("unhealthy") { self.healthStatus("flaky") == "unhealthy" }
        let h = health("flaky")
        XCTAssertEqual((h["FailingStreak"] as? NSNumber)?.intValue ?? 0 >= 2, true, "\(h)")
        let log = healthLog("flaky")
        let codes = log.compactMap { ($0["ExitCode"] as? NSNumber)?.intValue }
        XCTAssertTrue(codes.contains(0) || log.count == 5, "\(codes)")
        XCTAssertEqual(sbx(["exec", "flaky", "cat", "/tmp/n"]).out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, false)
        XCTAssertTrue(sbx(["ps"]).out.contains("(unhealthy)"))
        XCTAssertEqual(status(of: "flaky"), "running", "unhealthy does not stop a container without --health-on-failure")
    }

    func testProbePastTimeoutIsKilledAndFails() {
        runD(["--name", "hang", "--health-cmd", "sleep 30", "--health-timeout", "300ms", "--health-interval", "200ms",
              "--health-retries", "1", image, "sleep", "100"])
        eventually("unhealthy by timeout") { self.healthStatus("hang") == "unhealthy" }
        let last = healthLog("hang").last ?? [:]
        XCTAssertEqual((last["ExitCode"] as? NSNumber)?.intValue, -1)
        XCTAssertEqual(last["Output"] as? String, "Health check exceeded timeout (300ms)")
        // The killed probes do not pile up in the container.
        let ps = sbx(["exec", "hang", "ps"]).out
        XCTAssertLessThanOrEqual(ps.components(separatedBy: "sleep 30").count - 1, 1, ps)
    }

    func testHealthyUnhealthyHealthyAndEvents() {
        let since = String(Int(Date().timeIntervalSince1970) - 1)
        runD(["--name", "toggle", "--health-cmd", "test -f /tmp/ok", "--health-interval", "150ms", "--health-retries", "1", image, "sleep", "100"])
        eventually("unhealthy without the file") { self.healthStatus("toggle") == "unhealthy" }
        XCTAssertEqual(sbx(["exec", "toggle", "touch", "/tmp/ok"]).status, 0)
        eventually("healthy with it") { self.healthStatus("toggle") == "healthy" }
        XCTAssertEqual(sbx(["exec", "toggle", "rm", "/tmp/ok"]).status, 0)
        eventually("unhealthy again") { self.healthStatus("toggle") == "unhealthy" }
        XCTAssertEqual(sbx(["exec", "toggle", "touch", "/tmp/ok"]).status, 0)
        eventually("healthy again") { self.healthStatus("toggle") == "healthy" }
        let actions = events("toggle", since: since).map(\.0).filter { $0.hasPrefix("health_status") }
        XCTAssertEqual(actions, ["health_status: unhealthy", "health_status: healthy", "health_status: unhealthy", "health_status: healthy"])
    }

    /// An image whose config has a Healthcheck running a program it does not contain.
    func imageWithMissingProbe() throws -> String {
        let layout = try XCTUnwrap(Self.imageLayout)
        let out = work + "/hc-image"
        let script = """
        set -e
        cp -r '\(layout)' '\(out)'
        b='\(out)/blobs/sha256'
        m=$(jq -r '.manifests[0].digest' '\(out)/index.json' | cut -d: -f2)
        c=$(jq -r '.config.digest' "$b/$m" | cut -d: -f2)
        jq -c '.config.Healthcheck = {Test: ["CMD", "/no/such/probe"], Interval: 150000000, Retries: 1}' "$b/$c" > '\(work)/cfg'
        nc=$(sha256sum '\(work)/cfg' | cut -d' ' -f1); mv '\(work)/cfg' "$b/$nc"
        jq -c --arg d "sha256:$nc" --argjson s $(stat -c %s "$b/$nc") '.config.digest = $d | .config.size = $s' "$b/$m" > '\(work)/man'
        nm=$(sha256sum '\(work)/man' | cut -d' ' -f1); mv '\(work)/man' "$b/$nm"
        jq -c --arg d "sha256:$nm" --argjson s $(stat -c %s "$b/$nm") '.manifests[0].digest = $d | .manifests[0].size = $s' '\(out)/index.json' > '\(work)/idx'
        mv '\(work)/idx' '\(out)/index.json'
        """
        let r = Self.shell(["/bin/bash", "-c", script])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(sbx(["load", "-i", out]).status, 0)
        return "hc-image:latest"
    }

    func testImageHealthcheckWithAMissingCommandIsUnhealthyNotACrash() throws {
        let img = try imageWithMissingProbe()
        runD(["--name", "missing", img, "sleep", "100"])
        eventually("unhealthy") { self.healthStatus("missing") == "unhealthy" }
        let last = healthLog("missing").last ?? [:]
        XCTAssertEqual((last["ExitCode"] as? NSNumber)?.intValue, -1)
        XCTAssertTrue((last["Output"] as? String ?? "").contains("/no/such/probe"), "\(last)")
        XCTAssertEqual(status(of: "missing"), "running")
        XCTAssertEqual((inspect("missing")["Config"] as? [String: Any])?["Healthcheck"] as? [String: Any] != nil, true)
        // --no-healthcheck turns the image's check off; flags merge with it field by field.
        runD(["--name", "nocheck", "--no-healthcheck", img, "sleep", "100"])
        XCTAssertNil(state("nocheck")["Health"])
        runD(["--name", "override", "--health-cmd", "true", img, "sleep", "100"])
        eventually("the flag's command replaces the image's; its interval stays") { self.healthStatus("override") == "healthy" }
    }

    func testOnFailure3RestartsExactlyThreeTimes() {
        let since = String(Int(Date().timeIntervalSince1970) - 1)
        runD(["--name", "fail3", "--restart", "on-failure:3", image, "sh", "-c", "sleep 0.1; exit 3"])
        eventually("three restarts, then exited") { self.restartCount("fail3") == 3 && self.status(of: "fail3") == "exited" }
        usleep(1_500_000)   // longer than the next backoff (800 ms): no fourth restart comes
        XCTAssertEqual(restartCount("fail3"), 3)
        XCTAssertEqual(status(of: "fail3"), "exited")
        XCTAssertEqual((state("fail3")["ExitCode"] as? NSNumber)?.intValue, 3)
        let ev = events("fail3", since: since)
        XCTAssertEqual(ev.filter { $0.0 == "start" }.count, 4)
        XCTAssertEqual(ev.filter { $0.0 == "die" }.map { $0.1["exitCode"] ?? "" }, ["3", "3", "3", "3"])
        // A manual start resets the count.
        XCTAssertEqual(sbx(["start", "fail3"]).status, 0)
        eventually("restarted three times again") { self.restartCount("fail3") == 3 && self.status(of: "fail3") == "exited" }
        XCTAssertEqual(sbx(["logs", "fail3"]).status, 0)
    }

    func testAlwaysWithAManualStopStaysStopped() {
        runD(["--name", "keep", "--restart", "always", image, "sh", "-c", "sleep 0.2; exit 1"])
        eventually("restarted by the policy") { self.restartCount("keep") >= 2 }
        eventually("ps shows it restarting", seconds: 15) { self.sbx(["ps", "-a"]).out.contains("Restarting (1)") }
        XCTAssertEqual(sbx(["stop", "-t", "1", "keep"]).status, 0)
        eventually("exited") { self.status(of: "keep") == "exited" }
        let count = restartCount("keep")
        usleep(1_500_000)
        XCTAssertEqual(status(of: "keep"), "exited", "a manual stop is never undone")
        XCTAssertEqual(restartCount("keep"), count)
        // Same for a long-running one, stopped or killed while up.
        runD(["--name", "up", "--restart", "always", image, "sleep", "100"])
        XCTAssertEqual(sbx(["kill", "up"]).status, 0)
        eventually("killed") { self.status(of: "up") == "exited" }
        usleep(800_000)
        XCTAssertEqual(status(of: "up"), "exited")
        XCTAssertEqual(restartCount("up"), 0)
        // A signal other than SIGKILL or the stop signal is not a stop: the policy restarts.
        runD(["--name", "hup", "--restart", "always", image, "sh", "-c", "trap 'exit 3' HUP; while true; do sleep 0.1; done"])
        XCTAssertEqual(sbx(["kill", "-s", "HUP", "hup"]).status, 0)
        eventually("restarted after HUP") { self.restartCount("hup") == 1 && self.status(of: "hup") == "running" }
        // rm -f of a restarting container works and leaves nothing.
        runD(["--name", "gone", "--restart", "always", image, "false"])
        eventually("restarting") { self.restartCount("gone") >= 1 }
        XCTAssertEqual(sbx(["rm", "-f", "gone"]).status, 0)
        XCTAssertFalse(sbx(["ps", "-a"]).out.contains("gone"))
    }

    func testHealthOnFailureRestart() {
        let since = String(Int(Date().timeIntervalSince1970) - 1)
        runD(["--name", "sick", "--health-on-failure", "restart", "--health-cmd", "false", "--health-interval", "150ms",
              "--health-retries", "1", "--stop-timeout", "1", image, "sleep", "100"])
        eventually("restarted because unhealthy", seconds: 15) { self.restartCount("sick") >= 1 && self.status(of: "sick") == "running" }
        let actions = events("sick", since: since).map(\.0)
        XCTAssertTrue(actions.starts(with: ["create", "start", "health_status: unhealthy", "kill", "die", "restart", "start"]), "\(actions)")
        XCTAssertEqual(sbx(["stop", "-t", "1", "sick"]).status, 0)
        eventually("stopped for good") { self.status(of: "sick") == "exited" }
    }

    func testEventsJSONShowTheSequence() {
        let since = String(Int(Date().timeIntervalSince1970) - 1)
        runD(["--name", "seq", image, "sh", "-c", "sleep 0.2; exit 2"])
        XCTAssertEqual(sbx(["wait", "seq"]).out, "2\n")
        XCTAssertEqual(sbx(["rm", "seq"]).status, 0)
        let ev = events("seq", since: since)
        XCTAssertEqual(ev.map(\.0), ["create", "start", "die", "destroy"])
        XCTAssertEqual(ev.first { $0.0 == "die" }?.1["exitCode"], "2")
        XCTAssertEqual(ev.first?.1["image"], image)
        // Volumes and networks journal theirs too.
        XCTAssertEqual(Self.shell([Self.binary, "volume", "create", "--root", engineRoot, "evvol"]).status, 0)
        XCTAssertEqual(Self.shell([Self.binary, "volume", "rm", "--root", engineRoot, "evvol"]).status, 0)
        let vol = sbx(["events", "--since", since, "--until", "0s", "--filter", "type=volume"]).out
        XCTAssertTrue(vol.contains("volume create evvol (driver=local)") && vol.contains("volume destroy evvol"), vol)
        // Followers see events as they happen, and stop at --until.
        let until = String(Int(Date().timeIntervalSince1970) + 2)
        let outPath = work + "/follow.txt"
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [Self.binary, "events", "--root", engineRoot, "--until", until, "--filter", "event=create"]
        var cargs = argv.map { strdup($0) } + [nil]
        XCTAssertEqual(posix_spawn(&pid, Self.binary, &actions, nil, &cargs, environ), 0)
        cargs.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        usleep(300_000)
        XCTAssertEqual(sbx(["create", "--name", "later", image, "true"]).status, 0)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        let followed = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        XCTAssertTrue(followed.contains(" container create ") && followed.contains("name=later"), followed)
        XCTAssertEqual(followed.split(separator: "\n").count, 1, followed)
    }

    func testSystemRestoreBringsBackExactlyTheRightOnes() throws {
        let names = ["always": "always", "unless": "unless-stopped", "stopped": "unless-stopped", "no": "no", "onfail": "on-failure:2"]
        for (name, policy) in names { runD(["--name", name, "--restart", policy, image, "sleep", "100"]) }
        XCTAssertEqual(sbx(["stop", "-t", "0", "stopped"]).status, 0)
        // Kill every monitor, and every container but one (left alive without its monitor).
        var oldPid: Int32 = 0
        for name in names.keys where name != "stopped" {
            let id = inspect(name)["Id"] as! String
            let s = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: engineRoot + "/containers/\(id)/state.json"))) as! [String: Any]
            kill((s["monitorPid"] as! NSNumber).int32Value, SIGKILL)
            if name == "always" { oldPid = (s["pid"] as! NSNumber).int32Value } else { kill((s["pid"] as! NSNumber).int32Value, SIGKILL) }
        }
        eventually("ps says Dead for the lost ones") { self.sbx(["ps", "-a"]).out.components(separatedBy: "Dead").count - 1 == 3 }
        XCTAssertTrue(sbx(["ps"]).out.contains("(monitor lost)"), "the unsupervised one is flagged")
        let r = restore()
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.components(separatedBy: "started").count - 1, 3, r.out)
        for name in ["always", "unless", "onfail"] { XCTAssertEqual(status(of: name), "running", name) }
        for name in ["stopped", "no"] { XCTAssertEqual(status(of: name), "exited", name) }
        XCTAssertNotEqual((state("always")["Pid"] as? NSNumber)?.int32Value, oldPid, "the unsupervised process was replaced")
        // Gone, or a zombie waiting for a parent that reaps (PID 1 here may not).
        let stat = (try? String(contentsOfFile: "/proc/\(oldPid)/stat", encoding: .utf8)) ?? ""
        XCTAssertTrue(stat.isEmpty || stat.split(separator: ")").last?.split(separator: " ").first == "Z", stat)
        // Restored containers have monitors again: the policy applies.
        kill((state("onfail")["Pid"] as! NSNumber).int32Value, SIGKILL)
        eventually("on-failure restarts it after a failure") { self.restartCount("onfail") == 1 && self.status(of: "onfail") == "running" }
        // A second restore finds nothing to do.
        XCTAssertEqual(restore().out, "")
    }

    func testStartRepairsAContainerWhoseMonitorIsGone() throws {
        for (name, killContainer) in [("dead", true), ("orphan", false)] {
            let id = runD(["--name", name, image, "sleep", "100"])
            let s = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: engineRoot + "/containers/\(id)/state.json"))) as! [String: Any]
            kill((s["monitorPid"] as! NSNumber).int32Value, SIGKILL)
            if killContainer { kill((s["pid"] as! NSNumber).int32Value, SIGKILL) }
        }
        eventually("ps tells the truth") { let ps = self.sbx(["ps", "-a"]).out; return ps.contains("Dead") && ps.contains("(monitor lost)") }
        XCTAssertEqual(sbx(["start", "dead", "orphan"]).status, 0)
        for name in ["dead", "orphan"] { XCTAssertEqual(status(of: name), "running", name) }
        XCTAssertFalse(sbx(["ps"]).out.contains("(monitor lost)"))
    }

    func restore() -> (status: Int32, out: String, err: String) {
        Self.shell([Self.binary, "system", "restore", "--root", engineRoot])
    }

    func testBadInputExits125AndCreatesNothing() {
        let cases: [([String], String)] = [
            (["--restart", "sometimes"], "unknown policy \"sometimes\""),
            (["--restart", "on-failure:-1"], "positive integer"),
            (["--health-interval", "0s", "--health-cmd", "true"], "--health-interval 0s: must be at least 1ms"),
            (["--health-timeout", "1m30"], "invalid duration \"1m30\""),
            (["--health-on-failure", "maybe"], "\"maybe\""),
            (["--rm", "--restart", "always"], "--rm"),
        ]
        for (flags, text) in cases {
            let r = Self.shell([Self.binary, "run", "--root", engineRoot, "-d"] + flags + [image, "true"])
            XCTAssertEqual(r.status, 125, "\(flags)")
            XCTAssertTrue(r.err.contains(text), "\(flags): \(r.err)")
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(sbx(["events", "--since", "bogus"]).status, 125)
    }
}
