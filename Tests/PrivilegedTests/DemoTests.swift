// `make demo` is the main job README.md promises: it must run end to end. Run here the
// way the Makefile runs it (paths relative to the package), with the debug build.
import XCTest

final class DemoTests: EngineTestCase {
    func testTheDemoRunsToTheEnd() throws {
        let layout = try XCTUnwrap(Self.imageLayout, "rootfs-fixtures/busybox-image.sh failed")
        let fixtures = URL(fileURLWithPath: layout).deletingLastPathComponent().path
        let r = Self.shell(["/bin/sh", "-c", "cd '\(Self.packageRoot)' && bash rootfs-fixtures/demo.sh .build/debug/swiftbox '\(fixtures)'"])
        XCTAssertEqual(r.status, 0, "demo failed:\n\(r.out.suffix(1500))\n\(r.err.suffix(1500))")
        XCTAssertTrue(r.out.contains("worker saw web by name"), "the compose step ran: \(r.out.suffix(800))")
        XCTAssertTrue(r.out.contains("hello from pid 1 in swiftbox"), "the OCI step ran: \(r.out.suffix(800))")
    }
}
