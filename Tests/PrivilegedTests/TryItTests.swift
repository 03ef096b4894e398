// README's "Try it", typed as a person types it after `make demo`: the fixture images
// loaded under Docker's names (rootfs-fixtures/load-fixtures.sh, as `make demo` does for
// swiftbox's own store), then
//   swiftbox run -it --network bridge alpine sh    (ip addr, ping the gateway, apk, exit 3)
//   swiftbox run -it alpine sh                     (the default network: the same bridge)
//   swiftbox compose up -d                         (the demo project)
// through a pseudo-terminal, with the state root in SWIFTBOX_ROOT so the command lines
// are exactly the README's.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class TryItTests: NetworkTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        let alpine = try Self.requireAlpineLayout()
        // A fixtures directory like fixtures-out/, loaded the way `make demo` loads it.
        let fixtures = work + "/fixtures"
        try FileManager.default.createDirectory(atPath: fixtures, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixtures + "/alpine-image", withDestinationPath: alpine)
        try FileManager.default.createSymbolicLink(atPath: fixtures + "/busybox-image", withDestinationPath: try XCTUnwrap(Self.imageLayout))
        let load = Self.shell([Self.packageRoot + "/rootfs-fixtures/load-fixtures.sh", Self.binary, fixtures, engineRoot])
        XCTAssertEqual(load.status, 0, load.err)
    }

    /// The environment a user's shell has, plus SWIFTBOX_ROOT for the test's root.
    var env: [String] { ["/usr/bin/env", "SWIFTBOX_ROOT=" + engineRoot, "PATH=" + (URL(fileURLWithPath: Self.binary).deletingLastPathComponent().path) + ":/usr/sbin:/usr/bin:/sbin:/bin"] }

    /// Run ARGV on a pseudo-terminal, type each line once the shell prompts, and return
    /// everything the terminal showed and the exit status.
    func typed(_ argv: [String], _ lines: [String]) -> (status: Int32, out: String, err: String) {
        let driver = """
        import os, pty, select, sys, time
        argv = sys.argv[1:sys.argv.index("--")]
        lines = sys.argv[sys.argv.index("--") + 1:]
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp(argv[0], argv)
        out = b""
        def read_until(done, timeout):
            global out
            end = time.time() + timeout
            while time.time() < end and not done():
                if select.select([fd], [], [], 0.1)[0]:
                    try: chunk = os.read(fd, 4096)
                    except OSError: return
                    if not chunk: return
                    out += chunk
        # The prompt: "/ # ", then ash asks the terminal where the cursor is (ESC [6n).
        def prompted(): return out[mark:].replace(b"\\x1b[6n", b"").rstrip().endswith(b"#")
        mark = 0
        for line in lines:
            read_until(prompted, 30)
            os.write(fd, line.encode() + b"\\r")
            mark = len(out) + len(line)
        read_until(lambda: False, 30)
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(out.decode(errors="replace"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """
        let path = work + "/pty-driver.py"
        FileManager.default.createFile(atPath: path, contents: Data(driver.utf8))
        return Self.shell(["/usr/bin/python3", path] + env + argv + ["--"] + lines)
    }

    func testTheCommandsOfTryItAsTyped() throws {
        let name = URL(fileURLWithPath: Self.binary).lastPathComponent
        // On the bridge network: an address, the gateway answers a ping, apk runs, and
        // the shell's exit status is the command's.
        let bridged = typed([name, "run", "-it", "--network", "bridge", "alpine", "sh"],
                            ["ip addr", "ping -c1 $(ip route | awk '/^default/ {print $3}')", "apk --version", "exit 3"])
        XCTAssertEqual(bridged.status, 3, bridged.out + bridged.err)
        XCTAssertTrue(bridged.out.contains("inet 127.0.0.1/8"), bridged.out)
        XCTAssertTrue(bridged.out.range(of: #"inet 172\.\d+\.0\.2/16"#, options: .regularExpression) != nil, bridged.out)
        XCTAssertTrue(bridged.out.contains("1 packets transmitted, 1 packets received"), bridged.out)
        XCTAssertTrue(bridged.out.contains("apk-tools 3."), bridged.out)
        // No --network: the same default network.
        let plain = typed([name, "run", "-it", "alpine", "sh"], ["ip -4 route", "exit"])
        XCTAssertEqual(plain.status, 0, plain.out + plain.err)
        XCTAssertTrue(plain.out.contains("default via 172."), plain.out)
        // Without -it, as with Docker: sh reads an empty stdin and ends at once.
        XCTAssertEqual(Self.shell(env + [name, "run", "--network", "bridge", "alpine", "sh"]).status, 0)
        // The short names are Docker's: alpine is docker.io/library/alpine:latest.
        for image in ["alpine:3.23", "docker.io/library/alpine:latest", "busybox", "docker.io/library/busybox:latest"] {
            XCTAssertEqual(Self.shell(env + [name, "image", "inspect", image]).status, 0, image)
        }
    }

    func testTheDemoComposeProjectComesUp() throws {
        let project = Self.packageRoot + "/rootfs-fixtures/demo-compose"
        let name = URL(fileURLWithPath: Self.binary).lastPathComponent
        let up = Self.shell(["/bin/sh", "-c", "cd '\(project)' && exec \"$@\"", "sh"] + env + [name, "compose", "up", "-d"])
        XCTAssertEqual(up.status, 0, up.out + up.err)
        eventually("web answers on the published port") {
            Self.shell(["/usr/bin/curl", "-s", "-m", "3", "http://127.0.0.1:18080/"]).out.contains("on the demo_default network")
        }
        eventually("the worker found web by name") {
            Self.shell(["/bin/sh", "-c", "cd '\(project)' && exec \"$@\"", "sh"] + env + [name, "compose", "logs", "worker"]).out
                .contains("worker saw web by name")
        }
        let down = Self.shell(["/bin/sh", "-c", "cd '\(project)' && exec \"$@\"", "sh"] + env + [name, "compose", "down", "-v"])
        XCTAssertEqual(down.status, 0, down.out + down.err)
    }
}
