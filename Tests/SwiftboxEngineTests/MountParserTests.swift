import XCTest
import SwiftboxOCI
@testable import SwiftboxEngine

final class MountParserTests: XCTestCase {
    func testVolumeFlagForms() throws {
        let named = try MountParser.parseVolumeFlag("data:/var/lib/data:ro")
        XCTAssertEqual(named.type, .volume)
        XCTAssertEqual(named.source, "data")
        XCTAssertEqual(named.target, "/var/lib/data")
        XCTAssertTrue(named.readOnly)

        let bind = try MountParser.parseVolumeFlag("/srv/www:/usr/share/www:rw,rslave")
        XCTAssertEqual(bind.type, .bind)
        XCTAssertEqual(bind.propagation, "rslave")
        XCTAssertEqual(bind.createHostPath, true, "-v creates a missing host directory")
        XCTAssertFalse(bind.readOnly)

        let relative = try MountParser.parseVolumeFlag("./site/../www:/w", cwd: "/home/me")
        XCTAssertEqual(relative.source, "/home/me/www")

        let anonymous = try MountParser.parseVolumeFlag("/cache")
        XCTAssertEqual(anonymous.type, .volume)
        XCTAssertEqual(anonymous.anonymous, true)
        XCTAssertEqual(anonymous.source, "")

        let anonymousRO = try MountParser.parseVolumeFlag("/cache:ro")
        XCTAssertEqual(anonymousRO.anonymous, true)
        XCTAssertTrue(anonymousRO.readOnly)

        XCTAssertEqual(try MountParser.parseVolumeFlag("v1:/x:nocopy").noCopy, true)
    }

    func testVolumeFlagErrors() {
        for bad in ["", "a:b:c:d", "data:relative", "data:/", "/a::/b", "data:/x:rx", "data:/x:ro,rw", "d@ta:/x", "x:/y",
                    "data:/x:rshared", "/h:/x:nocopy", "data:/a/../b"] {
            XCTAssertThrowsError(try MountParser.parseVolumeFlag(bad), "\(bad) must be refused")
        }
        XCTAssertThrowsError(try MountParser.parseVolumeFlag("d@ta:/x")) { e in
            XCTAssertTrue("\(e)".contains("invalid characters for a local volume name"), "\(e)")
        }
        XCTAssertThrowsError(try MountParser.parseVolumeFlag("data:relative")) { e in
            XCTAssertEqual("\(e)", "invalid mount path: 'relative' mount path must be absolute")
        }
    }

    func testMountFlagForms() throws {
        let v = try MountParser.parseMountFlag("type=volume,source=data,target=/d,readonly,volume-opt=type=tmpfs,volume-opt=device=tmpfs")
        XCTAssertEqual(v.type, .volume)
        XCTAssertTrue(v.readOnly)
        XCTAssertEqual(v.volumeOptions, ["type": "tmpfs", "device": "tmpfs"])

        let b = try MountParser.parseMountFlag("type=bind,src=/srv,dst=/s,bind-propagation=rshared,ro=false")
        XCTAssertEqual(b.type, .bind)
        XCTAssertEqual(b.propagation, "rshared")
        XCTAssertNil(b.createHostPath, "--mount never creates the host path")
        XCTAssertFalse(b.readOnly)

        let t = try MountParser.parseMountFlag("type=tmpfs,target=/run/x,tmpfs-size=64m,tmpfs-mode=700")
        XCTAssertEqual(t.tmpfsSize, 64 << 20)
        XCTAssertEqual(t.tmpfsMode, 0o700)

        XCTAssertEqual(try MountParser.parseMountFlag("target=/anon").anonymous, true, "type defaults to volume")
    }

