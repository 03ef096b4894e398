// `run`/`create` flags for volumes, binds and tmpfs mounts, parsed as Docker's CLI parses
// them (MountParser) so a bad one is refused before anything is created.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxEngine

struct MountOptions: ParsableArguments {
    @Option(name: [.short, .customLong("volume")], help: "[NAME:|HOST-DIR:]CONTAINER-PATH[:ro|rw|nocopy|PROPAGATION]; repeatable.")
    var volume: [String] = []
    @Option(name: .customLong("mount"), help: "type=volume|bind|tmpfs,source=…,target=…[,readonly][,…]; repeatable.")
    var mount: [String] = []
    @Option(name: .customLong("tmpfs"), help: "CONTAINER-PATH[:size=64m,mode=1777,…]; repeatable.")
    var tmpfs: [String] = []
    @Option(name: .customLong("volumes-from"), help: "CONTAINER[:ro|rw]: mount its volumes and binds; repeatable.")
    var volumesFrom: [String] = []

    func apply(to o: inout RunOptions) throws {
        let cwd = currentDirectory()
        do {
            o.mounts += try volume.map { try MountParser.parseVolumeFlag($0, cwd: cwd) }
            o.mounts += try mount.map { try MountParser.parseMountFlag($0, cwd: cwd) }
            o.mounts += try tmpfs.map { try MountParser.parseTmpfsFlag($0) }
        } catch let e as MountSyntaxError {
            throw ValidationError(e.message)
        } catch let e as VolumeError {
            throw ValidationError(e.description)
        }
        o.volumesFrom = volumesFrom
    }

    func currentDirectory() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        return getcwd(&buf, buf.count) != nil ? String(cString: buf) : "/"
    }
}
