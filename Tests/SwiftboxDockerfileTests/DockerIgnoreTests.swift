// .dockerignore with Docker's rules (moby/patternmatcher and its ignorefile reader).
import XCTest
import SwiftboxDockerfile

final class DockerIgnoreTests: XCTestCase {
    func check(_ ignore: String, excluded: [String], included: [String], file: StaticString = #filePath, line: UInt = #line) {
        let rules = DockerIgnore(ignore)
        for path in excluded { XCTAssertTrue(rules.isExcluded(path), "\(path) should be excluded by \(ignore.debugDescription)", file: file, line: line) }
        for path in included { XCTAssertFalse(rules.isExcluded(path), "\(path) should be included by \(ignore.debugDescription)", file: file, line: line) }
    }

    func testStarStaysInOneDirectory() {
        check("*.txt", excluded: ["a.txt", "notes.txt"], included: ["dir/a.txt", "a.txt.bak", "txt"])
        check("*/*.txt", excluded: ["dir/a.txt"], included: ["a.txt", "dir/sub/a.txt"])
        check("a?c", excluded: ["abc", "axc"], included: ["ac", "a/c", "abbc"])
    }

    func testDoubleStar() {
        check("**/*.go", excluded: ["main.go", "cmd/app/main.go"], included: ["main.go.txt", "go"])
        check("**", excluded: ["anything", "a/b/c"], included: [])
        check("docs/**", excluded: ["docs/a", "docs/a/b.md"], included: ["docsx", "other/docs/a"])
        check("a/**/b", excluded: ["a/b", "a/x/b", "a/x/y/b"], included: ["b", "a/xb"])
        check("**.go", excluded: ["x.go", "a/b/x.go"], included: ["x.gox"])   // a plain suffix test
        check("**/node_modules", excluded: ["node_modules", "web/node_modules", "web/node_modules/x/y.js"],
              included: ["node_modules2"])
    }

    func testExceptionsAndOrder() {
        check("*.txt\n!keep.txt", excluded: ["a.txt"], included: ["keep.txt", "b.md"])
        // The last matching pattern wins: an exception before the exclusion does nothing.
        check("!keep.txt\n*.txt", excluded: ["a.txt", "keep.txt"], included: [])
        check("*.md\n!README*.md\nREADME-secret.md", excluded: ["a.md", "README-secret.md"], included: ["README.md"])
        check("logs\n!logs/keep.log", excluded: ["logs", "logs/a.log", "logs/sub/x"], included: ["logs/keep.log"])
    }

    func testDirectoryExclusionExcludesChildren() {
        check("build", excluded: ["build", "build/a", "build/x/y/z"], included: ["builder", "src/build"])
        check("src/*/tmp", excluded: ["src/a/tmp", "src/a/tmp/file"], included: ["src/tmp", "src/a/b/tmp"])
    }

    func testCleaningCommentsAndBlanks() {
        check("/secret.key", excluded: ["secret.key"], included: ["dir/secret.key"])   // leading / ignored
        check("./a/../b", excluded: ["b", "b/c"], included: ["a", "a/b"])
        check("a//b/", excluded: ["a/b"], included: ["a"])
        check("# comment.txt\n\n   \n  spaced.txt  \n", excluded: ["spaced.txt"], included: ["# comment.txt", "comment.txt"])
        check(" # not a comment when indented", excluded: ["# not a comment when indented"], included: [])
        check("a.txt\r\nb.txt\r\n", excluded: ["a.txt", "b.txt"], included: [])   // CRLF files
        check("! spaced-exception\nspaced-exception\n!spaced-exception", excluded: [], included: ["spaced-exception"])
        check("!", excluded: [], included: ["a"])   // a lone "!" is no pattern
    }

    func testPathsAreCleaned() {
        check("dir/file", excluded: ["./dir/file", "dir//file", "dir/x/../file"], included: ["."])
    }

    func testCharacterClassesAndEscapes() {
        check("file[0-9].txt", excluded: ["file1.txt"], included: ["filea.txt", "file10.txt"])
        check("[^a]*", excluded: ["b", "bcd"], included: ["a", "abc"])
        check("\\*.txt", excluded: ["*.txt"], included: ["a.txt"])
        check("file[", excluded: [], included: ["file[", "file"])   // cannot compile: matches nothing
    }

    func testMayIncludeBelow() {
        let rules = DockerIgnore("logs\n!logs/keep.log\nnode_modules\n!**/important\ntmp")
        XCTAssertTrue(rules.isExcluded("logs"))
        XCTAssertTrue(rules.mayIncludeBelow("logs"))         // logs/keep.log comes back
        XCTAssertTrue(rules.mayIncludeBelow("tmp"))          // **/important could be below anything
        let plain = DockerIgnore("logs\n!logs/keep.log\ntmp\n!*.md")
        XCTAssertFalse(plain.mayIncludeBelow("tmp"))
        XCTAssertFalse(plain.mayIncludeBelow("logs/sub/deeper"))
        XCTAssertTrue(plain.mayIncludeBelow("logs"))
        XCTAssertFalse(DockerIgnore("build").mayIncludeBelow("build"))
        XCTAssertTrue(DockerIgnore("a\n!a/b/c").mayIncludeBelow("a/b"))
        XCTAssertTrue(DockerIgnore("a\n!a/*/c").mayIncludeBelow("a/x"))
        XCTAssertFalse(DockerIgnore("a\n!a/*/c").mayIncludeBelow("a/x/y"))
    }

    func testPatternStrings() {
        XCTAssertEqual(DockerIgnore("# c\n/a/./b\n! c/\n**/x").patternStrings, ["a/b", "!c", "**/x"])
    }
}

/// One context sent by Docker 20.10 (`COPY . /` into FROM scratch, then the image's
/// files listed): the files it kept and dropped for this .dockerignore.
final class DockerIgnoreDockerTests: XCTestCase {
    func testTheContextDockerSent() {
        let rules = DockerIgnore("""
            # comment
            *.txt
            !keep.txt
            logs
            !logs/keep.log
            build
            **/*.go
            **/node_modules
            *.md
            !README*.md
            README-secret.md
            ./a/../b
            /secret.key
            !file[0-9].txt
             # not a comment
            """)
        let kept = ["keep.txt", "dir/a.txt", "dir/keep.txt", "logs/keep.log", "node_modules2", "docs/a.md", "README.md",
                    "a/b", "x.gox", "dir/secret.key", "file1.txt", "#hash", "Dockerfile", ".dockerignore"]
        let dropped = ["a.txt", "logs/x.log", "logs/sub/y.log", "build/sub/f", "main.go", "cmd/app/main.go",
                       "web/node_modules/x/y.js", "README-secret.md", "b/c", "secret.key", "filea.txt"]
        for path in kept { XCTAssertFalse(rules.isExcluded(path), path) }
        for path in dropped { XCTAssertTrue(rules.isExcluded(path), path) }
        XCTAssertTrue(rules.mayIncludeBelow("logs"))
    }
}
