import XCTest
@testable import SwiftboxImage

final class ImageReferenceTests: XCTestCase {
    let hex = String(repeating: "0123456789abcdef", count: 4)
    var digest: String { "sha256:" + hex }

    /// Parse `text` and check every field plus both printed forms.
    private func check(_ text: String, registry: String, repository: String, tag: String?, digest: String? = nil,
                       description: String, familiar: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let ref = try ImageReference.parse(text)
            XCTAssertEqual(ref.registry, registry, "registry of \(text)", file: file, line: line)
            XCTAssertEqual(ref.repository, repository, "repository of \(text)", file: file, line: line)
            XCTAssertEqual(ref.tag, tag, "tag of \(text)", file: file, line: line)
            XCTAssertEqual(ref.digest, digest, "digest of \(text)", file: file, line: line)
            XCTAssertEqual(ref.name, registry + "/" + repository, file: file, line: line)
            XCTAssertEqual(ref.description, description, "description of \(text)", file: file, line: line)
            XCTAssertEqual(ref.familiar, familiar, "familiar of \(text)", file: file, line: line)
            // The normalised and familiar forms parse back to the same reference.
            XCTAssertEqual(try ImageReference.parse(ref.description), ref, file: file, line: line)
            XCTAssertEqual(try ImageReference.parse(ref.familiar), ref, file: file, line: line)
        } catch {
            XCTFail("parse(\(text)) threw \(error)", file: file, line: line)
        }
    }

    private func checkError(_ text: String, _ expected: ImageReferenceError, message: String? = nil,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ImageReference.parse(text), "parse(\(text))", file: file, line: line) { error in
            XCTAssertEqual(error as? ImageReferenceError, expected, "error for \(text)", file: file, line: line)
            if let message {
                XCTAssertEqual("\(error)", message, file: file, line: line)
            }
        }
    }

    // MARK: Docker Hub

    func testDockerHubOfficial() {
        for text in ["alpine", "alpine:latest", "library/alpine", "docker.io/alpine", "docker.io/library/alpine",
                     "index.docker.io/library/alpine", "index.docker.io/alpine:latest"] {
            check(text, registry: "docker.io", repository: "library/alpine", tag: "latest",
                  description: "docker.io/library/alpine:latest", familiar: "alpine:latest")
        }
        check("alpine:3.19", registry: "docker.io", repository: "library/alpine", tag: "3.19",
              description: "docker.io/library/alpine:3.19", familiar: "alpine:3.19")
    }

    func testDockerHubUser() {
        check("user/app:v1", registry: "docker.io", repository: "user/app", tag: "v1",
              description: "docker.io/user/app:v1", familiar: "user/app:v1")
        check("x/y/z", registry: "docker.io", repository: "x/y/z", tag: "latest",
              description: "docker.io/x/y/z:latest", familiar: "x/y/z:latest")
        // Only a single name under library/ is shortened.
        check("library/a/b", registry: "docker.io", repository: "library/a/b", tag: "latest",
              description: "docker.io/library/a/b:latest", familiar: "library/a/b:latest")
        check("a__b/c--d/e.f_g-h:TAG_1.0-x", registry: "docker.io", repository: "a__b/c--d/e.f_g-h", tag: "TAG_1.0-x",
              description: "docker.io/a__b/c--d/e.f_g-h:TAG_1.0-x", familiar: "a__b/c--d/e.f_g-h:TAG_1.0-x")
    }

    // MARK: Other registries

    func testOtherRegistries() {
        check("ghcr.io/o/r:t", registry: "ghcr.io", repository: "o/r", tag: "t",
              description: "ghcr.io/o/r:t", familiar: "ghcr.io/o/r:t")
        // No "library/" outside Docker Hub.
        check("example.com/foo", registry: "example.com", repository: "foo", tag: "latest",
              description: "example.com/foo:latest", familiar: "example.com/foo:latest")
        check("my-registry.local:443/team/app:1.2.3", registry: "my-registry.local:443", repository: "team/app",
              tag: "1.2.3", description: "my-registry.local:443/team/app:1.2.3",
              familiar: "my-registry.local:443/team/app:1.2.3")
        check("registry-1.docker.io/library/alpine", registry: "registry-1.docker.io", repository: "library/alpine",
              tag: "latest", description: "registry-1.docker.io/library/alpine:latest",
              familiar: "registry-1.docker.io/library/alpine:latest")
        check("host:5000/x", registry: "host:5000", repository: "x", tag: "latest",
              description: "host:5000/x:latest", familiar: "host:5000/x:latest")
    }

    func testLocalhost() {
        check("localhost/x", registry: "localhost", repository: "x", tag: "latest",
              description: "localhost/x:latest", familiar: "localhost/x:latest")
        check("localhost:5000/x:y", registry: "localhost:5000", repository: "x", tag: "y",
              description: "localhost:5000/x:y", familiar: "localhost:5000/x:y")
        // Without a "/", Docker reads these as a Docker Hub name (and "5000" as the tag).
        check("localhost", registry: "docker.io", repository: "library/localhost", tag: "latest",
              description: "docker.io/library/localhost:latest", familiar: "localhost:latest")
        check("localhost:5000", registry: "docker.io", repository: "library/localhost", tag: "5000",
              description: "docker.io/library/localhost:5000", familiar: "localhost:5000")
    }

    func testIPHosts() {
        check("127.0.0.1:5000/a/b@\(digest)", registry: "127.0.0.1:5000", repository: "a/b", tag: nil, digest: digest,
              description: "127.0.0.1:5000/a/b@\(digest)", familiar: "127.0.0.1:5000/a/b@\(digest)")
        check("[::1]:5000/x", registry: "[::1]:5000", repository: "x", tag: "latest",
              description: "[::1]:5000/x:latest", familiar: "[::1]:5000/x:latest")
        check("[2001:db8::1]/x/y:1", registry: "[2001:db8::1]", repository: "x/y", tag: "1",
              description: "[2001:db8::1]/x/y:1", familiar: "[2001:db8::1]/x/y:1")
    }

    // MARK: Digests

    func testDigests() {
        check("alpine@\(digest)", registry: "docker.io", repository: "library/alpine", tag: nil, digest: digest,
              description: "docker.io/library/alpine@\(digest)", familiar: "alpine@\(digest)")
        check("name:tag@\(digest)", registry: "docker.io", repository: "library/name", tag: "tag", digest: digest,
              description: "docker.io/library/name:tag@\(digest)", familiar: "name:tag@\(digest)")
        check("localhost:5000/x:y@\(digest)", registry: "localhost:5000", repository: "x", tag: "y", digest: digest,
              description: "localhost:5000/x:y@\(digest)", familiar: "localhost:5000/x:y@\(digest)")
    }

    // MARK: Limits

    func testLengthLimits() throws {
        let tag128 = String(repeating: "t", count: 128)
        XCTAssertEqual(try ImageReference.parse("alpine:" + tag128).tag, tag128)
        checkError("alpine:" + tag128 + "t", .invalidTag(tag128 + "t", reference: "alpine:" + tag128 + "t"))

        let repo255 = "x/" + String(repeating: "a", count: 253)
        XCTAssertEqual(try ImageReference.parse(repo255).repository, repo255)
        checkError(repo255 + "a", .nameTooLong(repo255 + "a"))
        // "library/" counts towards the limit.
        XCTAssertNoThrow(try ImageReference.parse(String(repeating: "a", count: 247)))
        checkError(String(repeating: "a", count: 248), .nameTooLong(String(repeating: "a", count: 248)))
    }

    // MARK: Errors

    func testInvalidNames() {
        checkError("Alpine", .uppercase("Alpine"),
                   message: #"invalid reference format: repository name must be lowercase: "Alpine""#)
        checkError("docker.io/Alpine:3", .uppercase("docker.io/Alpine:3"))
        checkError("Localhost/x", .uppercase("Localhost/x"))
        checkError("user/App", .uppercase("user/App"))
        checkError("", .empty, message: "invalid reference format: image reference is empty")
        checkError("a::b", .invalidFormat("a::b"), message: #"invalid reference format: "a::b""#)
        for text in ["alpine/", "/alpine", "a//b", "ghcr.io/", "ghcr.io/o//r", "-a", "a-", "a/-b", "a_-b", "a___b",
                     "a..b", "a.", "ex ample", "a!b", "é", "::1/x", "host:port/x", "-bad.com/x", "bad-.com/x",
                     "[::1/x", "[]/x", "[::1]", ":tag", "@\(digest)", ":-x"] {
            checkError(text, .invalidFormat(text))
        }
        checkError(hex, .hexIdentifier(hex),
                   message: "invalid repository name \"\(hex)\": cannot specify 64-byte hexadecimal strings")
    }

    func testInvalidTags() {
        checkError("alpine:-x", .invalidTag("-x", reference: "alpine:-x"),
                   message: #"invalid tag "-x" in "alpine:-x""#)
        checkError("alpine:.x", .invalidTag(".x", reference: "alpine:.x"))
        checkError("alpine:", .invalidTag("", reference: "alpine:"))
        checkError("alpine:a+b", .invalidTag("a+b", reference: "alpine:a+b"))
        checkError("alpine:é", .invalidTag("é", reference: "alpine:é"))
    }

    func testInvalidDigests() {
        checkError("alpine@sha256:", .invalidDigest("sha256:", reference: "alpine@sha256:"),
                   message: #"invalid digest "sha256:" in "alpine@sha256:" (want sha256:<64 lowercase hex>)"#)
        checkError("alpine@sha256:abc", .invalidDigest("sha256:abc", reference: "alpine@sha256:abc"))
        checkError("alpine@", .invalidDigest("", reference: "alpine@"))
        let upper = "sha256:" + hex.uppercased()
        checkError("alpine@" + upper, .invalidDigest(upper, reference: "alpine@" + upper))
        let md5 = "md5:" + hex
        checkError("alpine@" + md5, .invalidDigest(md5, reference: "alpine@" + md5))
        let long = digest + "0"
        checkError("alpine@" + long, .invalidDigest(long, reference: "alpine@" + long))
        checkError("alpine@\(digest)@x", .invalidDigest("\(digest)@x", reference: "alpine@\(digest)@x"))
        checkError("alpine:1@x", .invalidDigest("x", reference: "alpine:1@x"))
    }

    // MARK: Helpers and value semantics

    func testWithTag() throws {
        let ref = try ImageReference.parse("alpine:3.19")
        XCTAssertEqual(ref.withTag("edge").description, "docker.io/library/alpine:edge")
        XCTAssertEqual(ref.withTag("edge").familiar, "alpine:edge")
        XCTAssertEqual(ref.tag, "3.19")
        let pinned = try ImageReference.parse("ghcr.io/o/r@\(digest)")
        XCTAssertEqual(pinned.withTag("v2").description, "ghcr.io/o/r:v2@\(digest)")
        XCTAssertTrue(ImageReference.isValidTag("v1.0_rc-1"))
        XCTAssertFalse(ImageReference.isValidTag("-v1"))
    }

    func testEqualityAndHashing() throws {
        let a = try ImageReference.parse("alpine")
        let b = try ImageReference.parse("index.docker.io/library/alpine:latest")
        let c = try ImageReference.parse("alpine:3.19")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(Set([a, b, c]).count, 2)
        XCTAssertEqual("\(a)", "docker.io/library/alpine:latest")
    }

    /// The byte scanners against the regular expressions they replace (the grammar of
    /// distribution/reference), on hand-picked and on random strings over the alphabet
    /// that matters.
    func testScannersAgreeWithTheGrammar() {
        let registry = #/(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?/#
        let component = #/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*/#
        let tag = #/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/#
        let digest = #/sha256:[a-f0-9]{64}/#
        let hex = String(repeating: "ab12", count: 16)
        var samples = ["", "a", "A", "-", ".", "_", "a-b", "a--b", "a-", "-a", "a.b", "a..b", "a_b", "a__b", "a___b", "a.", "a:1",
                       "a:", "a:x", "[::1]", "[::1]:5000", "[]", "[g]", "localhost:5000", "my-host.example.com:443", "a.-b",
                       "UPPER", "x.y_z", hex, "sha256:" + hex, "sha256:" + hex.uppercased(), "sha512:" + hex, String(hex.dropLast()),
                       String(repeating: "t", count: 128), String(repeating: "t", count: 129), "é", "a/b"]
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ab0Z-._:[]")
        for _ in 0..<3000 {
            samples.append(String((0..<Int.random(in: 1...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        for s in samples {
            XCTAssertEqual(ImageReference.isValidRegistry(s), s.wholeMatch(of: registry) != nil, "registry \(s)")
            XCTAssertEqual(ImageReference.isValidComponent(s[...]), s.wholeMatch(of: component) != nil, "component \(s)")
            XCTAssertEqual(ImageReference.isValidTag(s), s.wholeMatch(of: tag) != nil, "tag \(s)")
            XCTAssertEqual(ImageReference.isValidDigest(s), s.wholeMatch(of: digest) != nil, "digest \(s)")
            XCTAssertEqual(ImageReference.isHex64(s.utf8[...]), s.wholeMatch(of: #/[a-f0-9]{64}/#) != nil, "hex \(s)")
        }
    }
}
