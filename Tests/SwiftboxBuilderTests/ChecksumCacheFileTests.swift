import XCTest
@testable import SwiftboxBuilder

final class ChecksumCacheFileTests: XCTestCase {
    let sample: [String: ChecksumCache.Entry] = [
        "/ctx/a.txt": .init(dev: 65024, ino: 16256932, size: 10240, mtime: 1_796_232_663_626_928_855, ctime: -1, sha256: String(repeating: "ab", count: 32)),
        "/ctx/dir/ünïcode name": .init(dev: 0, ino: 1, size: 0, mtime: 0, ctime: 0, sha256: String(repeating: "0", count: 64)),
    ]

    func testRoundTrip() {
        XCTAssertEqual(ChecksumCacheFile.decode(ChecksumCacheFile.encode(sample)), sample)
        XCTAssertEqual(ChecksumCacheFile.decode(ChecksumCacheFile.encode([:])), [:])
    }

    func testDamagedFilesDecodeToNothing() {
        let bytes = ChecksumCacheFile.encode(sample)
        for cut in [1, 7, 20, bytes.count - 1] {
            XCTAssertNil(ChecksumCacheFile.decode(Array(bytes[0..<cut])), "cut at \(cut)")
        }
        XCTAssertNil(ChecksumCacheFile.decode(Array("{\"/ctx/a\":{}}".utf8)), "the JSON of earlier versions")
    }

    func testTheCacheReadsWhatItSaved() throws {
        let path = NSTemporaryDirectory() + "checksums-\(getpid()).bin"
        defer { unlink(path) }
        var st = stat()
        XCTAssertEqual(stat("/etc/hostname", &st), 0)
        let first = ChecksumCache(path: path)
        XCTAssertNil(first.lookup("/etc/hostname", st, device: true))
        first.store("/etc/hostname", st, String(repeating: "c", count: 64), device: true)
        first.save()
        let second = ChecksumCache(path: path)
        XCTAssertEqual(second.lookup("/etc/hostname", st, device: true), String(repeating: "c", count: 64))
        st.st_ctim.tv_nsec += 1
        XCTAssertNil(second.lookup("/etc/hostname", st, device: true), "a moved ctime is a change")
    }
}
