// The callers' error: each module's errors get the code their kind of failure has, the
// message stays the text users (and tests) already read, and the two mappings give
// Docker's exit codes and the Engine API's HTTP statuses.
import XCTest
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxCompose
import SwiftboxDockerfile
import SwiftboxEngine
import SwiftboxErrors
import SwiftboxImage
import SwiftboxNetwork
@testable import SwiftboxRuntime

final class SwiftboxErrorTests: XCTestCase {
    func testExitCodesFollowDocker() {
        let cases: [(SwiftboxError.Code, Int32, Int32)] = [
            // code, the engine face (otherwise 125), the compose face (otherwise 1)
            (.commandNotFound, 127, 127),
            (.commandNotExecutable, 126, 126),
            (.startFailed, 125, 125),
            (.containerExit(3), 3, 3),
            (.notFound(.container), 125, 1),
            (.conflict, 125, 1),
            (.invalidArgument, 125, 1),
            (.internal, 125, 1),
        ]
        for (code, engine, compose) in cases {
            let e = SwiftboxError(code, "m")
            XCTAssertEqual(e.exitCode(otherwise: 125), engine, "\(code)")
            XCTAssertEqual(e.exitCode(otherwise: 1), compose, "\(code)")
        }
    }

    func testHTTPStatusesFollowTheEngineAPI() {
        let cases: [(SwiftboxError.Code, Int)] = [
            (.notFound(.container), 404), (.notFound(.image), 404), (.notFound(.network), 404), (.notFound(.volume), 404),
            (.conflict, 409),
            (.invalidArgument, 400), (.commandNotFound, 400), (.commandNotExecutable, 400),
            (.startFailed, 500), (.internal, 500),
        ]
        for (code, status) in cases { XCTAssertEqual(SwiftboxError(code, "m").httpStatus, status, "\(code)") }
    }

    /// The message is the module's own text, byte for byte: `swiftbox: No such container: x`
    /// is what users and scripts see.
    func testEngineErrorsKeepTheirMessages() {
        let missing = SwiftboxError(EngineError.noSuchContainer("web"))
        XCTAssertEqual(missing.code, .notFound(.container))
        XCTAssertEqual(missing.message, "No such container: web")
        XCTAssertEqual(missing.httpStatus, 404)
        XCTAssertEqual(missing.exitCode(otherwise: 125), 125)
        XCTAssertTrue(missing.cause is EngineError)

        let taken = SwiftboxError(EngineError.nameInUse("web", "abc"))
        XCTAssertEqual(taken.code, .conflict)
        XCTAssertEqual(taken.message, EngineError.nameInUse("web", "abc").description)
        XCTAssertEqual(SwiftboxError(EngineError.running("web")).httpStatus, 409)
        XCTAssertEqual(SwiftboxError(EngineError.notRunning("web")).httpStatus, 409)
        XCTAssertEqual(SwiftboxError(EngineError.invalidName("-x")).httpStatus, 400)
        XCTAssertEqual(SwiftboxError(EngineError.failed("boom")).code, .internal)
    }

    func testImageNetworkVolumeErrorsAreNotFoundWhereTheyNameAMissingObject() {
        XCTAssertEqual(SwiftboxError(ImageError.notFound("nope")).code, .notFound(.image))
        XCTAssertEqual(SwiftboxError(ImageError.notFound("nope")).message, "no such image: nope")
        XCTAssertEqual(SwiftboxError(ImageError.inUse("used")).httpStatus, 409)
        XCTAssertEqual(SwiftboxError(ImageReferenceError.uppercase("A")).httpStatus, 400)
        XCTAssertEqual(SwiftboxError(NetworkError.notFound("n")).code, .notFound(.network))
        XCTAssertEqual(SwiftboxError(NetworkError.nameExists("n")).httpStatus, 409)
        XCTAssertEqual(SwiftboxError(NetworkError.invalidCIDR("x")).httpStatus, 400)
        XCTAssertEqual(SwiftboxError(VolumeError.noSuchVolume("v")).code, .notFound(.volume))
        XCTAssertEqual(SwiftboxError(VolumeError.noSuchVolume("v")).message, "get v: no such volume")
        XCTAssertEqual(SwiftboxError(VolumeError.inUse("v", ["c"])).httpStatus, 409)
    }

    /// execve's errno decides 127 or 126, as Docker's `run` does; any other step is 125.
    func testLaunchErrorsGiveDockersExecStatuses() {
        let notFound = SwiftboxError(LaunchError(op: "nosuch", errno: ENOENT, isExec: true))
        XCTAssertEqual(notFound.code, .commandNotFound)
        XCTAssertEqual(notFound.exitCode(otherwise: 125), 127)
        XCTAssertEqual(notFound.message, "exec nosuch: executable file not found in $PATH or no such file")
        XCTAssertEqual(SwiftboxError(LaunchError(op: "/etc", errno: EACCES, isExec: true)).exitCode(otherwise: 125), 126)
        XCTAssertEqual(SwiftboxError(LaunchError(op: "mount", errno: EPERM, isExec: false)).exitCode(otherwise: 1), 125)
    }

    func testInputErrorsAreInvalidArguments() {
        let compose = ComposeError("invalid port", key: "services.web.ports[0]")
        XCTAssertEqual(SwiftboxError(compose).code, .invalidArgument)
        XCTAssertEqual(SwiftboxError(compose).message, "services.web.ports[0]: invalid port")
        XCTAssertEqual(SwiftboxError(DockerfileError(file: "Dockerfile", line: 3, message: "unknown instruction: RUNN")).message,
                       "Dockerfile:3: unknown instruction: RUNN")
        XCTAssertEqual(SwiftboxError(DockerfileError(file: "Dockerfile", line: 3, message: "x")).httpStatus, 400)
    }

    /// An error no module classified is the engine's failure, its text unchanged; a
    /// SwiftboxError passes through as it is.
    func testOtherErrorsAreInternal() {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd thing" } }
        let e = SwiftboxError(Odd())
        XCTAssertEqual(e.code, .internal)
        XCTAssertEqual(e.message, "odd thing")
        XCTAssertEqual(e.httpStatus, 500)
        let given = SwiftboxError(.conflict, "already")
        XCTAssertEqual(SwiftboxError(given as Error).code, .conflict)
        XCTAssertEqual(SwiftboxError(given as Error).message, "already")
    }
}
