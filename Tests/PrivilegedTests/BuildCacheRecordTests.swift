// Where the build cache's images are recorded: files of their own
// (images/intermediate/), not the index every command reads.
import XCTest

extension BuildTests {
    func testStepImagesStayOutOfTheIndexAndGoWithBuilderPrune() throws {
        try write(["Dockerfile": "FROM busybox-image:latest\nRUN echo one > /one\nRUN echo two > /two\nCMD [\"cat\", \"/one\", \"/two\"]\n"])
        XCTAssertEqual(build(["-t", "records:1"]).status, 0)
        let indexText = try String(contentsOfFile: engineRoot + "/images/repositories.json", encoding: .utf8)
        XCTAssertFalse(indexText.contains("\"intermediate\""), "a step's image in the index: \(indexText.prefix(400))")
        let records = entries(engineRoot + "/images/intermediate")
        XCTAssertGreaterThanOrEqual(records.count, 2, "one record per RUN step: \(records)")

        // An image prune (dangling images) keeps them and their layers: the next build is all cached.
        XCTAssertEqual(sbx(["image", "prune", "-f"]).status, 0)
        XCTAssertEqual(entries(engineRoot + "/images/intermediate"), records)
        let again = build(["-t", "records:1"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(cachedSteps(again.err).contains { $0.contains("echo two") }, again.err)
        XCTAssertEqual(run(["--rm", "records:1"]).out, "one\ntwo\n")

        // builder prune removes them, and their layers with them.
        XCTAssertEqual(sbx(["builder", "prune", "-f"]).status, 0)
        XCTAssertEqual(entries(engineRoot + "/images/intermediate"), [])
        XCTAssertEqual(cachedSteps(build(["-t", "records:1"]).err).filter { $0.contains("RUN") }, [], "pruned: nothing cached")
        XCTAssertEqual(run(["--rm", "records:1"]).out, "one\ntwo\n", "the tagged image keeps its layers")
    }
}
