// `inspect --diagram CONTAINER` of a known container, against a golden file
// (Golden/container-diagram.dot). SWIFTBOX_UPDATE_GOLDEN=1 rewrites it; review the diff.
import XCTest
@testable import SwiftboxEngine

final class ContainerDiagramTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden/container-diagram.dot"

    static func known() -> ContainerDiagram {
        let id = String(repeating: "a1", count: 32)
        var volume = ContainerMount(type: .volume, source: "data", target: "/var/lib/data")
        volume.readOnly = false
        var bind = ContainerMount(type: .bind, source: "/etc/ssl", target: "/etc/ssl")
        bind.readOnly = true
        return ContainerDiagram(
            id: id, name: "web", image: "nginx:1", running: true,
            layers: [.init(chainID: "sha256:" + String(repeating: "1", count: 64), directory: "/var/lib/swiftbox/images/snapshots/111/fs"),
                     .init(chainID: "sha256:" + String(repeating: "2", count: 64), directory: "/var/lib/swiftbox/images/snapshots/222/fs")],
            containerDir: "/var/lib/swiftbox/containers/\(id)", mounts: [volume, bind],
            namespaces: [.init(type: "mnt", inode: "4026532300", sharedWith: nil), .init(type: "net", inode: "4026532100", sharedWith: "container db"),
                         .init(type: "user", inode: "4026531837", sharedWith: "the host")],
            cgroupDirectories: ["/sys/fs/cgroup/memory/swiftbox/\(id)", "/sys/fs/cgroup/pids/swiftbox/\(id)"],
            limits: ["memory.limit_in_bytes = 67108864", "pids.max = 100"])
    }

    func testKnownContainerMatchesTheGoldenFile() throws {
        let dot = Self.known().dot
        if ProcessInfo.processInfo.environment["SWIFTBOX_UPDATE_GOLDEN"] == "1" {
            try dot.write(toFile: Self.golden, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(dot, try String(contentsOfFile: Self.golden, encoding: .utf8))
        XCTAssertTrue(try Graphviz.svg(dot).contains("<svg"))
    }

    func testTheStackReadsTopDown() {
        let dot = Self.known().dot
        // The bind (last mount) on top, then the volume, the merged root, upper, the top layer, the bottom one.
        let order = ["mount1 -> mount0", "mount0 -> rootfs", "rootfs -> upper", "upper -> layer1", "layer1 -> layer0"]
        for edge in order { XCTAssertTrue(dot.contains("    \(edge) [arrowhead=none];"), edge) }
        XCTAssertTrue(dot.contains("net:[4026532100]\\lshared with container db\\l"))
        XCTAssertTrue(dot.contains("/swiftbox/\(String(repeating: "a1", count: 32))\\lunder:\\l  /sys/fs/cgroup/memory /sys/fs/cgroup/pids\\l"))
    }
}
