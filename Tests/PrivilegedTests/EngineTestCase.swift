// The base of engine tests: a state root with the busybox image loaded, `sbx` to run
// swiftbox against it, and a teardown that removes every container and volume the test
// left and checks that no overlay of the root is still mounted.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

class EngineTestCase: PrivilegedTestCase {
    var engineRoot: String { work + "/engine" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        let layout = work + "/busybox-image"
        XCTAssertEqual(Self.shell([Self.packageRoot + "/rootfs-fixtures/busybox-image.sh", layout]).status, 0)
        XCTAssertEqual(sbx(["load", "-i", layout]).status, 0)
    }

    override func tearDownWithError() throws {
        if !work.isEmpty {
            for id in sbx(["ps", "-aq", "--no-trunc"]).out.split(separator: "\n") { _ = sbx(["rm", "-f", String(id)]) }
            let left = sbx(["ps", "-aq"]).out
            XCTAssertEqual(left, "", "containers left behind")
            // Volumes last: a volume with driver options is a mount on the host until removed.
            for name in sbx(["volume", "ls", "-q"]).out.split(separator: "\n") { _ = sbx(["volume", "rm", String(name)]) }
            let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
            XCTAssertFalse(mounts.contains(engineRoot), "an overlay of \(engineRoot) is still mounted")
        }
        try super.tearDownWithError()
    }

    /// Commands with subcommands: --root goes after the subcommand's name.
    static let commandGroups: Set<String> = ["volume", "network", "container", "image", "system", "compose"]

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
