// Where the embedded DNS runs without a daemon: one small process per user network
// (`swiftbox network dns-serve ID`, hidden), listening on the network's gateway
// address, port 53. The first container to start on the network starts it (and waits
// until it is bound); it exits on its own once no container on the network runs for
// two seconds, or when the network is removed. Containers' /etc/resolv.conf names the
// gateway. Why not one per monitor: N monitors on one address would need SO_REUSEPORT
// and each would hold its own copy of the server; why not 127.0.0.11 inside each
// container as Docker does: that needs a listener (or DNAT rules) in every container's
// namespace. Starting it costs one exec of swiftbox (38–61 ms to "bound" on the
// loaded test machine, where `swiftbox --version` alone took 40 ms) once per network,
// nothing for later containers; see docs/networking.md.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SwiftboxKernel
import SwiftboxNetwork

extension Engine {
    func dnsPidFile(_ networkID: String) -> String { networks.store.dir + "/" + networkID + ".dns" }

    /// The network's DNS server, when one runs: its pid file names it (pid and start time).
    func runningDNS(_ networkID: String) -> Int32? {
        guard let text = try? FileSystem.readString(dnsPidFile(networkID)) else { return nil }
        let f = text.split(separator: " ")
        guard f.count == 2, let pid = Int32(f[0]), Processes.isAlive(pid, startTime: UInt64(f[1])) else { return nil }
        return pid
    }

    /// The network was removed: its DNS server goes now, not at its next look (up to
    /// two seconds later). Until then its socket would keep the gateway address bound,
    /// and a new network given the same subnet could not serve DNS on it.
    func stopDNS(_ networkID: String) {
        if let pid = runningDNS(networkID) { Glibc.kill(pid, SIGTERM) }
        unlink(dnsPidFile(networkID))
    }

    /// Start the network's DNS server unless one runs; returns when it answers.
    func ensureDNS(_ n: NetworkRecord) throws {
        if runningDNS(n.id) != nil { return }
        let reader: Int32
        do {
            reader = try DetachedProcess.spawn(executable, [executable, "network", "dns-serve", "--root", root, n.id]).reader
        } catch let e as KernelError {
            throw EngineError.failed("cannot start the DNS server of \(n.name): \(Errno.message(e.errno))")
        }
        var reply: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 512)
        while true {
            let r = read(reader, &buf, buf.count)
            if r > 0 { reply += buf[0..<r]; continue }
            if r < 0 && errno == EINTR { continue }
            break
        }
        close(reader)
        let text = String(decoding: reply, as: UTF8.self)
        guard text.hasPrefix("ok") else {
            throw EngineError.failed("the DNS server of network \(n.name) did not start: \(text.isEmpty ? "it exited" : text.trimmed())")
        }
    }

    /// The DNS server process (never returns). Replies "ok" on readyFD once bound, or
    /// once it finds another server bound to the address already.
    public func serveDNS(networkID: String, readyFD: Int32) -> Never {
        func ready(_ s: String) { _ = s.withCString { write(readyFD, $0, strlen($0)) }; close(readyFD) }
        let store = networks.store
        guard let n = try? store.find(networkID) else { ready("error no such network\n"); exit(1) }
        var strikes = 0
        let server = DNSServer(
            listen: n.gateway,
            lookup: { name, client in self.resolve(name, client: client, networkID: n.id) },
            upstreams: { client in self.upstreams(client: client, networkID: n.id) },
            shouldExit: {
                guard let current = try? store.find(n.id) else { return true }
                let running = current.endpoints.keys.contains { self.isRunning($0) }
                strikes = running ? 0 : strikes + 1
                return strikes >= 2
            })
        // The address may be taken by this network's server (started by a container
        // starting at the same moment: it serves, we go), or by the server of a removed
        // network that had the same subnet and is on its way out: then we wait for it.
        var fd: Int32 = -1
        let deadline = Processes.monotonicMs() + 3000
        while fd < 0 {
            do { fd = try server.bind() } catch let e as KernelError where e.errno == EADDRINUSE {
                if runningDNS(n.id) != nil || Processes.monotonicMs() >= deadline {
                    ready("ok (already served)\n")
                    exit(0)
                }
                usleep(20_000)
            } catch {
                ready("error \(error)\n")
                exit(1)
            }
        }
        let me = "\(getpid()) \(Processes.stat(getpid())?.startTime ?? 0)"
        try? FileSystem.writeAtomically(dnsPidFile(n.id), Array(me.utf8), fsync: false)
        ready("ok\n")
        signal(SIGPIPE, SIG_IGN)
        // Mostly idle from here, like a monitor: give back the start-up's executable pages.
        ResidentPages.releaseExecutablePages()
        server.serve(fd)
        if (try? FileSystem.readString(dnsPidFile(n.id))) == me { unlink(dnsPidFile(n.id)) }
        exit(0)
    }

    /// A name as the container at `client` sees it: container names, short IDs and
    /// aliases of running containers on any network it shares with them.
    func resolve(_ name: String, client: IPv4Address, networkID: String) -> [IPv4Address]? {
        let all = networks.store.all()
        let querier = all.first { $0.id == networkID }?.endpoints.values.first { $0.address == client }?.containerID
        let scope = all.filter { n in n.id == networkID || (querier.map { n.endpoints[$0] != nil } ?? false) }
        var found: [IPv4Address] = []
        for n in scope where !n.isDefault {
            for e in n.endpoints.values where e.containerName.lowercased() == name || e.containerID.prefix(12) == name
                || e.aliases.contains(where: { $0.lowercased() == name }) {
                if isRunning(e.containerID) && !found.contains(e.address) { found.append(e.address) }
            }
        }
        return found.isEmpty ? nil : found
    }

    /// The container's --dns servers, else the host's resolvers.
    func upstreams(client: IPv4Address, networkID: String) -> [IPv4Address] {
        let n = try? networks.store.find(networkID)
        if let cid = n?.endpoints.values.first(where: { $0.address == client })?.containerID,
           let dns = (try? store.config(cid))?.dns, !dns.isEmpty {
            return dns.compactMap { IPv4Address($0) }
        }
        return HostResolvers.upstream()
    }
}
