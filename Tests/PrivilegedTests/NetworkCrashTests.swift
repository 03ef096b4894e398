// `network create` killed at any point leaves nothing a later command cannot clean:
// the record is written first (marked "creating"), then the bridge; the next create,
// prune or default-network set-up removes both. Issue #15 item 6.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class NetworkCrashTests: NetworkTestCase {
    func bridges() -> Set<String> {
        Set(Self.shell(["/usr/sbin/ip", "-o", "link", "show", "type", "bridge"]).out.split(separator: "\n").compactMap {
            $0.split(separator: " ").dropFirst().first.map { String($0.split(separator: ":")[0].split(separator: "@")[0]) }
        })
    }

    /// What a create killed between its record and its firewall leaves: a record marked
    /// creating and the bridge it names. ls hides it; prune removes both.
    func testAHalfCreatedNetworkIsHiddenAndPruned() throws {
        XCTAssertEqual(net(["create", "half"]).status, 0)
        let dir = engineRoot + "/networks"
        guard let file = try FileManager.default.contentsOfDirectory(atPath: dir).first(where: { $0.hasSuffix(".json") && $0 != "ports.json" }),
              var record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))) as? [String: Any],
              let bridge = record["bridge"] as? String else { return XCTFail("no record") }
        record["creating"] = true
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: dir + "/" + file))
        XCTAssertTrue(linkExists(bridge))
        XCTAssertFalse(net(["ls"]).out.contains("half"), "a half-made network is not listed")
        XCTAssertEqual(net(["prune", "-f"]).status, 0)
        XCTAssertFalse(linkExists(bridge), "prune removed the bridge a killed create made")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + file), "and its record")
        XCTAssertEqual(net(["create", "half"]).status, 0, "the name is free again")
    }

    /// Kill `network create` at random points, many times; then one prune leaves no
    /// bridge, record or nft table behind (the tearDown checks the rest).
    func testKilledCreatesLeaveNothingAfterPrune() throws {
        let before = bridges()
        let deadline = Date().addingTimeInterval(40)
        var rounds = 0
        while rounds < 25 && Date() < deadline {
            rounds += 1
            Self.spawnAndKill([Self.binary, "network", "create", "--root", engineRoot, "killed\(rounds)"],
                              afterMicros: UInt32.random(in: 0...60_000))
        }
        XCTAssertEqual(net(["prune", "-f"]).status, 0)
        XCTAssertTrue(networkRecords().filter { ($0["name"] as? String)?.hasPrefix("killed") == true }.isEmpty,
                      "no network of a killed create survives prune: \(networkRecords().compactMap { $0["name"] })")
        XCTAssertEqual(bridges().subtracting(before), [], "no bridge of a killed create is left (\(rounds) kills)")
    }
}
