// The monitor's messages to the command that started it: each survives the pipe as
// one line, a version it does not speak is refused, and a failure arrives as the typed
// error (stage, errno) the caller turns into Docker's exit status.
import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import SwiftboxEngine
import SwiftboxErrors
import SwiftboxKernel
@testable import SwiftboxRuntime

final class MonitorMessageTests: XCTestCase {
    func testEachMessageIsOneLineAndDecodesToItself() throws {
        let messages: [MonitorMessage] = [
            .awaitingAttach,
            .started(pid: 4242),
            .failed(MonitorFailure(stage: .exec, errno: ENOENT, detail: "exec nosuch: executable file not found in $PATH or no such file")),
            // A detail with a newline of its own still makes one line.
            .failed(MonitorFailure(stage: .prepare, errno: 0, detail: "first\nsecond \"quoted\"")),
        ]
        for m in messages {
            let line = m.line()
            XCTAssertEqual(line.last, UInt8(ascii: "\n"))
            XCTAssertEqual(line.filter { $0 == UInt8(ascii: "\n") }.count, 1, "\(m)")
            XCTAssertEqual(try MonitorMessage.decode(line: line.dropLast()), m)
        }
    }

    func testTheLineCarriesTheVersion() throws {
        XCTAssertEqual(String(decoding: MonitorMessage.started(pid: 7).line(), as: UTF8.self), #"{"message":"started","pid":7,"version":1}"# + "\n")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(MonitorMessage.started(pid: 7).line())) as? [String: Any])
        XCTAssertEqual(json["version"] as? Int, MonitorMessage.version)
        XCTAssertEqual(json["message"] as? String, "started")
        XCTAssertEqual(json["pid"] as? Int, 7)
    }

    func testAnotherVersionIsRefused() {
        let line = Array(#"{"version":2,"message":"started","pid":1}"#.utf8)
        XCTAssertThrowsError(try MonitorMessage.decode(line: line)) { error in
            XCTAssertTrue("\(error)".contains("version 2"), "\(error)")
        }
        XCTAssertThrowsError(try MonitorMessage.decode(line: Array("ok".utf8)))
    }

    /// What the monitor makes of the error it caught: an execve failure is the exec stage
    /// whatever it was doing; the errno is the failing call's.
    func testFailuresKeepStageAndErrno() {
        let exec = MonitorFailure(stage: .create, error: LaunchError(op: "nosuch", errno: ENOENT, isExec: true))
        XCTAssertEqual(exec.stage, .exec)
        XCTAssertEqual(exec.errno, ENOENT)
        XCTAssertEqual(exec.detail, "exec nosuch: executable file not found in $PATH or no such file")
        let mount = MonitorFailure(stage: .create, error: LaunchError(op: "mount", errno: EPERM, isExec: false))
        XCTAssertEqual(mount.stage, .create)
        XCTAssertEqual(mount.errno, EPERM)
        let kernel = MonitorFailure(stage: .prepare, error: KernelError("mount", ["overlay"], errno: ENODEV))
        XCTAssertEqual(kernel.stage, .prepare)
        XCTAssertEqual(kernel.errno, ENODEV)
        XCTAssertEqual(MonitorFailure(stage: .monitor, error: EngineError.failed("busy")).errno, 0)
    }

    /// The caller's side over a real pipe: the attach request, then the start.
    func testReportOverAPipe() throws {
        let (r, w) = try pipe()
        write(w, MonitorMessage.awaitingAttach.line() + MonitorMessage.started(pid: 99).line())
        close(w)
        var attached = 0
        XCTAssertEqual(try MonitorReport.read(r, onAttach: { attached += 1 }), 99)
        XCTAssertEqual(attached, 1)
        close(r)
    }

    /// A monitor failing at a stage surfaces as the typed error, and its exit status
    /// is Docker's for it: 127 for a command not found, 126 cannot execute, else 125.
    func testAFailedStartSurfacesAsTheTypedError() throws {
        let cases: [(MonitorFailure, Int32)] = [
            (MonitorFailure(stage: .exec, errno: ENOENT, detail: "exec nosuch: executable file not found in $PATH or no such file"), 127),
            (MonitorFailure(stage: .exec, errno: EACCES, detail: "exec /etc/passwd: permission denied"), 126),
            (MonitorFailure(stage: .create, errno: ENOENT, detail: "chdir(/nonexist): ENOENT"), 125),
        ]
        for (sent, status) in cases {
            let (r, w) = try pipe()
            write(w, MonitorMessage.failed(sent).line())
            close(w)
            XCTAssertThrowsError(try MonitorReport.read(r, onAttach: nil)) { error in
                XCTAssertEqual(error as? MonitorFailure, sent)
                let e = SwiftboxError(error)
                XCTAssertEqual(e.message, sent.detail)
                XCTAssertEqual(e.exitCode(otherwise: 125), status)
            }
            close(r)
        }
    }

    /// A monitor that died before saying anything: no pid, no error of its own.
    func testAClosedPipeIsNoReport() throws {
        let (r, w) = try pipe()
        close(w)
        XCTAssertNil(try MonitorReport.read(r, onAttach: nil))
        close(r)
    }

    private func pipe() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw KernelError("pipe") }
        return (fds[0], fds[1])
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) {
        XCTAssertEqual(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }, bytes.count)
    }
}
