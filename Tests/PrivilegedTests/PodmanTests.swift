// podman driving swiftbox as its OCI runtime (`podman --runtime …/swiftbox-oci`), with
// its own throw-away storage so the machine's podman state is never touched.
import XCTest

final class PodmanTests: PrivilegedTestCase {
    var podmanRoot = ""

    func podman(_ args: [String]) -> (status: Int32, out: String, err: String) {
        Self.shell(["/usr/bin/env", "CONTAINERS_CONF=\(podmanRoot)/containers.conf", "podman",
                    "--root", podmanRoot + "/storage", "--runroot", podmanRoot + "/run",
                    "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none",
                    "--runtime", podmanRoot + "/bin/swiftbox-oci"] + args)
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/podman") else {
            throw missingTool("podman is not installed (make deps installs it)")
        }
        podmanRoot = work + "/podman"
        try FileManager.default.createDirectory(atPath: podmanRoot + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: podmanRoot + "/bin/swiftbox-oci", withDestinationPath: Self.binary)
        // podman's default nofile limit (1048576) is above this host's hard limit.
        try "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
            .write(toFile: podmanRoot + "/containers.conf", atomically: true, encoding: .utf8)
        let tar = work + "/rootfs.tar"
        XCTAssertEqual(Self.shell(["/bin/tar", "-C", Self.sharedRootfs! + "/rootfs", "-cf", tar, "."]).status, 0)
        let imported = podman(["import", tar, "localhost/swiftbox-test-busybox"])
        XCTAssertEqual(imported.status, 0, imported.err)
    }

    override func tearDownWithError() throws {
        if !podmanRoot.isEmpty {
            _ = podman(["rm", "-a", "-f"])
            _ = podman(["rmi", "-a", "-f"])
        }
        try super.tearDownWithError()
    }

    func testPodmanRunsContainersWithSwiftbox() throws {
        let hi = podman(["run", "--rm", "localhost/swiftbox-test-busybox", "echo", "hi"])
        XCTAssertEqual(hi.status, 0, hi.err)
        XCTAssertEqual(hi.out, "hi\n")
        XCTAssertEqual(podman(["run", "--rm", "localhost/swiftbox-test-busybox", "sh", "-c", "exit 3"]).status, 3)
        let d = podman(["run", "-d", "--name", "sbt", "localhost/swiftbox-test-busybox", "sleep", "100"])
        XCTAssertEqual(d.status, 0, d.err)
        let e = podman(["exec", "sbt", "sh", "-c", "echo exec:$$"])
        XCTAssertEqual(e.out, "exec:2\n", e.err)
        XCTAssertEqual(podman(["rm", "-f", "-t", "0", "sbt"]).status, 0)
        XCTAssertEqual(podman(["ps", "-aq"]).out, "")
    }
}
