// Images end to end with the real binary: load (OCI layout, docker-archive and
// oci-archive written by skopeo), unpack into snapshots checked file by file against
// the fixture's expected trees (each layer alone, and merged by a real overlayfs
// mount), hostile layers that must not touch anything outside their root, and a blob
// whose digest does not match.
import XCTest
import CShim
#if canImport(Glibc)
import Glibc
#endif

final class ImageTests: PrivilegedTestCase {
    static let fixtures: String? = {
        let dir = NSTemporaryDirectory() + "swiftbox-test-images-\(getpid())"
        let r = PrivilegedTestCase.shell([packageRoot + "/rootfs-fixtures/make-test-images.sh", dir])
        if r.status != 0 { print("image fixtures failed: \(r.err)"); return nil }
        atexit { _ = try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "swiftbox-test-images-\(getpid())") }
        return dir
    }()

    var engineRoot: String { work + "/engine" }
    var fixtures: String { Self.fixtures! }

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard Self.fixtures != nil else { throw missingTool("could not build the image fixtures (python3, busybox-static, jq; make deps)") }
    }

    /// `swiftbox --root <engine root> ARGS…` (engine commands, not `oci`).
    @discardableResult
    func engine(_ args: [String]) -> (status: Int32, out: String, err: String) {
        Self.shell([Self.binary] + args + ["--root", engineRoot])
    }

    func checkTree(_ expected: String, _ dir: String, _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) {
        let r = Self.shell(["/usr/bin/python3", Self.packageRoot + "/rootfs-fixtures/check-tree.py"] + extra + [expected, dir])
        XCTAssertEqual(r.status, 0, "tree \(dir) differs from \(expected):\n\(r.out)\(r.err)", file: file, line: line)
    }

    func snapshotDirs(_ image: String) throws -> [String] {
        let r = engine(["image", "snapshot", image])
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").map(String.init).reversed()
    }

    /// Mount the snapshots as the container will see them, check, unmount.
    func checkMerged(_ image: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let lower = try snapshotDirs(image).reversed().joined(separator: ":")
        let mnt = work + "/merged-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        let m = Self.shell(["/bin/mount", "-t", "overlay", "overlay", "-o", "ro,lowerdir=\(lower)", mnt])
        XCTAssertEqual(m.status, 0, m.err, file: file, line: line)
        defer { _ = Self.shell(["/bin/umount", mnt]) }
        checkTree(fixtures + "/layered.expected.json", mnt, file: file, line: line)
    }

    func testLoadOCILayoutUnpacksEachLayerAndMergesLikeUmoci() throws {
        let r = engine(["image", "load", "-i", fixtures + "/layered"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "Loaded image: layered:layered\n")
        let dirs = try snapshotDirs("layered:layered")
        XCTAssertEqual(dirs.count, 3)
        checkTree(fixtures + "/layered.layer1.expected.json", dirs[0], ["--check-sparse"])
        checkTree(fixtures + "/layered.layer2.expected.json", dirs[1])
        checkTree(fixtures + "/layered.layer3.expected.json", dirs[2])
        try checkMerged("layered:layered")
        // A second snapshot reuses the unpacked layers.
        XCTAssertEqual(try snapshotDirs("layered:layered"), dirs)
    }

    func testLoadSkopeoArchives() throws {
        guard FileManager.default.fileExists(atPath: fixtures + "/layered-docker-archive.tar") else {
            throw missingTool("skopeo is not installed, so there are no archives to load (make deps installs it)")
        }
        // umoci's unpack of the same image is the reference: it must match the expected
        // tree that swiftbox's snapshots are checked against below.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci") {
            let bundle = work + "/umoci-bundle"
            let u = Self.shell(["/usr/bin/umoci", "unpack", "--image", fixtures + "/layered:layered", bundle])
            XCTAssertEqual(u.status, 0, u.err)
            checkTree(fixtures + "/layered.expected.json", bundle + "/rootfs")
        }
        let d = engine(["load", "-i", fixtures + "/layered-docker-archive.tar"])
        XCTAssertEqual(d.status, 0, d.err)
        XCTAssertEqual(d.out, "Loaded image: swiftbox/layered:latest\n")
        try checkMerged("swiftbox/layered:latest")
        let o = engine(["load", "-i", fixtures + "/layered-oci-archive.tar"])
        XCTAssertEqual(o.status, 0, o.err)
        let ls = engine(["images", "--format", "json"])
        XCTAssertTrue(ls.out.contains("\"Repository\":\"swiftbox/layered\""), ls.out)
        // Both archives hold the same image config, so the same image ID.
        XCTAssertEqual(Set(engine(["images", "-q"]).out.split(separator: "\n")).count, 1)
    }

    func testSaveThenLoadRoundTrips() throws {
        XCTAssertEqual(engine(["load", "-i", fixtures + "/layered"]).status, 0)
        let archive = work + "/saved.tar"
        XCTAssertEqual(engine(["save", "-o", archive, "layered:layered"]).status, 0)
        let id = engine(["images", "-q", "--no-trunc"]).out
        XCTAssertEqual(engine(["rmi", "layered:layered"]).status, 0)
        XCTAssertEqual(engine(["images", "-q"]).out, "")
        let l = engine(["load", "-i", archive])
        XCTAssertEqual(l.status, 0, l.err)
        XCTAssertEqual(engine(["images", "-q", "--no-trunc"]).out, id)
        try checkMerged("layered:layered")
    }

    func testHostileLayersNeverReachOutsideTheirRoot() throws {
        let victims = ["/tmp/swiftbox-victim-sbxfixture7c1e-whiteout-escape", "/tmp/swiftbox-victim-sbxfixture7c1e-hardlink-write"]
        for v in victims { try "original\n".write(toFile: v, atomically: true, encoding: .utf8) }
        defer { victims.forEach { unlink($0) } }
        let passwdBefore = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        var linksBefore = stat()
        stat("/etc/passwd", &linksBefore)

        // The choice per case (see LayerUnpacker): rejected, or contained in the layer.
        let expectations: [String: Bool] = [   // true = the layer is rejected
            "abs-path": false, "dotdot": true, "symlink-escape": false, "symlink-escape-rel": false,
            "hardlink-escape": true, "hardlink-escape-abs": true, "whiteout-escape": true, "hardlink-write": true,
        ]
        for (name, rejected) in expectations.sorted(by: { $0.key < $1.key }) {
            let load = engine(["load", "-i", fixtures + "/hostile/hostile-\(name)"])
            if rejected {
                // Refused at load (the layers are unpacked there), not at the first run:
                // no "Loaded", and no image left to run.
                XCTAssertNotEqual(load.status, 0, "\(name) should be rejected by load: \(load.out)")
                XCTAssertFalse(load.out.contains("Loaded"), "\(name): \(load.out)")
                XCTAssertTrue(load.err.contains("layer"), "\(name): \(load.err)")
                XCTAssertNotEqual(engine(["image", "inspect", "hostile-\(name):hostile-\(name)"]).status, 0,
                                  "\(name): a refused image is not in the store")
            } else {
                XCTAssertEqual(load.status, 0, "\(name): \(load.err)")
                let snap = engine(["image", "snapshot", "hostile-\(name):hostile-\(name)"])
                XCTAssertEqual(snap.status, 0, "\(name) should be contained: \(snap.err)")
                let found = Self.shell(["/usr/bin/find", engineRoot, "-name", "*sbxfixture7c1e-\(name)*"])
                XCTAssertFalse(found.out.isEmpty, "\(name): the entry should land inside the snapshot")
            }
        }
        // Nothing outside the roots was created, changed or deleted.
        let leaks = Self.shell(["/usr/bin/find", "/tmp", "/etc", "-xdev", "-name", "*sbxfixture7c1e*",
                                "-not", "-path", "\(work)/*", "-not", "-path", "\(fixtures)/*"]).out
            .split(separator: "\n").filter { !victims.contains(String($0)) }
        XCTAssertEqual(leaks, [], "hostile layers wrote outside their root")
        for v in victims { XCTAssertEqual(try String(contentsOfFile: v, encoding: .utf8), "original\n", v) }
        XCTAssertEqual(try String(contentsOfFile: "/etc/passwd", encoding: .utf8), passwdBefore)
        var linksAfter = stat()
        stat("/etc/passwd", &linksAfter)
        XCTAssertEqual(linksAfter.st_nlink, linksBefore.st_nlink, "/etc/passwd gained a hard link")
    }

    func testBlobWithWrongDigestIsRefusedAndNothingStored() throws {
        let copy = work + "/corrupt"
        XCTAssertEqual(Self.shell(["/bin/cp", "-a", fixtures + "/layered", copy]).status, 0)
        // Flip the content of the largest blob (a layer) but keep its name.
        let blobs = try FileManager.default.contentsOfDirectory(atPath: copy + "/blobs/sha256")
        let largest = try XCTUnwrap(blobs.max { (try? FileManager.default.attributesOfItem(atPath: copy + "/blobs/sha256/" + $0)[.size] as? Int ?? 0) ?? 0 < (try? FileManager.default.attributesOfItem(atPath: copy + "/blobs/sha256/" + $1)[.size] as? Int ?? 0) ?? 0 })
        let fh = try XCTUnwrap(FileHandle(forUpdatingAtPath: copy + "/blobs/sha256/" + largest))
        fh.seek(toFileOffset: 100)
        fh.write(Data([0x42, 0x42, 0x42]))
        fh.closeFile()
        let r = engine(["load", "-i", copy])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("digest mismatch") && r.err.contains(largest), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: engineRoot + "/images/blobs/sha256/" + largest))
        let ingest = (try? FileManager.default.contentsOfDirectory(atPath: engineRoot + "/images/ingest")) ?? []
        XCTAssertEqual(ingest, [], "no partial blob left behind")
        XCTAssertEqual(engine(["images", "-q"]).out, "")
    }

    /// Caught by load itself, which unpacks every layer before it registers the image.
    func testWrongDiffIDIsCaughtWhenTheLayerIsUnpacked() throws {
        let copy = work + "/wrong-diffid"
        XCTAssertEqual(Self.shell(["/bin/cp", "-a", fixtures + "/layered", copy]).status, 0)
        // Rewrite the config with a wrong diff_id for layer 2, and the manifest and index after it.
        let script = """
        import hashlib, json, os, sys
        d = sys.argv[1]; b = d + "/blobs/sha256/"
        idx = json.load(open(d + "/index.json")); m = idx["manifests"][0]
        man = json.load(open(b + m["digest"][7:])); cfg = json.load(open(b + man["config"]["digest"][7:]))
        cfg["rootfs"]["diff_ids"][1] = "sha256:" + "0" * 64
        def put(obj):
            data = json.dumps(obj).encode(); h = hashlib.sha256(data).hexdigest(); open(b + h, "wb").write(data); return "sha256:" + h, len(data)
        man["config"]["digest"], man["config"]["size"] = put(cfg)
        m["digest"], m["size"] = put(man)
        json.dump(idx, open(d + "/index.json", "w"))
        """
        try script.write(toFile: work + "/rewrite.py", atomically: true, encoding: .utf8)
        XCTAssertEqual(Self.shell(["/usr/bin/python3", work + "/rewrite.py", copy]).status, 0)
        let load = engine(["load", "-i", copy])
        XCTAssertNotEqual(load.status, 0, load.out)
        XCTAssertTrue(load.err.contains("does not match the image's diff_id"), load.err)
        XCTAssertNotEqual(engine(["image", "inspect", "wrong-diffid:layered"]).status, 0, "the image was not registered")
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: engineRoot + "/images/snapshots")) ?? []
        XCTAssertEqual(dirs.filter { $0.hasPrefix("tmp-") }, [], "the half-unpacked layer is removed")
        XCTAssertEqual(dirs.count, 1, "only the verified first layer stays: \(dirs)")
    }

    func testZstdAndGzipLayersUnpackAndVerify() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") else { throw missingTool("zstd is not installed (make deps)") }
        let tar = work + "/rootfs.tar"
        XCTAssertEqual(Self.shell(["/bin/tar", "-C", Self.sharedRootfs! + "/rootfs", "-cf", tar, "."]).status, 0)
        XCTAssertEqual(Self.shell(["/usr/bin/zstd", "-q", tar, "-o", tar + ".zst"]).status, 0)
        XCTAssertEqual(Self.shell(["/bin/sh", "-c", "gzip -c \(tar) > \(tar).gz"]).status, 0)
        for (file, ref, type) in [(tar + ".zst", "z:1", "tar+zstd"), (tar + ".gz", "g:1", "tar+gzip"), (tar, "p:1", "layer.v1.tar\"")] {
            XCTAssertEqual(engine(["import", file, ref]).status, 0)
            let manifest = engine(["image", "snapshot", ref])
            XCTAssertEqual(manifest.status, 0, manifest.err)
            let dir = manifest.out.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/bin/busybox"), "\(ref) unpacked")
            let blobs = engineRoot + "/images/blobs/sha256"
            let all = (try? FileManager.default.contentsOfDirectory(atPath: blobs)) ?? []
            let manifests = all.compactMap { try? String(contentsOfFile: blobs + "/" + $0, encoding: .utf8) }.filter { $0.contains("\"layers\"") }
            XCTAssertTrue(manifests.contains { $0.contains(type) }, "a manifest with media type \(type)")
        }
    }

    func testImportWithChangesAndBadInput() throws {
        let tar = work + "/rootfs.tar"
        XCTAssertEqual(Self.shell(["/bin/tar", "-C", Self.sharedRootfs! + "/rootfs", "-cf", tar, "."]).status, 0)
        let r = engine(["import", "--change", "CMD [\"sh\", \"-c\", \"echo hi\"]", "--change", "ENV A=b", "--change", "WORKDIR /tmp", tar, "imported:v1"])
        XCTAssertEqual(r.status, 0, r.err)
        let inspect = engine(["image", "inspect", "imported:v1"])
        XCTAssertTrue(inspect.out.contains("\"echo hi\""), inspect.out)
        XCTAssertTrue(inspect.out.contains("\"A=b\""), inspect.out)
        XCTAssertTrue(inspect.out.contains("\"WorkingDir\" : \"/tmp\""), inspect.out)
        let bad = engine(["import", "--change", "RUN make", tar, "x:y"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("RUN is not one of"), bad.err)
        let badRef = engine(["import", tar, "Upper:case"])
        XCTAssertTrue(badRef.err.contains("must be lowercase"), badRef.err)
        let missing = engine(["rmi", "nope:latest"])
        XCTAssertTrue(missing.err.contains("no such image: nope:latest"), missing.err)
        let notArchive = engine(["load", "-i", tar])
        XCTAssertTrue(notArchive.err.contains("neither a docker-archive"), notArchive.err)
    }
}
