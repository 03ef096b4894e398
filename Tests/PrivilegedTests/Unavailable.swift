// What a privileged test does when something it needs is not on the machine.
//
// Two kinds of "not here": the machine itself cannot do it (a pure cgroup v2 test on a
// hybrid host, a kernel without a feature) — that is a skip, with its reason, anywhere;
// and a tool or fixture that `make deps` / `make fixtures` should have provided — that
// is a skip on a developer's machine but a FAILURE under CI=true, because there it
// means an install step is missing and a fresh machine would fail the same way (it
// happened once: nftables was not in `make deps`, and CI skipped ten tests silently).
import XCTest

struct MissingInCI: Error, CustomStringConvertible {
    var reason: String
    var description: String { "CI=true and a required tool or fixture is missing: \(reason)" }
}

/// The error to throw when a tool or fixture is missing: XCTSkip normally, a failure in CI.
func missingTool(_ reason: String) -> Error {
    if ProcessInfo.processInfo.environment["CI"] == "true" { return MissingInCI(reason: reason) }
    return XCTSkip(reason)
}
