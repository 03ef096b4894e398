// CVE-2019-5736 against swiftbox: a process in a container that gets hold of the
// swiftbox binary through /proc/PID/exe, waits for it to stop running and rewrites it.
// The attackers (rootfs-fixtures/probes/exe-hijack.c and exe-scan.c) write what they
// managed into /out/result; the binary they attack is always a copy of the one under
// test, never the installed one or the build output, and the tests compare its SHA-256.
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class SealedExecutableTests: EngineTestCase {
    var out: String { work + "/out" }

    /// `exec` of /bin/sh where /bin/sh is `#!/proc/self/exe`: the kernel runs swiftbox
    /// inside the container, with the image's ELF interpreter — the attacker — in it.
    func testExecIntoADefaultContainerCannotOverwriteTheBinary() throws {
        let (runBin, execBin) = try binaries()
        try requireInterpreter(execBin)
        let image = try attackImage()
        let before = sha256(execBin)
        let r = Self.shell([runBin, "run", "--root", engineRoot, "-d", "--name", "victim", "-v", out + ":/out", image, "sleep", "1000"])
        XCTAssertEqual(r.status, 0, r.err)
        _ = Self.shell([execBin, "exec", "--root", engineRoot, "victim", "/bin/sh"])
        eventually("the attacker reports", seconds: 40) { self.result().contains("final ") }
        let report = result()
        XCTAssertTrue(report.contains("interp "), "the attacker did not run: \(report)")
        XCTAssertFalse(report.contains("final wrote"), report)
        XCTAssertTrue(report.contains(" ro=1") || report.contains(" sealed=1"), "the container could reach a writable binary: \(report)")
        XCTAssertEqual(sha256(execBin), before, "the binary was overwritten from inside the container")
    }

    /// With CAP_SYS_PTRACE (--privileged) a process in the container can open the exec
    /// helper's /proc/PID/exe between its clone and its execve.
    func testExecIntoAPrivilegedContainerCannotOverwriteTheBinary() throws {
        let (runBin, execBin) = try binaries()
        let image = try attackImage()
        let before = sha256(execBin)
        let r = Self.shell([runBin, "run", "--root", engineRoot, "-d", "--privileged", "--name", "victim", "-v", out + ":/out", image, "/bin/exe-scan"])
        XCTAssertEqual(r.status, 0, r.err)
        // The helper lives for a moment only: exec until the scanner has caught one.
        for _ in 0..<60 where !result().contains("caught ") {
            _ = Self.shell([execBin, "exec", "--root", engineRoot, "victim", "true"])
        }
        let caught = result()
        XCTAssertTrue(caught.contains("caught "), "the scanner never caught an exec helper: \(caught)")
        eventually("the scanner reports", seconds: 40) { self.result().contains("final ") }
        let report = result()
        XCTAssertFalse(report.contains("final wrote"), report)
        XCTAssertTrue(report.contains(" ro=1") || report.contains(" sealed=1"), "the container could reach a writable binary: \(report)")
        XCTAssertEqual(sha256(execBin), before, "the binary was overwritten from inside the container")
    }

    /// The monitor runs health probes in the container for its whole life: a probe of
    /// /bin/sh (CMD-SHELL) must not lead to a binary the container can write.
    func testHealthProbesComeFromASealedMonitor() throws {
        let (runBin, _) = try binaries()
        try requireInterpreter(runBin)
        let image = try attackImage()
        let before = sha256(runBin)
        let r = Self.shell([runBin, "run", "--root", engineRoot, "-d", "--name", "victim", "--health-cmd", "exit 0",
                            "--health-interval", "1s", "-v", out + ":/out", image, "sleep", "1000"])
        XCTAssertEqual(r.status, 0, r.err)
        eventually("a health probe ran the attacker", seconds: 40) { self.result().contains("interp ") }
        let report = result()
        XCTAssertTrue(report.contains(" ro=1") || report.contains(" sealed=1"), "the monitor runs a binary the container could write: \(report)")
        XCTAssertEqual(sbx(["rm", "-f", "victim"]).status, 0)
        XCTAssertEqual(sha256(runBin), before)
    }

    // MARK: helpers

    /// Two copies of the binary under test: one runs the container (its monitor keeps
    /// that file busy), the other is the one exec'd and attacked.
    func binaries() throws -> (run: String, exec: String) {
        var paths: [String] = []
        for name in ["bin-run", "bin-exec"] {
            try FileManager.default.createDirectory(atPath: work + "/" + name, withIntermediateDirectories: true)
            let path = work + "/" + name + "/swiftbox"
            let cp = Self.shell(["/bin/cp", Self.binary, path])
            XCTAssertEqual(cp.status, 0, cp.err)
            paths.append(path)
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        return (paths[0], paths[1])
    }

    /// The busybox rootfs with the attackers: exe-hijack as the ELF interpreter, /bin/sh
    /// a `#!/proc/self/exe` script, exe-scan at /bin/exe-scan.
    func attackImage() throws -> String {
        let rootfs = work + "/attack-rootfs"
        XCTAssertEqual(Self.shell(["/bin/cp", "-a", Self.sharedRootfs! + "/rootfs", rootfs]).status, 0)
        try FileManager.default.createDirectory(atPath: rootfs + "/lib64", withIntermediateDirectories: true)
        let probes = Self.packageRoot + "/rootfs-fixtures/probes/"
        let hijack = Self.shell(["/usr/bin/gcc", "-static-pie", "-nostdlib", "-fPIE", "-ffreestanding", "-fno-stack-protector",
                                 "-fno-builtin", "-O1", "-o", rootfs + "/lib64/ld-linux-x86-64.so.2", probes + "exe-hijack.c"])
        let scan = Self.shell(["/usr/bin/gcc", "-static", "-O1", "-o", rootfs + "/bin/exe-scan", probes + "exe-scan.c"])
        if hijack.status != 0 || scan.status != 0 {
            let why = "cannot build the attackers with gcc: \(hijack.err)\(scan.err)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(why) }
            throw XCTSkip(why)
        }
        unlink(rootfs + "/bin/sh")
        try "#!/proc/self/exe\n".write(toFile: rootfs + "/bin/sh", atomically: false, encoding: .utf8)
        chmod(rootfs + "/bin/sh", 0o755)
        let tar = work + "/attack.tar"
        XCTAssertEqual(Self.shell(["/bin/tar", "-C", rootfs, "-cf", tar, "."]).status, 0)
        let imported = sbx(["import", tar, "attack:1"])
        XCTAssertEqual(imported.status, 0, imported.err)
        return "attack:1"
    }

    /// The ELF-interpreter attack needs a dynamically linked binary (a static one loads
    /// nothing from the container; the exec-helper test covers it).
    func requireInterpreter(_ binary: String) throws {
        let fd = open(binary, O_RDONLY)
        guard fd >= 0 else { throw XCTSkip("cannot read \(binary)") }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 64)
        guard pread(fd, &header, 64, 0) == 64 else { throw XCTSkip("\(binary) is not an ELF file") }
        func le(_ b: [UInt8], _ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
        let phoff = le(header, 32, 8), phentsize = le(header, 54, 2), phnum = le(header, 56, 2)
        var entry = [UInt8](repeating: 0, count: 4)
        for i in 0..<phnum where pread(fd, &entry, 4, off_t(phoff + i * phentsize)) == 4 {
            if le(entry, 0, 4) == 3 /* PT_INTERP */ { return }
        }
        throw XCTSkip("\(binary) is statically linked: it loads no ELF interpreter from the container")
    }

    func result() -> String { (try? String(contentsOfFile: out + "/result", encoding: .utf8)) ?? "" }

    func sha256(_ path: String) -> String { String(Self.shell(["/usr/bin/sha256sum", path]).out.prefix(64)) }
}
