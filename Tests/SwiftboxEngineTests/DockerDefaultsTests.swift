import XCTest
@testable import SwiftboxEngine

final class DockerDefaultsTests: XCTestCase {
    func testEntrypointAndCmdCombineAsDocker() {
        XCTAssertEqual(DockerDefaults.command(imageEntrypoint: nil, imageCmd: ["sh"], entrypoint: nil, args: []), ["sh"])
        XCTAssertEqual(DockerDefaults.command(imageEntrypoint: nil, imageCmd: ["sh"], entrypoint: nil, args: ["ls", "/"]), ["ls", "/"])
        XCTAssertEqual(DockerDefaults.command(imageEntrypoint: ["echo"], imageCmd: ["hi"], entrypoint: nil, args: []), ["echo", "hi"])
        XCTAssertEqual(DockerDefaults.command(imageEntrypoint: ["echo"], imageCmd: ["hi"], entrypoint: nil, args: ["yo"]), ["echo", "yo"])
        // --entrypoint drops the image's Cmd.
        XCTAssertEqual(DockerDefaults.command(imageEntrypoint: ["echo"], imageCmd: ["hi"], entrypoint: "cat", args: []), ["cat"])
        XCTAssertEqual(DockerDefaults.command(imageEntrypoint: ["echo"], imageCmd: ["hi"], entrypoint: "", args: ["x"]), ["x"])
        XCTAssertEqual(DockerDefaults.command(imageEntrypoint: nil, imageCmd: nil, entrypoint: nil, args: []), [])
    }

    func testEnvironmentOrderAndOverrides() {
        let env = DockerDefaults.environment(image: ["PATH=/custom", "A=1", "B=2"], user: ["A=3", "C=4"], hostname: "h")
        XCTAssertEqual(env, ["PATH=/custom", "HOSTNAME=h", "A=3", "B=2", "C=4"])
    }

    func testNames() {
        XCTAssertNoThrow(try EngineStore.validate(name: "web-1.x_y"))
        for bad in ["", "-web", "we b", "a/b", "é"] { XCTAssertThrowsError(try EngineStore.validate(name: bad), bad) }
        let id = EngineStore.newID()
        XCTAssertEqual(id.count, 64)
        XCTAssertTrue(id.allSatisfy { $0.isHexDigit })
        XCTAssertNotEqual(id, EngineStore.newID())
        XCTAssertTrue(Engine.generatedName(id).hasSuffix("_" + id.prefix(4)))
    }

    func testUserLookupReadsTheContainersFiles() throws {
        let root = NSTemporaryDirectory() + "swiftbox-users-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n".write(toFile: root + "/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\nwww:x:33:\nadm:x:4:www\nstaff:x:50:www,root\n".write(toFile: root + "/etc/group", atomically: true, encoding: .utf8)
        let www = try UserLookup.resolve("www", rootfs: root)
        XCTAssertEqual(www.uid, 33)
        XCTAssertEqual(www.gid, 33)
        XCTAssertEqual(www.groups, [4, 50])
        XCTAssertEqual(try UserLookup.resolve("33:staff", rootfs: root).gid, 50)
        XCTAssertEqual(try UserLookup.resolve("1234", rootfs: root).uid, 1234)
        XCTAssertEqual(try UserLookup.resolve("", rootfs: root).uid, 0)
        XCTAssertThrowsError(try UserLookup.resolve("nobody-here", rootfs: root)) {
            XCTAssertTrue("\($0)".contains("unable to find user nobody-here"))
        }
    }
}
