import Foundation
import XCTest
@testable import SwiftboxEngine

/// A create claims its name while `container prune` sweeps for the claims of killed
/// creates (EngineStore+Incomplete). The sweep must never take a claim still being made
/// for garbage: CI once saw `link(.claim-ID, NAME): ENOENT` because the sweep unlinked
/// the staging claim in the moment between its open(2) and the creator's flock(2).
final class NameClaimRaceTests: XCTestCase {
    func testReservesSurviveAConcurrentSweep() throws {
        let root = NSTemporaryDirectory() + "swiftbox-claims-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = EngineStore(root: root)
        try FileManager.default.createDirectory(atPath: root + "/names", withIntermediateDirectories: true)

        let done = ManagedAtomicFlag()
        let sweeper = Thread {
            while !done.isSet { _ = store.removeIncomplete() }
        }
        sweeper.start()
        defer { done.set() }

        var failures: [String] = []
        for i in 0..<3000 {
            let id = EngineStore.newID()
            do {
                let fd = try store.reserve(name: "claim\(i)", id: id)
                close(fd)
                store.release(name: "claim\(i)")
            } catch {
                failures.append("claim\(i): \(error)")
            }
        }
        XCTAssertEqual(failures.count, 0, "a sweep took a claim at work for a ghost's, e.g. \(failures.first ?? "")")
    }
}

/// A flag two threads share (set once, read often).
private final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
