// --userns-remap values and daemon.json: parsed, validated, and the subordinate ID
// files read and extended as useradd would (no root needed: temporary files).
import XCTest
@testable import SwiftboxEngine

final class UsernsRemapTests: XCTestCase {
    var dir = ""
    var files: SubordinateIDs { SubordinateIDs(uidFile: dir + "/subuid", gidFile: dir + "/subgid") }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "userns-remap-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ text: String) throws { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    func read(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }

    func testExplicitRangeAndNone() throws {
        let r = try XCTUnwrap(UsernsRemap.resolve("100000:200000:65536", files: files))
        XCTAssertEqual(r, try UsernsRemap(uid: 100000, gid: 200000, count: 65536))
        XCTAssertEqual(r.uidMapText, "0 100000 65536")
        XCTAssertEqual(r.gidMapText, "0 200000 65536")
        XCTAssertEqual(r.hostUID(0), 100000)
        XCTAssertEqual(r.hostUID(65535), 165535)
        XCTAssertNil(r.hostUID(65536))
        XCTAssertNil(try UsernsRemap.resolve("host", files: files))
        XCTAssertNil(try UsernsRemap.resolve("", files: files))
    }

    func testBadValuesAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("0:0:65536", "host's root"),
            ("0:100000:10", "host's root"),
            ("100000:100000:0", "at least one ID"),
            ("4294967000:100000:65536", "past the last ID"),
            ("a:b:c", "three numbers"),
            ("100000:100000:-1", "three numbers"),
            ("1:2:3:4", "expected default, host"),
            (":", "expected default, host"),
        ]
        for (value, reason) in cases {
            XCTAssertThrowsError(try UsernsRemap.resolve(value, files: files), value) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(value): \(error)")
            }
        }
    }

    func testNamedUserUsesItsSubordinateRanges() throws {
        try write("subuid", "alice:100000:65536\nbob:165536:1000\n")
        try write("subgid", "alice:300000:65536\nstaff:400000:500\n")
        XCTAssertEqual(try UsernsRemap.resolve("alice", files: files), try UsernsRemap(uid: 100000, gid: 300000, count: 65536))
        // The smaller of the two ranges: every ID the container has must map both ways.
        XCTAssertEqual(try UsernsRemap.resolve("bob:staff", files: files), try UsernsRemap(uid: 165536, gid: 400000, count: 500))
        XCTAssertThrowsError(try UsernsRemap.resolve("carol", files: files)) { error in
            XCTAssertTrue("\(error)".contains("has no range for \"carol\""), "\(error)")
        }
        XCTAssertEqual(read("subuid"), "alice:100000:65536\nbob:165536:1000\n", "a named user is never added")
    }

    func testDefaultAddsARangeAfterEveryRangeGivenOutOnce() throws {
        try write("subuid", "alice:100000:65536\nbob:165536:65536")   // no final newline
        try write("subgid", "alice:100000:65536\n")
        let first = try XCTUnwrap(UsernsRemap.resolve("default", files: files))
        XCTAssertEqual(first, try UsernsRemap(uid: 231072, gid: 231072, count: 65536))
        XCTAssertEqual(read("subuid"), "alice:100000:65536\nbob:165536:65536\nswiftbox-remap:231072:65536\n")
        XCTAssertEqual(read("subgid"), "alice:100000:65536\nswiftbox-remap:231072:65536\n")
        XCTAssertEqual(try UsernsRemap.resolve("default", files: files), first, "the second time reads it back")
        XCTAssertEqual(read("subuid").components(separatedBy: "swiftbox-remap").count, 2, "added once")
    }

    func testDefaultOnMachineWithoutFilesStartsAt100000() throws {
        XCTAssertEqual(try UsernsRemap.resolve("default", files: files), try UsernsRemap(uid: 100000, gid: 100000, count: 65536))
    }

    func testDaemonConfig() throws {
        XCTAssertEqual(try EngineConfig.parse(Array(#"{"userns-remap": "default", "userns-remap-layers": "copy"}"#.utf8), file: "d.json"),
                       EngineConfig(usernsRemap: "default", remapLayers: .copy))
        XCTAssertEqual(try EngineConfig.parse(Array("{}".utf8), file: "d.json"), EngineConfig())
        let bad: [(String, String)] = [
            (#"{"userns-remapp": "default"}"#, #"d.json: unknown key "userns-remapp""#),
            (#"{"userns-remap": 5}"#, #""userns-remap" must be a string"#),
            (#"{"userns-remap-layers": "fast"}"#, "must be one of auto, idmap, copy"),
            (#"{"userns-remap": "#, "d.json: not valid JSON"),
            (#"["userns-remap"]"#, "expected a JSON object"),
        ]
        for (text, message) in bad {
            XCTAssertThrowsError(try EngineConfig.parse(Array(text.utf8), file: "d.json"), text) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }
}
