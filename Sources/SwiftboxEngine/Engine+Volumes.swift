// A container's volumes, binds and tmpfs mounts through its life:
//   create  plan the mounts (flags, --volumes-from, the image's VOLUME entries), create
//           the named and anonymous volumes, record everything with the container — under
//           the volumes lock, so `volume rm` sees the new user or runs before it exists
//   start   mount volumes that have driver options, copy the image's files into empty
//           volumes once (copy-up), and turn the mounts into config.json entries
//   rm      `rm -v` and `run --rm` remove the container's anonymous volumes
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxKernel
import SwiftboxOCI

extension Engine {
    public var volumes: VolumeStore { VolumeStore(root: root) }

    // MARK: create

    /// The mounts a new container gets, without side effects (so bad input creates
    /// nothing): --volumes-from first, then -v/--mount/--tmpfs (a later flag with the
    /// same target is an error, as Docker's "Duplicate mount point"), then an anonymous
    /// volume for each image VOLUME no flag covers.
    func planMounts(_ o: RunOptions, imageVolumes: [String]) throws -> [ContainerMount] {
        var planned: [ContainerMount] = []
        var seen: Set<String> = []
        for m in o.mounts {
            let target = MountParser.clean(m.target)
            guard seen.insert(target).inserted else { throw EngineError.failed("Duplicate mount point: \(target)") }
            var m = m
            m.target = target
            if m.type == .bind, m.createHostPath != true, !FileSystem.exists(m.source) {
                throw EngineError.failed("invalid mount config for type \"bind\": bind source path does not exist: \(m.source)")
            }
            if m.type == .volume, let opts = m.volumeOptions { try VolumeOptions.validate(opts) }
            planned.append(m)
        }
        for spec in o.volumesFrom {
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            let mode = parts.count > 1 ? parts[1] : nil
            guard mode == nil || mode == "ro" || mode == "rw" else { throw EngineError.failed("invalid mode for volumes-from: \(mode!)") }
            let other = try store.config(try store.resolve(parts[0]))
            // Volumes and binds of the other container, unless a flag mounts something there.
            for var m in other.mounts ?? [] where m.type != .tmpfs && !seen.contains(m.target) {
                seen.insert(m.target)
                if let mode { m.readOnly = mode == "ro" }
                m.anonymous = nil          // still the other container's to remove
                m.noCopy = m.type == .volume ? true : nil   // its content is the other container's
                m.createHostPath = nil
                planned.append(m)
            }
        }
        for path in imageVolumes.sorted() where !seen.contains(MountParser.clean(path)) {
            let target = MountParser.clean(path)
            guard target != "/" else { continue }
            seen.insert(target)
            var m = ContainerMount(type: .volume, source: "", target: target)
            m.anonymous = true
            planned.append(m)
        }
        return planned
    }

    /// Create what the planned mounts need; returns them with volume names filled in and
    /// copy-up marked. Call under `volumes.withLock`. On error, removes what it created.
    func materializeMounts(_ planned: [ContainerMount]) throws -> [ContainerMount] {
        var created: [String] = []
        do {
            var result: [ContainerMount] = []
            for var m in planned {
                switch m.type {
                case .volume:
                    if m.source.isEmpty {
                        m.source = try volumes.createAnonymous().Name
                        created.append(m.source)
                    } else if volumes.get(m.source) == nil {
                        try volumes.create(m.source, options: m.volumeOptions ?? [:])
                        created.append(m.source)
                    }
                    // Docker copies at create when the volume is empty; we copy at the first
                    // start, when the image's files are mounted, under the same condition.
                    if m.noCopy != true { m.copyUpPending = true }
                case .bind:
                    if m.createHostPath == true && !FileSystem.exists(m.source) {
                        try FileSystem.makeDirectories(m.source)
                    }
                case .tmpfs: break
                }
                result.append(m)
            }
            return result
        } catch {
            for name in created { try? volumes.remove(name, users: []) }
            throw error
        }
    }

    // MARK: start

    /// Before config.json is written: mount volumes that have driver options and copy
    /// the image's files into empty volumes. Runs in the monitor, rootfs mounted.
    func prepareMounts(_ c: EngineContainer, rootfs: String) throws -> EngineContainer {
        guard let mounts = c.mounts, !mounts.isEmpty else { return c }
        var c = c
        try volumes.withLock {
            var changed = false
            for i in mounts.indices where mounts[i].type == .volume {
                let data = try volumes.prepareForUse(mounts[i].source)
                defer { if let remap = c.usernsRemap { try? giveEmptyVolume(data, to: remap) } }
                guard mounts[i].copyUpPending == true else { continue }
                if TreeCopy.isEmptyDirectory(data) {
                    try TreeCopy.copy(rootfs: rootfs, path: mounts[i].target, to: data)
                }
                c.mounts?[i].copyUpPending = nil
                changed = true
            }
            if changed { try store.save(c) }
        }
        return c
    }

    // MARK: remove

    /// The containers (IDs) whose mounts use volume `name`.
    public func volumeUsers(_ name: String) -> [String] { allVolumeUsers()[name] ?? [] }

    /// Volume name → the containers (IDs) that mount it, from one pass over the
    /// containers' records (callers that ask about every volume read each record once).
    public func allVolumeUsers() -> [String: [String]] {
        var users: [String: [String]] = [:]
        for id in FileSystem.listDirectory(store.containersDir) {
            for name in Set(((try? store.config(id))?.mounts ?? []).filter { $0.type == .volume }.map(\.source)) {
                users[name, default: []].append(id)
            }
        }
        return users
    }

    /// Remove a removed container's anonymous volumes that no other container uses.
    func removeAnonymousVolumes(of c: EngineContainer) {
        let names = (c.mounts ?? []).filter { $0.type == .volume && $0.anonymous == true }.map(\.source)
        guard !names.isEmpty else { return }
        _ = try? volumes.withLock {
            let users = allVolumeUsers()
            for name in names where volumes.get(name)?.isAnonymous == true {
                try? volumes.remove(name, users: users[name] ?? [])
            }
        }
    }
}

extension Engine {
    // MARK: prune

    /// Remove unused volumes: anonymous ones only, or all unused with `all` (Docker 23+),
    /// filtered by `label=KEY[=VALUE]` / `label!=…` expressions. Returns names and bytes freed.
    public func pruneVolumes(all: Bool, labels: [String]) throws -> (names: [String], bytes: Int64) {
        try volumes.withLock {
            var names: [String] = []
            var bytes: Int64 = 0
            let users = allVolumeUsers()
            for v in volumes.list() where (all || v.isAnonymous) && VolumeFilter.matchesLabels(v, labels) {
                guard users[v.Name] == nil else { continue }
                let size = DiskUsage.bytes(v.Mountpoint)
                try volumes.remove(v.Name, users: [])
                names.append(v.Name)
                bytes += size
            }
            return (names, bytes)
        }
    }
}

/// `volume ls --filter` and `volume prune --filter` expressions.
public enum VolumeFilter {
    /// label=KEY, label=KEY=VALUE, label!=KEY, label!=KEY=VALUE (all must hold).
    public static func matchesLabels(_ v: Volume, _ filters: [String]) -> Bool {
        filters.allSatisfy { f in
            let negate = f.hasPrefix("!")
            let kv = (negate ? String(f.dropFirst()) : f).split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = kv.first else { return true }
            let hit = kv.count == 1 ? v.Labels[key] != nil : v.Labels[key] == kv[1]
            return negate ? !hit : hit
        }
    }
}
