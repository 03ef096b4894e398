// Every program swiftbox or its tests run by path must come from a package that
// `make deps` installs (or from Debian's required base system, which every machine
// has). Once nftables was missing from `make deps`: a fresh machine failed `make demo`
// and 55 tests while CI, on a machine where it had been installed by hand, was green.
// This test catches the next such gap without root and without a fresh machine: it
// reads the program paths out of Sources/ and Tests/ and asks dpkg who provides them.
import XCTest

final class DepsAuditTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Files the tests themselves put inside a container's rootfs (not host programs).
    static let insideContainers: Set<String> = ["/bin/probe", "/bin/udp-echo", "/bin/swiftbox-oci", "/bin/exe-scan"]

    /// The packages the Makefile's lists (APT_PACKAGES, BENCH_PACKAGES, …) install.
    func makefilePackages() throws -> Set<String> {
        let text = try String(contentsOfFile: Self.root + "/Makefile", encoding: .utf8)
        var out = Set<String>()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].hasSuffix("_PACKAGES "), parts[1].hasPrefix("=") else { continue }
            out.formUnion(parts[1].dropFirst().split(separator: " ").map(String.init))
        }
        return out
    }

    /// "/usr/sbin/nft", "/bin/tar", … as string literals in Sources/ and Tests/.
    func programPaths() throws -> Set<String> {
        var found = Set<String>()
        let pattern = try NSRegularExpression(pattern: #""(/(?:usr/)?(?:local/)?s?bin/[A-Za-z0-9._+-]+)""#)
        for dir in ["Sources", "Tests"] {
            let enumerator = FileManager.default.enumerator(atPath: Self.root + "/" + dir)
            while let file = enumerator?.nextObject() as? String {
                guard [".swift", ".sh", ".c"].contains(where: file.hasSuffix) else { continue }
                // The Dockerfile parser's tests hold paths as text to parse, never to run.
                if file.hasPrefix("SwiftboxDockerfileTests/") { continue }
                let text = try String(contentsOfFile: Self.root + "/" + dir + "/" + file, encoding: .utf8)
                for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    found.insert(String(text[Range(m.range(at: 1), in: text)!]))
                }
            }
        }
        return found.subtracting(Self.insideContainers)
    }

    static func run(_ argv: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// path → owning packages, trying the merged-/usr twin of each path too (dpkg knows
    /// /bin/ip where the file is reached as /usr/sbin/ip).
    func owners(_ paths: Set<String>) throws -> [String: [String]] {
        var candidates: [String: String] = [:]
        for p in paths {
            candidates[p] = p
            candidates[p.hasPrefix("/usr/") ? String(p.dropFirst(4)) : "/usr" + p] = p
            for (from, to) in [("/sbin/", "/bin/"), ("/bin/", "/sbin/")] where p.contains(from) {
                let twin = p.replacingOccurrences(of: from, with: to)
                candidates[twin] = p
                candidates[twin.hasPrefix("/usr/") ? String(twin.dropFirst(4)) : "/usr" + twin] = p
            }
        }
        let text = try Self.run(["/usr/bin/dpkg", "-S"] + candidates.keys.sorted())
        var out: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("diversion") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let program = candidates[parts[1]] else { continue }
            out[program, default: []] += parts[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return out
    }

    /// Debian's required (or Essential) packages are on every machine.
    func isBaseSystem(_ package: String) throws -> Bool {
        let fields = try Self.run(["/usr/bin/dpkg-query", "-W", "-f=${Priority} ${Essential}", package])
        return fields.hasPrefix("required") || fields.hasSuffix("yes")
    }

    func testEveryProgramRunByPathIsInstalledByMakeDeps() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg") else {
            throw XCTSkip("not a Debian machine: no dpkg to ask who provides a program")
        }
        let listed = try makefilePackages()
        XCTAssertTrue(listed.contains("nftables"), "the Makefile's package lists were not found or lack nftables: \(listed.sorted())")
        let paths = try programPaths()
        XCTAssertTrue(paths.contains("/usr/sbin/nft"), "the scan found no program paths: \(paths.sorted())")
        let owners = try owners(paths)
        for path in paths.sorted() {
            guard let packages = owners[path], !packages.isEmpty else {
                XCTFail("\(path) is run by swiftbox or its tests, but no installed package provides it: add the package that does to the Makefile's APT_PACKAGES")
                continue
            }
            if packages.contains(where: listed.contains) { continue }
            if try packages.contains(where: isBaseSystem) { continue }
            XCTFail("\(path) comes from \(packages.joined(separator: ", ")), which neither `make deps` installs nor Debian's base system has: add it to APT_PACKAGES")
        }
    }
}
