// The builder's pure pieces: COPY's wildcards (Go's filepath.Match), path cleaning,
// and what changes a step's cache key.
import XCTest
@testable import SwiftboxBuilder

final class BuilderPiecesTests: XCTestCase {
    func testGlobMatchesAsGosFilepathMatch() {
        let cases: [(String, String, Bool)] = [
            ("*.txt", "a.txt", true), ("*.txt", "a.txt.bak", false), ("*", ".hidden", true),
            ("a?c", "abc", true), ("a?c", "ac", false), ("[a-c]x", "bx", true), ("[a-c]x", "dx", false),
            ("[^a-c]x", "dx", true), ("[!a-c]x", "ax", false), ("\\*", "*", true), ("\\*", "a", false),
            ("f*o*o", "foxxoo", true), ("[", "[", false), ("*", "", true), ("a*", "a", true),
        ]
        for (pattern, name, expected) in cases {
            XCTAssertEqual(Glob.match(pattern, name), expected, "\(pattern) ~ \(name)")
        }
        XCTAssertTrue(Glob.hasWildcards("src/*.go"))
        XCTAssertFalse(Glob.hasWildcards("src/main.go"))
    }

    func testSourcesAreCleanedAndMayNotLeaveTheContext() {
        XCTAssertEqual(CopySources.clean("./a/b/../c/"), "a/c")
        XCTAssertEqual(CopySources.clean("/abs/path"), "abs/path")
        XCTAssertEqual(CopySources.clean("."), "")
        XCTAssertEqual(CopySources.clean("a/../.."), nil)
        XCTAssertEqual(CopySources.clean("../x"), nil)
    }

    /// A key depends on the parent's key and on every part, in order, and parts
    /// cannot be shifted into one another ("ab","c" vs "a","bc").
    func testCacheKeysChangeWithEveryInput() {
        let base = BuildCache.key(parent: "p", ["RUN", "echo hi", "FLAVOUR=plain"])
        XCTAssertEqual(base, BuildCache.key(parent: "p", ["RUN", "echo hi", "FLAVOUR=plain"]))
        XCTAssertNotEqual(base, BuildCache.key(parent: "q", ["RUN", "echo hi", "FLAVOUR=plain"]), "another parent")
        XCTAssertNotEqual(base, BuildCache.key(parent: "p", ["RUN", "echo hi", "FLAVOUR=spicy"]), "another build arg")
        XCTAssertNotEqual(base, BuildCache.key(parent: "p", ["RUN", "echo ho", "FLAVOUR=plain"]), "another command")
        XCTAssertNotEqual(BuildCache.key(parent: "p", ["ab", "c"]), BuildCache.key(parent: "p", ["a", "bc"]))
        XCTAssertEqual(base.count, 64)
    }
}
