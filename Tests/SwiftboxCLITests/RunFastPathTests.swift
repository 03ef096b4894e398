import XCTest
@testable import SwiftboxCLI
import SwiftboxEngine

final class RunFastPathTests: XCTestCase {
    /// What a user can tell apart in RunOptions, as text: the two parsers must agree.
    func summary(_ o: RunOptions) -> String {
        [o.image, o.name ?? "-", o.args.joined(separator: ","), o.entrypoint ?? "-", o.env.joined(separator: ","),
         o.workingDir ?? "-", o.user ?? "-", o.hostname ?? "-", o.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
         "\(o.autoRemove)", "\(o.readOnly)", "\(o.privileged)", o.capAdd.joined(separator: ","), o.capDrop.joined(separator: ","),
         o.stopSignal ?? "-", o.stopTimeout.map(String.init) ?? "-", "\(o.initProcess)", "\(o.interactive)", "\(o.tty)",
         o.networks.joined(separator: ","), "\(o.publish)", "\(o.mounts.count)", "\(o.resources == nil)", "\(o.health == nil)"]
            .joined(separator: "|")
    }

    func testAgreesWithArgumentParser() throws {
        setenv("SWIFTBOX_FASTPATH_TEST", "from-env", 1)
        let lines: [[String]] = [
            ["--rm", "--network", "none", "busybox", "true"],
            ["-d", "--name", "web", "-e", "A=1", "-e", "SWIFTBOX_FASTPATH_TEST", "-e", "UNSET_FASTPATH_VAR", "busybox"],
            ["--name=x", "--env=B=2", "-w", "/tmp", "-u", "1:2", "--entrypoint", "sh", "-h", "host", "busybox", "-c", "echo"],
            ["-it", "--init", "--read-only", "--privileged", "-l", "a=b", "--label", "c", "busybox", "sh"],
            ["-dit", "--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--stop-signal", "SIGINT", "--stop-timeout", "3", "img"],
            ["--net", "a", "--network", "b", "--root", "/r", "busybox", "echo", "--rm", "-x"],
        ]
        for args in lines {
            let fast = try XCTUnwrap(RunFastPath.parse(args), "\(args)")
            let full = try Run.parse(args)
            XCTAssertEqual(summary(try fast.basics.runOptions()), summary(try full.options.runOptions()), "\(args)")
            XCTAssertEqual(fast.detach, full.detach, "\(args)")
            XCTAssertEqual(fast.root, full.globals.root, "\(args)")
        }
    }

    func testDefersWhatItDoesNotKnow() {
        for args in [
            [], ["--rm"], ["--help"], ["-p", "80:80", "busybox"], ["-v", "/a:/b", "busybox"], ["--memory", "64m", "busybox"],
            ["--name", "-x", "busybox"], ["--stop-timeout", "-1", "busybox"], ["--stop-timeout", "x", "busybox"],
            ["--rm=true", "busybox"], ["-itp", "busybox"], ["-eA=1", "busybox"], ["--", "busybox"], ["--name"],
            ["--restart", "always", "busybox"], ["--cidfile", "/tmp/x", "busybox"],
        ] {
            XCTAssertNil(RunFastPath.parse(args), "\(args)")
        }
    }
}
