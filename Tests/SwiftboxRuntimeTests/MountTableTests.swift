import XCTest
@testable import SwiftboxKernel

final class MountTableTests: XCTestCase {
    /// statx's answer agrees with the mount table for mount points every Linux has and
    /// for paths that are not mount points.
    func testMountPointsAgreeWithMountinfo() {
        for path in ["/", "/proc", "/sys", "/proc/self", "/etc", "/definitely/not/here", "/proc/self/exe"] {
            XCTAssertEqual(MountTable.isMountPoint(path), MountTable.listed(path), path)
        }
        XCTAssertTrue(MountTable.isMountPoint("/proc"))
        XCTAssertFalse(MountTable.isMountPoint("/proc/self"))
    }
}
