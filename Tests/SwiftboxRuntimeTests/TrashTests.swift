import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import SwiftboxKernel

final class TrashTests: XCTestCase {
    var work = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/swiftbox-trash-XXXXXX".utf8CString)
        work = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    override func tearDownWithError() throws {
        try FileSystem.removeTree(work)
    }

    /// A small tree like a container's directory.
    func makeTree(_ path: String) throws {
        try FileSystem.makeDirectories(path + "/upper/etc")
        try FileSystem.writeAtomically(path + "/config.json", Array("{}".utf8), fsync: false)
        try FileSystem.writeAtomically(path + "/upper/etc/hosts", Array("127.0.0.1 localhost\n".utf8), fsync: false)
    }

    func testTakenTreeIsGoneAtOnceAndDeletedByEmpty() throws {
        let trash = Trash(directory: work + "/trash")
        try makeTree(work + "/c1")
        try makeTree(work + "/c2")
        XCTAssertTrue(trash.take(work + "/c1"))
        XCTAssertTrue(trash.take(work + "/c2"))
        XCTAssertNil(FileSystem.fileType(work + "/c1"), "a taken tree is gone from where it was")
        XCTAssertEqual(FileSystem.listDirectory(trash.directory).count, 2)
        XCTAssertFalse(trash.isEmpty)
        trash.empty()
        XCTAssertTrue(trash.isEmpty)
        // The same name taken again gets its own entry; a missing path is nothing to take.
        try makeTree(work + "/c1")
        XCTAssertTrue(trash.take(work + "/c1"))
        try makeTree(work + "/c1")
        XCTAssertTrue(trash.take(work + "/c1"))
        XCTAssertEqual(FileSystem.listDirectory(trash.directory).count, 2)
        XCTAssertTrue(trash.take(work + "/never-existed"))
        trash.empty(waiting: true)
        XCTAssertTrue(trash.isEmpty)
    }

    /// While another process (here: another open file description) holds the lock, a
    /// non-waiting empty leaves the work to it; once it is let go, empty deletes.
    func testEmptyLeavesTheWorkToTheLockHolder() throws {
        let trash = Trash(directory: work + "/trash")
        try makeTree(work + "/c")
        XCTAssertTrue(trash.take(work + "/c"))
        let holder = open(trash.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        XCTAssertEqual(flock(holder, LOCK_EX), 0)
        trash.empty()
        XCTAssertFalse(trash.isEmpty, "the lock holder empties, not us")
        close(holder)
        trash.empty()
        XCTAssertTrue(trash.isEmpty)
    }

    /// A tree on another filesystem cannot be renamed into the trash: remove deletes it
    /// in place instead.
    func testAnotherFilesystemIsDeletedInPlace() throws {
        guard access("/dev/shm", W_OK) == 0, !MountTable.isMountPoint(work) else {
            throw XCTSkip("needs a writable /dev/shm on another filesystem than /tmp")
        }
        var st1 = stat(), st2 = stat()
        guard stat("/dev/shm", &st1) == 0, stat(work, &st2) == 0, st1.st_dev != st2.st_dev else {
            throw XCTSkip("/dev/shm and /tmp are the same filesystem here")
        }
        let elsewhere = "/dev/shm/swiftbox-trash-test-\(getpid())"
        try makeTree(elsewhere)
        let trash = Trash(directory: work + "/trash")
        XCTAssertFalse(trash.take(elsewhere))
        try trash.remove(elsewhere)
        XCTAssertNil(FileSystem.fileType(elsewhere))
        XCTAssertTrue(trash.isEmpty)
    }

    /// Entries taken while an emptier works are not left behind: takers on threads, an
    /// emptier per take (as each removal starts one), and in the end nothing remains.
    func testConcurrentTakersAndEmptiersLeaveNothing() throws {
        let trash = Trash(directory: work + "/trash")
        for i in 0..<40 { try makeTree(work + "/c\(i)") }
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            XCTAssertTrue(trash.take(work + "/c\(i)"))
            trash.empty()
        }
        trash.empty(waiting: true)
        XCTAssertTrue(trash.isEmpty, "left: \(FileSystem.listDirectory(trash.directory))")
    }
}
