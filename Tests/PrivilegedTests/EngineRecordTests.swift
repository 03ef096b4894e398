// The engine's records when something goes wrong (issue #15): a refused `run` leaves
// its name free, and a record that cannot be read is shown as such and removed whole
// by `rm -f`.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class EngineRecordTests: EngineTestCase {
    func containerDir(_ id: String) -> String { engineRoot + "/containers/" + id }

    func stateJSON(_ id: String) -> [String: Any] {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: containerDir(id) + "/state.json"))) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }

    func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z" && state != "X"
    }

    // MARK: item 5: a refused run does not keep the name

    func testARefusedRunLeavesTheNameFree() throws {
        let refusals: [[String]] = [
            ["--ulimit", "bogus=1"],
            ["--security-opt", "seccomp=/missing.json"],
            ["--log-opt", "max-size=abc"],
            ["--security-opt", "apparmor-ish"],
        ]
        for flags in refusals {
            let r = run(["--name", "leakme"] + flags + ["busybox-image", "true"])
            XCTAssertEqual(r.status, 125, "\(flags): \(r.err)")
            XCTAssertFalse(r.err.contains("Conflict"), "\(flags): \(r.err)")
            XCTAssertEqual(entries(engineRoot + "/names"), [], "\(flags) left a name claim")
            XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "\(flags) left a container")
            let again = run(["-d", "--name", "leakme", "busybox-image", "true"])
            XCTAssertEqual(again.status, 0, "after \(flags): \(again.err)")
            XCTAssertEqual(sbx(["rm", "-f", "leakme"]).status, 0)
        }
    }

    // MARK: item 7: unreadable records

    func testAnUnreadableStateOfARunningContainer() throws {
        let r = run(["-d", "--name", "badstate", "busybox-image", "sleep", "300"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try XCTUnwrap((stateJSON(id)["pid"] as? NSNumber)?.int32Value)
        let path = containerDir(id) + "/state.json"
        try "garbage{".write(toFile: path, atomically: true, encoding: .utf8)

        let ps = sbx(["ps", "-a"])
        XCTAssertTrue(ps.out.contains("unknown: \(path): not valid JSON"), ps.out)
        XCTAssertFalse(ps.out.contains("Created"), ps.out)
        XCTAssertTrue(sbx(["ps"]).out.contains("badstate"), "a container that may run is listed without -a")
        let inspect = sbx(["inspect", "badstate"])
        XCTAssertEqual(inspect.status, 0, inspect.err)
        XCTAssertTrue(inspect.out.contains("\"Status\" : \"unknown\""), inspect.out)
        XCTAssertTrue(inspect.out.contains(path), inspect.out)
        let start = sbx(["start", "badstate"])
        XCTAssertEqual(start.status, 125)
        XCTAssertTrue(start.err.contains(path), start.err)
        XCTAssertFalse(start.err.contains("DecodingError"), start.err)
        XCTAssertNotEqual(sbx(["rm", "badstate"]).status, 0, "rm without -f refuses a container that may run")
        XCTAssertTrue(isAlive(pid), "rm without -f leaves a running container alone")

        let rm = sbx(["rm", "-f", "badstate"])
        XCTAssertEqual(rm.status, 0, rm.err)
        XCTAssertFalse(isAlive(pid), "the container's process outlived rm -f")
        XCTAssertEqual(entries(engineRoot + "/names"), [])
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(run(["-d", "--name", "badstate", "busybox-image", "true"]).status, 0, "the name is free again")
    }

    func testAnUnreadableConfigOfARunningContainer() throws {
        let r = run(["-dit", "--name", "badconfig", "busybox-image", "sh"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let state = stateJSON(id)
        let pid = try XCTUnwrap((state["pid"] as? NSNumber)?.int32Value)
        let monitor = try XCTUnwrap((state["monitorPid"] as? NSNumber)?.int32Value)
        let path = containerDir(id) + "/config.json"
        try #"{"id": 3}"#.write(toFile: path, atomically: true, encoding: .utf8)

        let ps = sbx(["ps", "-a"])
        XCTAssertTrue(ps.out.contains("unknown: \(path): id: expected a string"), ps.out)
        XCTAssertTrue(ps.out.contains("badconfig"), "listed under its name: \(ps.out)")
        XCTAssertEqual(sbx(["ps", "-aq", "--filter", "status=unknown"]).out, String(id.prefix(12)) + "\n")
        let inspect = sbx(["inspect", "badconfig"])
        XCTAssertEqual(inspect.status, 125)
        XCTAssertEqual(inspect.err, "swiftbox: \(path): id: expected a string\n")
        XCTAssertNotEqual(sbx(["rm", "badconfig"]).status, 0, "rm without -f refuses a running container")
        XCTAssertEqual(sbx(["container", "prune", "-f"]).status, 0)
        XCTAssertTrue(isAlive(pid), "prune leaves a running container alone")

        let rm = sbx(["rm", "-f", "badconfig"])
        XCTAssertEqual(rm.status, 0, rm.err)
        XCTAssertFalse(isAlive(pid), "the container's process outlived rm -f")
        XCTAssertFalse(isAlive(monitor), "the monitor outlived rm -f")
        XCTAssertEqual(entries(engineRoot + "/names"), [], "the name claim outlived rm -f")
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        XCTAssertFalse(mounts.contains(id), "the rootfs is still mounted")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/swiftbox/\(id)"), "cgroup left behind")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids/swiftbox/\(id)"), "cgroup left behind")
        XCTAssertEqual(run(["-d", "--name", "badconfig", "busybox-image", "true"]).status, 0, "the name is free again")
    }

    func testBothRecordsUnreadable() throws {
        let r = run(["-dit", "--name", "badboth", "busybox-image", "sh"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let state = stateJSON(id)
        let pid = try XCTUnwrap((state["pid"] as? NSNumber)?.int32Value)
        let monitor = try XCTUnwrap((state["monitorPid"] as? NSNumber)?.int32Value)
        try "[".write(toFile: containerDir(id) + "/config.json", atomically: true, encoding: .utf8)
        try "]".write(toFile: containerDir(id) + "/state.json", atomically: true, encoding: .utf8)
        XCTAssertTrue(sbx(["ps"]).out.contains("unknown: \(containerDir(id))/config.json: not valid JSON"))
        XCTAssertNotEqual(sbx(["rm", "badboth"]).status, 0, "its monitor is alive: rm without -f refuses")
        XCTAssertEqual(sbx(["container", "prune", "-f"]).status, 0)
        XCTAssertTrue(isAlive(pid), "prune leaves it alone")
        let rm = sbx(["rm", "-f", "badboth"])
        XCTAssertEqual(rm.status, 0, rm.err)
        XCTAssertFalse(isAlive(pid), "the container's process outlived rm -f")
        XCTAssertFalse(isAlive(monitor), "the monitor outlived rm -f")
        XCTAssertEqual(entries(engineRoot + "/names"), [])
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
    }

    func testAnUnreadableConfigOfAStoppedContainerIsPruned() throws {
        let r = run(["--name", "stopped", "busybox-image", "true"])
        XCTAssertEqual(r.status, 0, r.err)
        let id = sbx(["ps", "-aq", "--no-trunc"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        try "".write(toFile: containerDir(id) + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertTrue(sbx(["ps", "-a"]).out.contains("unknown: "), "listed")
        XCTAssertEqual(sbx(["container", "prune", "-f"]).status, 0)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(entries(engineRoot + "/names"), [])
    }

    // MARK: item 8: smaller ones

    func testAnEnvironmentVariableNeedsAName() throws {
        for value in ["=novar", ""] {
            let r = run(["-e", value, "busybox-image", "true"])
            XCTAssertEqual(r.status, 125, r.err)
            XCTAssertEqual(r.err, "swiftbox: invalid argument \"\(value)\" for \"-e, --env\" flag: invalid environment variable: \(value)\n")
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(run(["-d", "--name", "envtarget", "busybox-image", "sleep", "60"]).status, 0)
        let exec = sbx(["exec", "-e", "=x", "envtarget", "true"])
        XCTAssertEqual(exec.status, 125)
        XCTAssertTrue(exec.err.contains("invalid environment variable: =x"), exec.err)
    }

    func testAnOverlongNameGetsTheNameError() throws {
        let name = String(repeating: "a", count: 300)
        let r = run(["--name", name, "busybox-image", "true"])
        XCTAssertEqual(r.status, 125)
        XCTAssertTrue(r.err.hasPrefix("swiftbox: Invalid container name (\(name)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"), r.err)
        XCTAssertFalse(r.err.contains("ENAMETOOLONG"), r.err)
        let longest = String(repeating: "b", count: 255)
        XCTAssertEqual(run(["-d", "--name", longest, "busybox-image", "true"]).status, 0, "255 characters fit")
        XCTAssertEqual(sbx(["rm", "-f", longest]).status, 0)
    }

    func testExecGetsPipesNotTheCallersDescriptors() throws {
        XCTAssertEqual(run(["-d", "--name", "execed", "busybox-image", "sleep", "300"]).status, 0)
        // The caller's stdout and stderr are files on the host (PrivilegedTestCase.shell):
        // the process must see pipes (through which it could reopen the file).
        let r = sbx(["exec", "execed", "sh", "-c",
                     "for n in 0 1 2; do ls -l /proc/self/fd/$n; done; echo to-stderr >&2; seq 1 100000 | tail -1; cat; exit 7"])
        XCTAssertEqual(r.status, 7, r.err)
        XCTAssertEqual(r.out.components(separatedBy: "-> pipe:[").count, 4, r.out)
        XCTAssertFalse(r.out.contains("/tmp"), "a host path reached the container: \(r.out)")
        XCTAssertTrue(r.out.hasSuffix("100000\n"), r.out)
        XCTAssertEqual(r.err, "to-stderr\n")
        // exec -d: nothing of ours either.
        XCTAssertEqual(sbx(["exec", "-d", "execed", "sh", "-c", "readlink /proc/$$/fd/0 > /fd1; readlink /proc/$$/fd/2 >> /fd1"]).status, 0)
        eventually("the detached exec wrote") { self.sbx(["exec", "execed", "cat", "/fd1"]).out == "/dev/null\n/dev/null\n" }
        // A process it leaves behind holding the pipes does not keep exec waiting.
        let bg = sbx(["exec", "execed", "sh", "-c", "sleep 100 & echo started"])
        XCTAssertEqual(bg.status, 0)
        XCTAssertEqual(bg.out, "started\n")
    }

    /// What a `volume create` killed at any point leaves: staging directories of a dead
    /// process and (from older versions) a volume directory without volume.json. `volume
    /// ls` shows every volume directory there is, and deletes the rest.
    func testAKilledVolumeCreateLeavesNothingHidden() throws {
        let volumes = engineRoot + "/volumes"
        XCTAssertEqual(sbx(["volume", "create", "first"]).status, 0)
        let dead = Self.shell(["/bin/sh", "-c", "echo $$"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        for dir in [".creating-ghost-\(dead)/_data", "legacy/_data", ".trash-gone-\(dead)/_data"] {
            try FileManager.default.createDirectory(atPath: volumes + "/" + dir, withIntermediateDirectories: true)
        }
        XCTAssertEqual(sbx(["volume", "ls", "-q"]).out, "first\n")
        XCTAssertEqual(entries(volumes).filter { $0 != ".lock" }, ["first"])
        XCTAssertEqual(sbx(["volume", "create", "legacy"]).status, 0)

        // Killed at random points (bounded: 12 tries).
        for i in 0..<12 {
            Self.spawnAndKill([Self.binary, "volume", "create", "--root", engineRoot, "killed\(i)"],
                              afterMicros: UInt32.random(in: 0...150_000))
            let listed = Set(sbx(["volume", "ls", "-q"]).out.split(separator: "\n").map(String.init))
            let onDisk = Set(entries(volumes).filter { !$0.hasPrefix(".") })
            XCTAssertEqual(listed, onDisk, "a volume directory ls does not show (try \(i))")
            XCTAssertEqual(entries(volumes).filter { $0.hasPrefix(".") && $0 != ".lock" }, [], "staging left (try \(i))")
        }
    }

    // MARK: item 4: what a killed create leaves

    func newHexID() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// The files a create killed at each step leaves, made by hand.
    func makeGhost(claim name: String?, directory: Bool, stagingClaim: Bool = false) throws -> String {
        let id = newHexID()
        let names = engineRoot + "/names"
        try FileManager.default.createDirectory(atPath: names, withIntermediateDirectories: true)
        if let name { try id.write(toFile: names + "/" + name, atomically: false, encoding: .utf8) }
        if stagingClaim { try id.write(toFile: names + "/.claim-" + id, atomically: false, encoding: .utf8) }
        if directory {
            try FileManager.default.createDirectory(atPath: containerDir(id), withIntermediateDirectories: true)
            try #"{"id":"#.write(toFile: containerDir(id) + "/config.json.tmp-4242", atomically: false, encoding: .utf8)
        }
        return id
    }

    func testGhostsOfKilledCreatesAreRemovedByTheirReaders() throws {
        _ = try makeGhost(claim: "ghost-a", directory: true)    // killed while writing config.json
        _ = try makeGhost(claim: "ghost-b", directory: false)   // killed right after the claim
        _ = try makeGhost(claim: "ghost-c", directory: true)
        _ = try makeGhost(claim: nil, directory: true, stagingClaim: true)   // before the claim was linked
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "a ghost is no container")

        // The next create of the name takes it over.
        let run1 = run(["-d", "--name", "ghost-a", "busybox-image", "sleep", "60"])
        XCTAssertEqual(run1.status, 0, run1.err)
        // rm -f NAME removes it.
        let rm = sbx(["rm", "-f", "ghost-b"])
        XCTAssertEqual(rm.status, 0, rm.err)
        XCTAssertEqual(rm.out, "ghost-b\n")
        XCTAssertNotEqual(sbx(["rm", "-f", "ghost-b"]).status, 0, "gone: the second rm finds nothing")
        // Prune removes the rest, and leaves the running container.
        XCTAssertEqual(sbx(["container", "prune", "-f"]).status, 0)
        XCTAssertEqual(entries(engineRoot + "/names"), ["ghost-a"])
        XCTAssertEqual(entries(engineRoot + "/containers"), [run1.out.trimmingCharacters(in: .whitespacesAndNewlines)])
    }

    func testCreatesAtWorkAreNotTakenForGhosts() throws {
        // Prune (which removes ghosts) over and over while creates run: none may fail.
        var statuses: [Int32] = []
        let group = DispatchGroup()
        let lock = NSLock()
        for i in 0..<6 {
            group.enter()
            DispatchQueue.global().async {
                let r = self.sbx(["create", "--name", "busy\(i)", "busybox-image", "true"])
                lock.lock(); statuses.append(r.status); lock.unlock()
                if r.status != 0 { print("create busy\(i): \(r.err)") }
                group.leave()
            }
        }
        var pruned = 0
        while group.wait(timeout: .now()) == .timedOut && pruned < 200 {
            _ = sbx(["container", "prune", "-f"])
            pruned += 1
        }
        group.wait()
        XCTAssertEqual(statuses, Array(repeating: 0, count: 6))
    }

    func testCreateKilledAtRandomPointsLeavesNoGhost() throws {
        // Kills spread over the second half of a create's run (start-up comes first),
        // measured here, whatever the machine's speed.
        let began = Date()
        XCTAssertEqual(sbx(["create", "--name", "timed", "busybox-image", "true"]).status, 0)
        let micros = max(1000, Date().timeIntervalSince(began) * 1_000_000)
        XCTAssertEqual(sbx(["rm", "-f", "timed"]).status, 0)
        for i in 0..<24 {
            let name = "killed\(i)"
            Self.spawnAndKill([Self.binary, "create", "--root", engineRoot, "--name", name, "busybox-image", "true"],
                              afterMicros: UInt32(micros * Double.random(in: 0.4...1.1)))
            // Either a container by that name exists, or the name is free.
            let listed = sbx(["ps", "-a", "--filter", "name=\(name)", "-q"]).out
            if listed.isEmpty {
                let again = sbx(["create", "--name", name, "busybox-image", "true"])
                XCTAssertEqual(again.status, 0, "try \(i): \(again.err)")
            }
            XCTAssertEqual(sbx(["rm", "-f", name]).status, 0, "try \(i)")
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(sbx(["container", "prune", "-f"]).status, 0)
        XCTAssertEqual(entries(engineRoot + "/names"), [])
        XCTAssertEqual(entries(engineRoot + "/containers"), [])
    }

    // MARK: fault injection: run -d and rm -f killed at random points

    /// `run -d` and then `rm -f` killed at random points of their run, a dozen times each:
    /// afterwards `ps -a` tells the truth (a container is listed, or its name is free),
    /// `rm -f` and prune remove everything, and no mount, cgroup directory or name claim
    /// of any of them is left (issue #15).
    func testRunAndRmKilledAtRandomPointsLeaveNothing() throws {
        func timed(_ args: [String]) -> Double {
            let began = Date()
            XCTAssertEqual(sbx(args).status, 0, "\(args)")
            return max(1000, Date().timeIntervalSince(began) * 1_000_000)
        }
        let runMicros = timed(["run", "-d", "--name", "timed", "busybox-image", "sleep", "30"])
        let rmMicros = timed(["rm", "-f", "timed"])
        func spawnAndKill(_ args: [String], afterMicros: Double) {
            Self.spawnAndKill([Self.binary, args[0], "--root", engineRoot] + args.dropFirst(),
                              afterMicros: UInt32(afterMicros * Double.random(in: 0.3...1.2)))
        }
        var ids = Set<String>()
        for i in 0..<12 {
            let name = "rk\(i)"
            spawnAndKill(["run", "-d", "--name", name, "busybox-image", "sleep", "30"], afterMicros: runMicros)
            let listed = sbx(["ps", "-a", "--no-trunc", "--filter", "name=\(name)", "-q"]).out
                .split(separator: "\n").map(String.init)
            ids.formUnion(listed)
            if listed.isEmpty {
                // Not listed: the name must be free.
                let again = sbx(["run", "-d", "--name", name, "busybox-image", "sleep", "30"])
                XCTAssertEqual(again.status, 0, "try \(i): the name of an unlisted container is free: \(again.err)")
                ids.formUnion(sbx(["ps", "-a", "--no-trunc", "--filter", "name=\(name)", "-q"]).out.split(separator: "\n").map(String.init))
            }
            spawnAndKill(["rm", "-f", name], afterMicros: rmMicros)
            let rm = sbx(["rm", "-f", name])
            XCTAssertTrue(rm.status == 0 || rm.err.contains("No such container"), "try \(i): \(rm.err)")
            XCTAssertEqual(sbx(["ps", "-a", "--filter", "name=\(name)", "-q"]).out, "", "try \(i): removed for good")
        }
        XCTAssertEqual(sbx(["container", "prune", "-f"]).status, 0)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
        XCTAssertEqual(entries(engineRoot + "/names"), [])
        XCTAssertEqual(entries(engineRoot + "/containers"), [])
        eventually("no mount of the killed containers is left") { !PrivilegedTestCase.mountinfo().contains(self.engineRoot + "/") }
        for id in ids {
            for hierarchy in ["memory", "pids", "cpu", "unified"] {
                XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\(hierarchy)/swiftbox/\(id)"), "cgroup \(hierarchy) of \(id) left")
            }
        }
    }
}
