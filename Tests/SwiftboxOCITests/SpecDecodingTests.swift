import XCTest
#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
@testable import SwiftboxOCI

final class SpecDecodingTests: XCTestCase {
    /// A config.json that uses every field the runtime reads.
    static let full = """
    {
      "ociVersion": "1.0.2",
      "process": {
        "terminal": true,
        "consoleSize": {"height": 24, "width": 80},
        "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6]},
        "args": ["/bin/sh", "-c", "echo hi"],
        "env": ["PATH=/bin", "A=b"],
        "cwd": "/work",
        "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "inheritable": [],
                         "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 2048, "soft": 1024}],
        "noNewPrivileges": true,
        "oomScoreAdj": 100
      },
      "root": {"path": "rootfs", "readonly": true},
      "hostname": "box",
      "domainname": "example.org",
      "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                 {"destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind", "ro"]}],
      "annotations": {"a": "b"},
      "linux": {
        "namespaces": [{"type": "pid"}, {"type": "network", "path": "/proc/1/ns/net"}],
        "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
        "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}],
        "cgroupsPath": "/swiftbox/x",
        "resources": {"memory": {"limit": 1048576}, "cpu": {"shares": 512, "quota": 10000, "period": 100000, "cpus": "0"}, "pids": {"limit": 10}},
        "rootfsPropagation": "rprivate",
        "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
                    "flags": ["SECCOMP_FILTER_FLAG_LOG"],
                    "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                                  "args": [{"index": 1, "value": 448, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}]},
        "sysctl": {"net.ipv4.ip_forward": "1"},
        "maskedPaths": ["/proc/kcore"],
        "readonlyPaths": ["/proc/sys"]
      },
      "someFutureField": {"ignored": true}
    }
    """

    func testDecodesEveryField() throws {
        let spec = try SpecLoader.decode(Data(Self.full.utf8))
        XCTAssertEqual(spec.process?.terminal, true)
        XCTAssertEqual(spec.process?.consoleSize?.width, 80)
        XCTAssertEqual(spec.process?.user.uid, 1000)
        XCTAssertEqual(spec.process?.user.additionalGids, [5, 6])
        XCTAssertEqual(spec.process?.user.umask, 18)
        XCTAssertEqual(spec.process?.args, ["/bin/sh", "-c", "echo hi"])
        XCTAssertEqual(spec.process?.cwd, "/work")
        XCTAssertEqual(spec.process?.capabilities?.ambient, ["CAP_KILL"])
        XCTAssertEqual(spec.process?.rlimits?.first, .init(type: "RLIMIT_NOFILE", soft: 1024, hard: 2048))
        XCTAssertEqual(spec.process?.noNewPrivileges, true)
        XCTAssertEqual(spec.process?.oomScoreAdj, 100)
        XCTAssertEqual(spec.root, .init(path: "rootfs", readonly: true))
        XCTAssertEqual(spec.hostname, "box")
        XCTAssertEqual(spec.domainname, "example.org")
        XCTAssertEqual(spec.mounts?[1].options, ["rbind", "ro"])
        XCTAssertEqual(spec.annotations, ["a": "b"])
        XCTAssertEqual(spec.linux?.namespaces?[1], .init(type: "network", path: "/proc/1/ns/net"))
        XCTAssertEqual(spec.linux?.uidMappings?.first?.hostID, 100000)
        XCTAssertEqual(spec.linux?.devices?.first?.major, 10)
        XCTAssertEqual(spec.linux?.cgroupsPath, "/swiftbox/x")
        XCTAssertEqual(spec.linux?.resources?.pids?.limit, 10)
        XCTAssertEqual(spec.linux?.rootfsPropagation, "rprivate")
        XCTAssertEqual(spec.linux?.seccomp?.syscalls?.first?.args?.first?.value, 448)
        XCTAssertEqual(spec.linux?.seccomp?.flags, ["SECCOMP_FILTER_FLAG_LOG"])
        XCTAssertEqual(spec.linux?.sysctl, ["net.ipv4.ip_forward": "1"])
        XCTAssertEqual(spec.linux?.maskedPaths, ["/proc/kcore"])
        XCTAssertEqual(spec.linux?.readonlyPaths, ["/proc/sys"])
    }

    func testRoundTrip() throws {
        let spec = DefaultSpec.make()
        let again = try SpecLoader.decode(try SpecLoader.encode(spec))
        XCTAssertEqual(spec, again)
    }

    func testWrongTypeNamesTheKey() {
        let text = #"{"ociVersion": "1.0.2", "process": {"user": {"uid": "root", "gid": 0}, "cwd": "/"}}"#
        XCTAssertThrowsError(try SpecLoader.decode(Data(text.utf8), file: "b/config.json")) { error in
            XCTAssertEqual("\(error)", "b/config.json: process.user.uid: expected a number")
        }
    }

    func testMissingKeyNamesTheKey() {
        let text = #"{"ociVersion": "1.0.2", "process": {"user": {"uid": 0, "gid": 0}}}"#
        XCTAssertThrowsError(try SpecLoader.decode(Data(text.utf8))) { error in
            XCTAssertEqual("\(error)", "config.json: process.cwd: required key is missing")
        }
    }

    func testArrayIndexInPath() {
        let text = #"{"ociVersion": "1", "mounts": [{"destination": "/a"}, {"destination": 5}]}"#
        XCTAssertThrowsError(try SpecLoader.decode(Data(text.utf8))) { error in
            XCTAssertEqual("\(error)", "config.json: mounts[1].destination: expected a string")
        }
    }

    func testMalformedJSON() {
        XCTAssertThrowsError(try SpecLoader.decode(Data("{\"ociVersion\": ".utf8))) { error in
            XCTAssertTrue("\(error)".hasPrefix("config.json: not valid JSON"), "\(error)")
        }
    }

    func testStateEncodesSpecKeys() throws {
        let state = ContainerState(id: "x", status: .running, pid: 42, bundle: "/b")
        let text = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        for key in ["\"ociVersion\"", "\"id\"", "\"status\":\"running\"", "\"pid\":42", "\"bundle\""] {
            XCTAssertTrue(text.contains(key), "\(key) missing in \(text)")
        }
    }
}
