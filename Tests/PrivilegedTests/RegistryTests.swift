// Pulls from a real registry (Debian's docker-registry on 127.0.0.1, images pushed
// with skopeo): anonymous, basic auth and bearer tokens; a multi-platform index;
// a pull killed with SIGKILL and then completed; a store on a full disk.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class RegistryTests: PrivilegedTestCase {
    var port = 0
    var regDir = ""
    var engineRoot: String { work + "/engine" }
    static var harness: String { packageRoot + "/rootfs-fixtures/registry" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        for tool in ["/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/htpasswd"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw missingTool("\(tool) is missing (make deps installs docker-registry, skopeo and apache2-utils)")
        }
        port = Int.random(in: 5200...5900)
        regDir = work + "/registry"
    }

    override func tearDownWithError() throws {
        if !regDir.isEmpty { _ = Self.shell([Self.harness + "/registry.sh", "stop", regDir]) }
        try super.tearDownWithError()
    }

    func startRegistry(_ mode: String) throws {
        let r = Self.shell([Self.harness + "/registry.sh", "start", regDir, "\(port)", mode])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        if r.status != 0 { throw missingTool("registry did not start: \(r.err)") }
    }

    func push(_ mode: String, _ source: String, _ dest: String, all: Bool = false) {
        let r = Self.shell([Self.harness + "/push.sh", regDir, "\(port)", mode] + (all ? ["--all"] : []) + [source, dest])
        XCTAssertEqual(r.status, 0, r.out + r.err)
    }

    @discardableResult
    func engine(_ args: [String], root: String? = nil) -> (status: Int32, out: String, err: String) {
        Self.shell([Self.binary] + args + ["--root", root ?? engineRoot])
    }

    func busyboxLayout() -> String {
        let dir = work + "/busybox-image"
        XCTAssertEqual(Self.shell([Self.packageRoot + "/rootfs-fixtures/busybox-image.sh", dir]).status, 0)
        return dir
    }

    func testAnonymousPullThenPullAgainSkipsBlobs() throws {
        try startRegistry("anon")
        push("anon", "oci:\(busyboxLayout()):latest", "test/busybox:1")
        let ref = "127.0.0.1:\(port)/test/busybox:1"
        let p = engine(["pull", ref])
        XCTAssertEqual(p.status, 0, p.err)
        XCTAssertTrue(p.out.contains("Pull complete") && p.out.contains("Digest: sha256:"), p.out)
        XCTAssertEqual(engine(["images", "-q"]).out.split(separator: "\n").count, 1)
        XCTAssertEqual(engine(["image", "snapshot", ref]).status, 0)
        let again = engine(["pull", ref])
        XCTAssertTrue(again.out.contains("Already exists"), again.out)
        let inspect = engine(["image", "inspect", ref])
        XCTAssertTrue(inspect.out.contains("127.0.0.1:\(port)/test/busybox@sha256:"), "RepoDigests: \(inspect.out)")
        let missing = engine(["pull", "127.0.0.1:\(port)/test/none:1"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("not found"), missing.err)
    }

    func testMultiPlatformIndexPicksThePlatform() throws {
        try startRegistry("anon")
        let layout = work + "/multi"
        XCTAssertEqual(Self.shell(["/usr/bin/python3", Self.harness + "/make-multiarch.py", layout]).status, 0)
        let tag = (try? String(contentsOfFile: layout + "/index.json", encoding: .utf8))?.contains("\"latest\"") == true ? "latest" : "multi"
        push("anon", "oci:\(layout):\(tag)", "test/multi:1", all: true)
        let ref = "127.0.0.1:\(port)/test/multi:1"
        for (platform, expected) in [("linux/amd64", "amd64"), ("linux/arm64", "arm64")] {
            let root = work + "/engine-\(expected)"
            let p = engine(["pull", "--platform", platform, ref], root: root)
            XCTAssertEqual(p.status, 0, p.err)
            let dirs = engine(["image", "snapshot", ref], root: root).out.trimmingCharacters(in: .whitespacesAndNewlines)
            let content = try String(contentsOfFile: dirs.split(separator: ":")[0] + "/platform", encoding: .utf8)
            XCTAssertTrue(content.hasPrefix(expected), "\(platform) gave \(content)")
        }
        let none = engine(["pull", "--platform", "linux/s390x", ref])
        XCTAssertTrue(none.err.contains("no manifest for linux/s390x"), none.err)
    }

    func testBasicAuthNeedsLogin() throws {
        try startRegistry("basic")
        push("basic", "oci:\(busyboxLayout()):latest", "test/private:1")
        let registry = "127.0.0.1:\(port)"
        let ref = "\(registry)/test/private:1"
        let anon = engine(["pull", ref])
        XCTAssertNotEqual(anon.status, 0)
        XCTAssertTrue(anon.err.contains("authentication required"), anon.err)
        let wrong = engine(["login", "-u", "swiftbox", "-p", "nope", registry])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: engineRoot + "/auth.json"), "wrong credentials are not stored")
        let ok = engine(["login", "-u", "swiftbox", "-p", "s3cret", registry])
        XCTAssertEqual(ok.out, "Login Succeeded\n", ok.err)
        let mode = (try FileManager.default.attributesOfItem(atPath: engineRoot + "/auth.json")[.posixPermissions] as? Int) ?? 0
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(engine(["pull", ref]).status, 0)
        XCTAssertTrue(engine(["logout", registry]).out.contains("Removing login credentials"))
    }

    func testBearerTokenFlowAnonymousAndLoggedIn() throws {
        try startRegistry("token")
        push("token", "oci:\(busyboxLayout()):latest", "test/tok:1")
        let registry = "127.0.0.1:\(port)"
        let p = engine(["pull", "\(registry)/test/tok:1"])
        XCTAssertEqual(p.status, 0, "anonymous pull through a token: \(p.err)")
        XCTAssertEqual(engine(["login", "-u", "swiftbox", "-p", "s3cret", registry]).status, 0)
        XCTAssertEqual(engine(["pull", "\(registry)/test/tok:1"], root: engineRoot).status, 0)
        let bad = engine(["login", "-u", "swiftbox", "-p", "wrong", registry], root: work + "/other")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("401") || bad.err.contains("credentials"), bad.err)
    }

    /// A layout with one big incompressible layer, so a pull takes long enough to kill.
    func bigLayout(megabytes: Int) throws -> String {
        let dir = work + "/big"
        let script = """
        import hashlib, io, json, os, sys, tarfile
        out = sys.argv[1]; n = int(sys.argv[2])
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as t:
            data = os.urandom(n << 20); ti = tarfile.TarInfo("big.bin"); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
        tar = raw.getvalue(); os.makedirs(out + "/blobs/sha256")
        def blob(b):
            d = hashlib.sha256(b).hexdigest(); open(out + "/blobs/sha256/" + d, "wb").write(b); return d
        l = blob(tar)
        c = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + l]}}).encode(); cd = blob(c)
        m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": len(c)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + l, "size": len(tar)}]}).encode(); md = blob(m)
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + md,
            "size": len(m), "annotations": {"org.opencontainers.image.ref.name": "big"}}]}, open(out + "/index.json", "w"))
        open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
        """
        try script.write(toFile: work + "/big.py", atomically: true, encoding: .utf8)
        XCTAssertEqual(Self.shell(["/usr/bin/python3", work + "/big.py", dir, "\(megabytes)"]).status, 0)
        return dir
    }

    func testPullKilledMidwayThenCompletedUsesNoPartialBlob() throws {
        try startRegistry("anon")
        push("anon", "oci:\(try bigLayout(megabytes: 200)):big", "test/big:1")
        let ref = "127.0.0.1:\(port)/test/big:1"
        let argv = [Self.binary, "pull", "-q", ref, "--root", engineRoot]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        XCTAssertEqual(posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ), 0)
        // Kill it once a partial blob is being written.
        eventually("a partial blob appears in ingest/", seconds: 30) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: engineRoot + "/images/ingest")) ?? []
            return files.contains { ((try? FileManager.default.attributesOfItem(atPath: engineRoot + "/images/ingest/" + $0)[.size] as? Int) ?? 0) ?? 0 > 1 << 20 }
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual(sb_wtermsig(status), SIGKILL, "the pull was still running when killed")
        XCTAssertEqual(engine(["images", "-q"]).out, "", "a killed pull registers nothing")
        // Every blob under its final name is whole.
        func checkBlobs() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: engineRoot + "/images/blobs/sha256")) ?? [] {
                let r = Self.shell(["/usr/bin/sha256sum", engineRoot + "/images/blobs/sha256/" + name])
                XCTAssertTrue(r.out.hasPrefix(name), "blob \(name) does not match its digest")
            }
        }
        checkBlobs()
        let again = engine(["pull", "-q", ref])
        XCTAssertEqual(again.status, 0, again.err)
        checkBlobs()
        XCTAssertEqual(engine(["image", "prune"]).status, 0)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: engineRoot + "/images/ingest")) ?? [], [], "prune removes the partial blob")
        XCTAssertEqual(engine(["images", "-q"]).out.split(separator: "\n").count, 1)
    }

    func testFullDiskGivesAClearErrorAndAConsistentStore() throws {
        try startRegistry("anon")
        push("anon", "oci:\(try bigLayout(megabytes: 8)):big", "test/big:1")
        let small = work + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        XCTAssertEqual(Self.shell(["/bin/mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small]).status, 0)
        defer { _ = Self.shell(["/bin/umount", small]) }
        let r = engine(["pull", "-q", "127.0.0.1:\(port)/test/big:1"], root: small + "/root")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("no space left on device"), r.err)
        XCTAssertEqual(engine(["images", "-q"], root: small + "/root").out, "")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: small + "/root/images/blobs/sha256")) ?? [] {
            XCTAssertTrue(Self.shell(["/usr/bin/sha256sum", small + "/root/images/blobs/sha256/" + name]).out.hasPrefix(name))
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: small + "/root/images/ingest")) ?? [], [], "the partial blob was removed")
    }
}

