// Resource limits for real, on whatever cgroup layout the machine has: this project's
// hybrid hosts (v1 controllers, cgroup2 with only hugetlb) natively, and a pure
// cgroup v2 guest in `make test-cgroup2` (which runs exactly this class). Each test
// finds the file of a controller where the host has it bound (v1 first, as the runtime
// does), and skips with the reason printed only when the controller is really absent.
// No tight timing: CPU bounds are generous, waits poll with a deadline.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class CgroupLimitTests: EngineTestCase {
    let image = "busybox-image:latest"

    override func tearDownWithError() throws {
        if !work.isEmpty {
            let ids = sbx(["ps", "-aq", "--no-trunc"]).out.split(separator: "\n").map(String.init)
            for id in ids { _ = sbx(["rm", "-f", id]) }
            for id in ids { XCTAssertEqual(cgroupDirectories(id).filter { FileManager.default.fileExists(atPath: $0) }, [], "cgroup of \(id) left behind") }
            XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "containers left behind")
        }
        try super.tearDownWithError()
    }

    // MARK: the host's cgroups

    struct Hierarchy { var mountPoint: String; var v2: Bool; var controllers: [String] }

    /// The cgroup mounts of this mount namespace (the topmost at each mount point).
    static let hierarchies: [Hierarchy] = {
        let text = PrivilegedTestCase.mountinfo()
        var byPoint: [String: Hierarchy?] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            guard let dash = f.firstIndex(of: "-"), dash >= 6, f.count > dash + 3 else { continue }
            let point = f[4]
            if byPoint[point] == nil { order.append(point) }
            switch f[dash + 1] {
            case "cgroup2":
                let ctrls = ((try? String(contentsOfFile: point + "/cgroup.controllers", encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
                byPoint[point] = Hierarchy(mountPoint: point, v2: true, controllers: ctrls)
            case "cgroup": byPoint[point] = Hierarchy(mountPoint: point, v2: false, controllers: f[dash + 3].split(separator: ",").map(String.init))
            default: byPoint[point] = .some(nil)
            }
        }
        return order.compactMap { byPoint[$0] ?? nil }
    }()

    /// Where `controller` is: its v1 hierarchy, else cgroup2 when the root offers it.
    static func hierarchy(_ v1Name: String, v2Name: String? = nil) -> Hierarchy? {
        hierarchies.first { !$0.v2 && $0.controllers.contains(v1Name) }
            ?? hierarchies.first { $0.v2 && $0.controllers.contains(v2Name ?? v1Name) }
    }

    func require(_ v1Name: String, v2Name: String? = nil) throws -> Hierarchy {
        guard let h = Self.hierarchy(v1Name, v2Name: v2Name) else {
            let layout = Self.hierarchies.map { "\($0.mountPoint)(\($0.v2 ? "v2: " : "v1: ")\($0.controllers.joined(separator: ",")))" }
            throw XCTSkip("the \(v1Name) controller is not available on this host: \(layout.joined(separator: " "))")
        }
        return h
    }

    /// A file of container `id`'s cgroup: `v1File` in a v1 hierarchy, `v2File` in cgroup2.
    func cgroupFile(_ id: String, _ v1Name: String, v1File: String, v2File: String, v2Name: String? = nil) throws -> String {
        let h = try require(v1Name, v2Name: v2Name)
        return h.mountPoint + "/swiftbox/\(id)/" + (h.v2 ? v2File : v1File)
    }

    func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func cgroupDirectories(_ id: String) -> [String] { Self.hierarchies.map { $0.mountPoint + "/swiftbox/\(id)" } }

    func fullID(_ name: String) -> String { sbx(["inspect", name]).out.components(separatedBy: "\"Id\" : \"").dropFirst().first.map { String($0.prefix(64)) } ?? "" }

    func inspectState(_ name: String) throws -> [String: Any] {
        let r = sbx(["inspect", name])
        let arr = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]]
        return try XCTUnwrap(arr?.first?["State"] as? [String: Any], r.out + r.err)
    }

    func hostConfig(_ name: String) throws -> [String: Any] {
        let r = sbx(["inspect", name])
        let arr = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]]
        return try XCTUnwrap(arr?.first?["HostConfig"] as? [String: Any], r.out + r.err)
    }

    // MARK: limits

    func testMemoryHogIsOOMKilledAndReported() throws {
        _ = try require("memory")
        // dd's 64 MiB buffer is filled by read(2) from /dev/zero: every page is charged.
        let r = run(["--name", "hog", "--memory", "16m", "--memory-swap", "16m", image, "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"])
        XCTAssertEqual(r.status, 137, "the kernel's OOM killer sends SIGKILL: \(r.err)")
        let state = try inspectState("hog")
        XCTAssertEqual(state["OOMKilled"] as? Bool, true)
        XCTAssertEqual((state["ExitCode"] as? NSNumber)?.int32Value, 137)
        // The same command within its limit is not.
        let fits = run(["--name", "fits", "--memory", "128m", image, "dd", "if=/dev/zero", "of=/dev/null", "bs=16M", "count=1"])
        XCTAssertEqual(fits.status, 0, fits.err)
        XCTAssertEqual(try inspectState("fits")["OOMKilled"] as? Bool, false)
    }

    func testForkBombStopsAtPidsLimit() throws {
        _ = try require("pids")
        // The shell (PID 1) starts sleeps until fork fails; it prints how many it started.
        let r = run(["--rm", "--pids-limit", "8", image, "sh", "-c", "i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); echo $i; done"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("can't fork"), r.err)
        let started = Int(r.out.split(separator: "\n").last ?? "") ?? -1
        XCTAssertLessThanOrEqual(started, 7, "8 tasks at most: the shell and 7 sleeps")
        XCTAssertGreaterThanOrEqual(started, 5, "the limit, not something else, stopped the loop: \(r.out)")
        // Unlimited (-1) lets the same loop finish.
        let free = run(["--rm", "--pids-limit", "-1", image, "sh", "-c", "i=0; while [ $i -lt 20 ]; do sleep 1 & i=$((i+1)); done; echo $i"])
        XCTAssertEqual(free.out, "20\n", free.err)
    }

    func testCPUQuotaBoundsCPUTime() throws {
        let h = try require("cpu")
        XCTAssertEqual(run(["-d", "--name", "spin", "--cpus", "0.2", image, "sh", "-c", "yes > /dev/null & yes > /dev/null"]).status, 0)
        let id = fullID("spin")
        // CPU time used: v1 cpuacct.usage (ns), else v2 cpu.stat usage_usec.
        let usage: () -> Double = {
            if let acct = Self.hierarchy("cpuacct"), !acct.v2 {
                return (Double(self.read(acct.mountPoint + "/swiftbox/\(id)/cpuacct.usage")) ?? 0) / 1e9
            }
            let stat = self.read(h.mountPoint + "/swiftbox/\(id)/cpu.stat")
            let line = stat.split(separator: "\n").first { $0.hasPrefix("usage_usec ") }
            return (Double(line?.split(separator: " ").last ?? "") ?? 0) / 1e6
        }
        let quota = read(try cgroupFile(id, "cpu", v1File: "cpu.cfs_quota_us", v2File: "cpu.max"))
        XCTAssertTrue(quota == "20000" || quota == "20000 100000", quota)
        usleep(300_000)
        let (c0, t0) = (usage(), Date())
        sleep(3)
        let (c1, t1) = (usage(), Date())
        let share = (c1 - c0) / t1.timeIntervalSince(t0)
        print("--cpus 0.2 with two busy processes: \(String(format: "%.3f", share)) CPUs over \(String(format: "%.1f", t1.timeIntervalSince(t0))) s")
        XCTAssertGreaterThan(share, 0.02, "the container did run")
        XCTAssertLessThan(share, 0.4, "two busy loops would use up to 2 CPUs without the quota")
    }

    func testUpdateChangesARunningContainersLimits() throws {
        _ = try require("memory")
        XCTAssertEqual(run(["-d", "--name", "upd", "--memory", "64m", "--cpus", "0.5", image, "sleep", "100"]).status, 0)
        let id = fullID("upd")
        XCTAssertEqual(try hostConfig("upd")["Memory"] as? Int, 64 << 20)
        XCTAssertEqual(try hostConfig("upd")["MemorySwap"] as? Int, 128 << 20, "dockerd's default: as much swap again")
        XCTAssertEqual(try hostConfig("upd")["NanoCpus"] as? Int, 500_000_000)
        let limit = try cgroupFile(id, "memory", v1File: "memory.limit_in_bytes", v2File: "memory.max")
        XCTAssertEqual(read(limit), "67108864")
        let u = sbx(["update", "--memory", "128m", "--memory-swap", "256m", "upd"])
        XCTAssertEqual(u.status, 0, u.err)
        XCTAssertEqual(u.out, "upd\n")
        XCTAssertEqual(read(limit), "134217728")
        // And down again, below the memory+swap limit already set.
        XCTAssertEqual(sbx(["update", "--memory", "96m", "upd"]).status, 0)
        XCTAssertEqual(read(limit), "100663296")
        XCTAssertEqual(try hostConfig("upd")["Memory"] as? Int, 96 << 20)
        // Refused as dockerd refuses it: above the memory+swap limit.
        let over = sbx(["update", "--memory", "512m", "upd"])
        XCTAssertEqual(over.status, 1)
        XCTAssertTrue(over.err.contains("Memory limit should be smaller than already set memoryswap limit"), over.err)
        XCTAssertEqual(read(limit), "100663296", "a refused update writes nothing")
        if Self.hierarchy("pids") != nil {
            XCTAssertEqual(sbx(["update", "--pids-limit", "50", "upd"]).status, 0)
            XCTAssertEqual(read(try cgroupFile(id, "pids", v1File: "pids.max", v2File: "pids.max")), "50")
        }
        // The record keeps the new limits for the next start.
        XCTAssertEqual(sbx(["stop", "-t", "0", "upd"]).status, 0)
        XCTAssertEqual(sbx(["start", "upd"]).status, 0)
        XCTAssertEqual(read(limit), "100663296")
    }

    func testStatsAgreeWithCgroupFiles() throws {
        _ = try require("memory")
        let pidsFile = Self.hierarchy("pids") != nil
        XCTAssertEqual(run(["-d", "--name", "st", "--memory", "64m", "--pids-limit", "20", image, "sh", "-c", "sleep 100 & sleep 100 & wait"]).status, 0)
        let id = fullID("st")
        if pidsFile {
            let current = try cgroupFile(id, "pids", v1File: "pids.current", v2File: "pids.current")
            eventually("three tasks in the cgroup") { self.read(current) == "3" }
        }
        let r = sbx(["stats", "--no-stream", "--format", "json", "st"])
        XCTAssertEqual(r.status, 0, r.err)
        let row = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: String], r.out)
        XCTAssertEqual(row["Name"], "st")
        XCTAssertEqual(row["ID"], String(id.prefix(12)))
        if pidsFile { XCTAssertEqual(row["PIDs"], "3") }
        let mem = try XCTUnwrap(row["MemUsage"])
        XCTAssertTrue(mem.hasSuffix(" / 64MiB"), mem)
        // The usage shown is the cgroup's charge (less inactive file pages): not above the file's.
        let charged = Double(read(try cgroupFile(id, "memory", v1File: "memory.usage_in_bytes", v2File: "memory.current"))) ?? 0
        let shown = Self.bytes(String(mem.split(separator: " ").first ?? ""))
        XCTAssertGreaterThan(shown, 0, mem)
        XCTAssertLessThanOrEqual(shown, charged * 1.5 + 1_048_576, "stats \(mem) vs \(charged) bytes charged")
        XCTAssertEqual(row["CPUPerc"].map { $0.hasSuffix("%") }, true)
        let table = sbx(["stats", "--no-stream"])
        // Columns padded to their widest cell (NET I/O is wide now that the container is
        // on the default bridge): compare the header's cells.
        let header = table.out.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertEqual(header.components(separatedBy: "   ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                       ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"], table.out)
        XCTAssertTrue(table.out.contains(String(id.prefix(12))), table.out)
    }

    /// "184KiB" → bytes.
    static func bytes(_ s: String) -> Double {
        let units: [(String, Double)] = [("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("B", 1)]
        for (u, m) in units where s.hasSuffix(u) { return (Double(s.dropLast(u.count)) ?? 0) * m }
        return 0
    }

    func testCgroupRemovedOnRmEvenAfterTheMonitorWasKilled() throws {
        XCTAssertEqual(run(["-d", "--name", "plain", "--memory", "64m", image, "sleep", "100"]).status, 0)
        let plain = fullID("plain")
        XCTAssertFalse(cgroupDirectories(plain).filter { FileManager.default.fileExists(atPath: $0) }.isEmpty)
        XCTAssertEqual(sbx(["rm", "-f", "plain"]).status, 0)
        XCTAssertEqual(cgroupDirectories(plain).filter { FileManager.default.fileExists(atPath: $0) }, [])

        XCTAssertEqual(run(["-d", "--name", "orphan", "--memory", "64m", "--pids-limit", "20", image, "sh", "-c", "sleep 100 & sleep 100"]).status, 0)
        let id = fullID("orphan")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: engineRoot + "/containers/\(id)/state.json"))) as! [String: Any]
        let monitor = (state["monitorPid"] as! NSNumber).int32Value
        XCTAssertEqual(kill(monitor, SIGKILL), 0)
        // The container goes on without its monitor; rm -f kills it and removes every directory.
        XCTAssertEqual(sbx(["rm", "-f", "orphan"]).status, 0)
        XCTAssertEqual(cgroupDirectories(id).filter { FileManager.default.fileExists(atPath: $0) }, [])
    }

    func testOOMKillDisableWhereTheKernelAllowsIt() throws {
        let memory = try require("memory")
        let r = run(["--rm", "--memory", "32m", "--oom-kill-disable", image, "sh", "-c",
                     "cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null || cat /sys/fs/cgroup/memory.oom.group"])
        XCTAssertEqual(r.status, 0, r.err)
        if memory.v2 {
            // cgroup v2 has no switch for the OOM killer: Docker's warning, and kills stay per process.
            XCTAssertTrue(r.err.contains("WARNING: Your kernel does not support OomKillDisable. OomKillDisable discarded."), r.err)
            XCTAssertEqual(r.out, "0\n")
        } else {
            XCTAssertTrue(r.out.contains("oom_kill_disable 1"), r.out)
            XCTAssertEqual(r.err, "")
        }
        let unbounded = run(["--rm", "--oom-kill-disable", image, "true"])
        XCTAssertEqual(unbounded.status, 0)
        XCTAssertTrue(unbounded.err.contains("WARNING: "), "Docker warns about --oom-kill-disable without --memory, or on v2: \(unbounded.err)")
    }

    /// runc's `update` verb (podman update calls it): flags and a --resources JSON.
    func testOCIUpdate() throws {
        _ = try require("memory")
        let id = newID("upd")
        XCTAssertEqual(sb(["create", "--bundle", try bundle(["sleep", "100"]), id]).status, 0)
        let limit = try cgroupFile(id, "memory", v1File: "memory.limit_in_bytes", v2File: "memory.max")
        let u = sb(["update", "--memory", "64m", id])
        XCTAssertEqual(u.status, 0, u.err)
        XCTAssertEqual(read(limit), "67108864")
        let json = work + "/resources.json"
        try #"{"memory":{"limit":100663296}}"#.write(toFile: json, atomically: true, encoding: .utf8)
        XCTAssertEqual(sb(["update", "--resources", json, id]).status, 0)
        XCTAssertEqual(read(limit), "100663296")
        let bad = sb(["update", "--memory", "1x", id])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.err, "swiftbox: --memory 1x: invalid size: '1x'\n")
    }

    /// --blkio-weight lands in blkio.weight, or BFQ's blkio.bfq.weight, with no warning.
    func testBlkioWeightOnV1() throws {
        let blkio = try require("blkio", v2Name: "io")
        let files = ["blkio.weight", "blkio.bfq.weight"]
        guard !blkio.v2, files.contains(where: { FileManager.default.fileExists(atPath: blkio.mountPoint + "/swiftbox/" + $0) }) else {
            throw XCTSkip("no blkio weight file in \(blkio.mountPoint)/swiftbox (cgroup v2, or a kernel without CFQ/BFQ weights)")
        }
        let r = run(["--rm", "--blkio-weight", "300", image, "sh", "-c", "cat /sys/fs/cgroup/blkio/blkio.weight 2>/dev/null || cat /sys/fs/cgroup/blkio/blkio.bfq.weight"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("300") || r.out.contains(" 300"), r.out)
        XCTAssertEqual(r.err, "")
    }

    // MARK: bad input

    func expectRefused(_ flags: [String], _ message: String, line: UInt = #line) {
        let r = run(["--rm", "--name", "bad"] + flags + [image, "true"])
        XCTAssertEqual(r.status, 125, "\(flags)", line: line)
        XCTAssertEqual(r.err, "swiftbox: \(message)\n", line: line)
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "", "nothing created for \(flags)", line: line)
    }

    func testBadInputIsRefusedBeforeAnythingIsCreated() {
        expectRefused(["--memory", "1x"], "invalid argument \"1x\" for \"-m, --memory\" flag: invalid size: '1x'")
        expectRefused(["--memory", "1k"], "Minimum memory limit allowed is 6MB")
        let cpus = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        expectRefused(["--cpus", "-1"], "Range of CPUs is from 0.01 to \(cpus).00, as there are only \(cpus) CPUs available")
        expectRefused(["--pids-limit", "-5"], "invalid --pids-limit -5: must be a positive number, or -1 (or 0) for unlimited")
        expectRefused(["--memory-swap", "64m"], "You should always set the Memory limit when using Memoryswap limit, see usage")
        expectRefused(["--blkio-weight", "5"], "Range of blkio weight is from 10 to 1000")
        if Self.hierarchy("cpuset") != nil {
            let r = run(["--rm", "--cpuset-cpus", "99", image, "true"])
            XCTAssertEqual(r.status, 125)
            XCTAssertTrue(r.err.hasPrefix("swiftbox: Requested CPUs are not available - requested 99, available: 0"), r.err)
        }
        XCTAssertEqual(sbx(["ps", "-aq"]).out, "")
    }

    /// An OCI config asking for a controller this host does not offer fails before any
    /// state or cgroup exists.
    func testLimitOnAMissingControllerIsAClearError() throws {
        guard let v2 = Self.hierarchies.first(where: \.v2) else { throw XCTSkip("no cgroup2 mount: linux.resources.unified cannot apply") }
        guard let missing = ["misc", "rdma"].first(where: { !v2.controllers.contains($0) && Self.hierarchy($0) == nil }) else {
            throw XCTSkip("this host offers every controller we could ask for (\(v2.controllers.joined(separator: " ")))")
        }
        let id = newID("missing")
        let b = try bundle(["true"]) { config in
            var linux = config["linux"] as! [String: Any]
            linux["resources"] = ["unified": ["\(missing).max": "1"]]
            config["linux"] = linux
        }
        let r = sb(["run", "--bundle", b, id])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.err, "swiftbox: \(missing): controller not available on this host\n")
        XCTAssertEqual(sb(["list", "-q"]).out, "")
        XCTAssertEqual(Self.hierarchies.map { $0.mountPoint + "/swiftbox/\(id)" }.filter { FileManager.default.fileExists(atPath: $0) }, [])
    }

    /// Limits on the caller's own cgroup would limit the caller: refused before anything exists.
    func testLimitsOnTheCallersOwnCgroupAreRefused() throws {
        let own = ((try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? "").split(separator: "\n")
        let limits: [(String, [String: Any])] = [("memory", ["memory": ["limit": 64 << 20]]), ("pids", ["pids": ["limit": 50]])]
        var chosen: (path: String, resources: [String: Any])?
        for (controller, resources) in limits {
            guard let h = Self.hierarchy(controller) else { continue }
            let line = own.first { h.v2 ? $0.hasPrefix("0::") : $0.split(separator: ":", maxSplits: 2).dropFirst().first?.split(separator: ",").contains(Substring(controller)) == true }
            if let path = line?.split(separator: ":", maxSplits: 2).last.map(String.init), path != "/" { chosen = (path, resources); break }
        }
        guard let chosen else { throw XCTSkip("this test process sits in the root cgroup of every limited controller: no own cgroup to protect") }
        let id = newID("own")
        let b = try bundle(["true"]) { config in
            var linux = config["linux"] as! [String: Any]
            linux["cgroupsPath"] = chosen.path
            linux["resources"] = chosen.resources
            config["linux"] = linux
        }
        let r = sb(["run", "--bundle", b, id])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.hasPrefix("swiftbox: cgroupsPath \(chosen.path) is the runtime's own cgroup"), r.err)
        XCTAssertEqual(sb(["list", "-q"]).out, "")
    }
}