    func testMountFlagErrors() {
        let cases: [(String, String)] = [
            ("type=bind,target=/x", "field Source must not be empty"),
            ("type=volume,source=v", "target is required"),
            ("type=nfs,target=/x", "invalid mount type"),
            ("type=bind,src=/a,dst=/b,volume-nocopy", "cannot mix 'volume-*' options"),
            ("type=volume,src=v,dst=/b,bind-propagation=shared", "cannot mix 'bind-*' options"),
            ("type=tmpfs,src=x,dst=/b", "source must not be specified"),
            ("type=tmpfs,dst=/b,tmpfs-size=lots", "invalid tmpfs-size"),
            ("type=volume,dst=/b,color=blue", "unexpected key 'color'"),
            ("type=volume,,dst=/b", "must be a key=value pair"),
            ("type=bind,src=/a,dst=/b,readonly=maybe", "invalid value for readonly"),
        ]
        for (spec, message) in cases {
            XCTAssertThrowsError(try MountParser.parseMountFlag(spec), spec) { e in
                XCTAssertTrue("\(e)".contains(message), "\(spec): \(e)")
            }
        }
    }

    func testTmpfsFlag() throws {
        let t = try MountParser.parseTmpfsFlag("/run:size=1m,mode=755,exec")
        XCTAssertEqual(t.tmpfsSize, 1 << 20)
        XCTAssertEqual(t.tmpfsMode, 0o755)
        XCTAssertEqual(t.tmpfsFlags, ["exec"])
        XCTAssertThrowsError(try MountParser.parseTmpfsFlag("/run:size=big"))
        XCTAssertThrowsError(try MountParser.parseTmpfsFlag("/run:color=red"))
        XCTAssertThrowsError(try MountParser.parseTmpfsFlag("run"))
    }

    func testVolumeNames() {
        for good in ["ab", "data", "my-vol_1.2", "0x"] { XCTAssertNoThrow(try VolumeName.validate(good), good) }
        for bad in ["", "a", "-x", ".x", "a/b", "a b", "../x", "ä1"] { XCTAssertThrowsError(try VolumeName.validate(bad), bad) }
    }

    func testSpecEntriesOrderAndDefaults() {
        var spec = DefaultSpec.make(args: ["sh"])
        var shm = ContainerMount(type: .tmpfs, source: "", target: "/dev/shm")
        shm.tmpfsSize = 1 << 20
        var bind = ContainerMount(type: .bind, source: "/host", target: "/a/b", readOnly: true)
        bind.propagation = "rslave"
        let vol = ContainerMount(type: .volume, source: "data", target: "/a")
        MountSpec.apply([bind, vol, shm], to: &spec) { "/vols/\($0)/_data" }
        let mounts = spec.mounts ?? []
        XCTAssertEqual(mounts.filter { $0.destination == "/dev/shm" }.count, 1, "the user's /dev/shm replaces the default")
        let user = Array(mounts.suffix(3))
        XCTAssertEqual(user.map(\.destination), ["/a", "/a/b", "/dev/shm"], "parents before children, else as given")
        XCTAssertEqual(user[0].source, "/vols/data/_data")
        XCTAssertEqual(user[0].options, ["rbind", "rprivate"])
        XCTAssertEqual(user[1].options, ["rbind", "rslave", "ro"])
        XCTAssertEqual(user[2].options, ["nosuid", "nodev", "noexec", "mode=1777", "size=1048576"])
        XCTAssertEqual(spec.linux?.rootfsPropagation, "rslave", "a slave bind needs a slave rootfs")
    }

    func testVolumeDriverOptions() {
        XCTAssertNoThrow(try VolumeOptions.validate([:]))
        XCTAssertNoThrow(try VolumeOptions.validate(["type": "tmpfs", "device": "tmpfs", "o": "size=1m"]))
        XCTAssertThrowsError(try VolumeOptions.validate(["colour": "red"]))
        XCTAssertThrowsError(try VolumeOptions.validate(["device": "/dev/x"]), "type is required")
        XCTAssertThrowsError(try VolumeOptions.validate(["type": "ext4"]), "device is required")
        XCTAssertThrowsError(try VolumeOptions.validate(["type": "none", "o": "bind", "device": "/no/such/dir"]))
        let a = VolumeOptions.mountArguments(["type": "tmpfs", "device": "tmpfs", "o": "size=1m,noexec"])
        XCTAssertEqual(a.type, "tmpfs")
        XCTAssertEqual(a.data, "size=1m")
    }
}