final class RegistryTLSTests: PrivilegedTestCase {
    func testHTTPSVerifiesCertificatesAgainstCertsD() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-registry") else {
            throw missingTool("docker-registry is missing (make deps installs it)")
        }
        let harness = RegistryTests.harness
        let dir = work + "/registry"
        let port = Int.random(in: 5901...6400)
        let start = Self.shell([harness + "/registry.sh", "start", dir, "\(port)", "tls"])
        XCTAssertEqual(start.status, 0, start.err)
        defer { _ = Self.shell([harness + "/registry.sh", "stop", dir]) }
        let layout = work + "/busybox-image"
        XCTAssertEqual(Self.shell([Self.packageRoot + "/rootfs-fixtures/busybox-image.sh", layout]).status, 0)
        XCTAssertEqual(Self.shell([harness + "/push.sh", dir, "\(port)", "tls", "oci:\(layout):latest", "t/bb:1"]).status, 0)
        let ref = "127.0.0.1:\(port)/t/bb:1"
        func pull(_ root: String, _ extra: [String]) -> (status: Int32, out: String, err: String) {
            Self.shell([Self.binary, "pull", "-q"] + extra + [ref, "--root", root])
        }
        // Loopback is insecure by Docker's rule: HTTPS without verification works.
        XCTAssertEqual(pull(work + "/a", []).status, 0)
        // Forced verification fails without the CA…
        let noCA = pull(work + "/b", ["--tls-verify", "true"])
        XCTAssertNotEqual(noCA.status, 0)
        XCTAssertTrue(noCA.err.contains("certificate verification failed"), noCA.err)
        // …and succeeds with it in certs.d/<registry>/ca.crt.
        let certs = work + "/c/certs.d/127.0.0.1:\(port)"
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/ca.crt", toPath: certs + "/ca.crt")
        let withCA = pull(work + "/c", ["--tls-verify", "true"])
        XCTAssertEqual(withCA.status, 0, withCA.err)
    }
}
