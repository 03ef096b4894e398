// Containers on a pure cgroup v2 host. Our machines are hybrid, so these run for real
// only inside the qemu guest of `make test-cgroup2` (rootfs-fixtures/cgroup2-guest);
// natively they skip and say so. What they pin down: the guest really is pure v2
// with the controllers the limits need, a container is cloned straight into
// /sys/fs/cgroup/swiftbox/<id> (CLONE_INTO_CGROUP) through both the OCI runtime and
// the engine, and delete removes the cgroup again.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class CgroupV2GuestTests: PrivilegedTestCase {
    static let root = "/sys/fs/cgroup"

    override func setUpWithError() throws {
        try super.setUpWithError()
        let mounts = PrivilegedTestCase.mountinfo()
        let types = mounts.split(separator: "\n").compactMap { line -> (String, String)? in
            let f = line.split(separator: " ")
            guard let dash = f.firstIndex(of: "-"), dash + 1 < f.count, f.count > 4 else { return nil }
            return (String(f[4]), String(f[dash + 1]))
        }
        guard types.contains(where: { $0 == (Self.root, "cgroup2") }) else {
            throw XCTSkip("not a pure cgroup v2 host (no cgroup2 at \(Self.root)); `make test-cgroup2` runs this in a guest")
        }
    }

    func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testHierarchyIsPureV2WithTheControllersLimitsNeed() throws {
        let mounts = PrivilegedTestCase.mountinfo()
        XCTAssertFalse(mounts.contains(" - cgroup "), "a cgroup v1 hierarchy is mounted:\n\(mounts)")
        let controllers = Set(read(Self.root + "/cgroup.controllers").split(separator: " ").map(String.init))
        for c in ["memory", "pids", "cpu"] { XCTAssertTrue(controllers.contains(c), "\(c) missing from \(controllers)") }
    }

    func testOCIContainerIsClonedIntoItsCgroupAndDeleteRemovesIt() throws {
        let id = newID("v2")
        let dir = Self.root + "/swiftbox/" + id
        let r = sb(["run", "--detach", "--bundle", try bundle(["sh", "-c", "cat /proc/self/cgroup; sleep 100"]), id],
                   globals: ["--log-level", "trace"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("CLONE_INTO_CGROUP"), "the plan clones into the cgroup:\n\(r.err)")
        XCTAssertFalse(r.err.contains("clone3 unavailable"), r.err)
        let pid = try XCTUnwrap(self.pid(id))
        XCTAssertEqual(read("/proc/\(pid)/cgroup"), "0::/swiftbox/\(id)")
        XCTAssertEqual(read(dir + "/cgroup.procs"), "\(pid)")
        XCTAssertEqual(read(dir + "/cgroup.type"), "domain")
        XCTAssertEqual(sb(["delete", "--force", id]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "\(dir) left behind")
    }

    /// The freezer is cgroup.freeze here (no v1 freezer hierarchy).
    func testPauseResumeWithCgroupFreeze() throws { try checkPauseResumePsEvents() }

    func testEngineContainerLandsInItsCgroupAndRmRemovesIt() throws {
        let engineRoot = work + "/engine"
        func sbx(_ args: [String]) -> (status: Int32, out: String, err: String) {
            Self.shell([Self.binary, args[0], "--root", engineRoot] + args.dropFirst())
        }
        let layout = work + "/busybox-image"
        XCTAssertEqual(Self.shell([Self.packageRoot + "/rootfs-fixtures/busybox-image.sh", layout]).status, 0)
        XCTAssertEqual(sbx(["load", "-i", layout]).status, 0)
        defer {
            for c in sbx(["ps", "-aq", "--no-trunc"]).out.split(separator: "\n") { _ = sbx(["rm", "-f", String(c)]) }
            // The container was on the default bridge: system prune removes the root's
            // bridge and nft table with it (the guest's leak check looks for both).
            let prune = Self.shell([Self.binary, "system", "prune", "--root", engineRoot, "-f"])
            XCTAssertEqual(prune.status, 0, prune.err)
        }
        let d = sbx(["run", "-d", "busybox-image:latest", "sleep", "100"])
        XCTAssertEqual(d.status, 0, d.err)
        let id = d.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let dir = Self.root + "/swiftbox/" + id
        let procs = read(dir + "/cgroup.procs").split(separator: "\n")
        XCTAssertEqual(procs.count, 1, "one process (sleep) in \(dir): \(procs)")
        if let p = procs.first {
            XCTAssertEqual(read("/proc/\(p)/comm"), "sleep")
            XCTAssertEqual(read("/proc/\(p)/cgroup"), "0::/swiftbox/\(id)")
        }
        // The container's own view: a cgroup namespace rooted at its cgroup.
        let e = sbx(["exec", id, "cat", "/proc/self/cgroup"])
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertEqual(e.out, "0::/\n")
        XCTAssertEqual(sbx(["rm", "-f", id]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "\(dir) left behind")
    }
}
