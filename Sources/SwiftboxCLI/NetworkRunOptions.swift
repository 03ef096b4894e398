// The networking flags of `run` and `create` (docker-run(1) "Network settings").
import ArgumentParser
import SwiftboxEngine

struct NetworkRunOptions: ParsableArguments {
    @Option(name: [.customLong("network"), .customLong("net")],
            help: "bridge (the default) | NAME | none | host | container:NAME; repeat for more networks (eth0, eth1, …).")
    var network: [String] = []
    @Option(help: "IPv4 address on the (first) network; it needs a user network with --subnet.") var ip: String?
    @Option(name: [.customLong("network-alias"), .customLong("net-alias")], help: "Another DNS name on the network.")
    var networkAlias: [String] = []
    @Option(name: [.short, .customLong("publish")], help: "[IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], ranges allowed.")
    var publish: [String] = []
    @Flag(name: [.customShort("P"), .customLong("publish-all")], help: "Publish every EXPOSEd port on a free host port (the first from the start of ip_local_port_range).")
    var publishAll = false
    @Option(help: "A DNS server for the container.") var dns: [String] = []
    @Option(name: .customLong("dns-search"), help: "A DNS search domain.") var dnsSearch: [String] = []
    @Option(name: .customLong("dns-option"), help: "A resolv.conf option.") var dnsOption: [String] = []
    @Option(name: .customLong("add-host"), help: "HOST:IP in /etc/hosts (IP may be host-gateway).") var addHost: [String] = []

    func apply(to o: inout RunOptions) throws {
        o.networks = network
        o.ip = ip
        o.networkAliases = networkAlias
        o.publish = publish
        o.publishAll = publishAll
        o.dns = dns
        o.dnsSearch = dnsSearch
        o.dnsOptions = dnsOption
        o.addHosts = addHost
    }
}
