// The golden corpus: each Corpus/NAME.Dockerfile is parsed and dumped
// (DockerfileDump) and compared with Corpus/NAME.golden, which was reviewed by hand.
// UPDATE_GOLDEN=1 swift test --filter CorpusTests rewrites the goldens.
import Foundation
import XCTest
import SwiftboxDockerfile

final class CorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    func testEveryDockerfileMatchesItsGolden() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
            .filter { $0.hasSuffix(".Dockerfile") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 20)
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"
        for name in names {
            let source = try String(contentsOf: Self.corpus.appendingPathComponent(name), encoding: .utf8)
            let dump: String
            do {
                dump = DockerfileDump.dump(try Dockerfile.parse(source, file: name))
            } catch {
                XCTFail("\(name): \(error)")
                continue
            }
            let golden = Self.corpus.appendingPathComponent(name.replacingOccurrences(of: ".Dockerfile", with: ".golden"))
            if update {
                try dump.write(to: golden, atomically: true, encoding: .utf8)
                continue
            }
            let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? "(no golden)"
            XCTAssertEqual(dump, expected, "\(name) differs from its golden (UPDATE_GOLDEN=1 rewrites it)")
        }
    }
}
