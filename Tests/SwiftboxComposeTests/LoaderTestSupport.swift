import XCTest
@testable import SwiftboxCompose

/// Load a project from in-memory files under /p/demo.
func load(_ files: [String: String], env: [String: String] = [:], options: (inout LoadOptions) -> Void = { _ in }) throws -> (Project, ComposeWarnings) {
    var all: [String: String] = [:]
    for (k, v) in files { all[k.hasPrefix("/") ? k : "/p/demo/" + k] = v }
    var o = LoadOptions(environment: env, workingDirectory: "/p/demo")
    options(&o)
    return try ProjectLoader(files: MemoryFiles(all)).load(o)
}

func loadError(_ files: [String: String], env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> ComposeError? {
    do {
        _ = try load(files, env: env)
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch let e as ComposeError {
        return e
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}
