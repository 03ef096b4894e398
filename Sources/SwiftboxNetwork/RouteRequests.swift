// The rtnetlink requests swiftbox sends, as pure functions from arguments to a message,
// so unit tests can pin their bytes. The comments give the `ip` command each one
// stands for (ip-link(8), ip-address(8), ip-route(8)).
public enum RouteRequests {
    static let create = NL.NLM_F_REQUEST | NL.NLM_F_ACK | NL.NLM_F_CREATE | NL.NLM_F_EXCL
    static let change = NL.NLM_F_REQUEST | NL.NLM_F_ACK

    /// ip link add NAME [address MAC] type bridge
    public static func newBridge(name: String, mtu: UInt32? = nil, address: [UInt8]? = nil) -> NetlinkMessage {
        var attrs = NetlinkAttributes()
        attrs.add(NL.IFLA_IFNAME, string: name)
        if let mtu { attrs.add(NL.IFLA_MTU, u32: mtu) }
        if let address { attrs.add(NL.IFLA_ADDRESS, address) }
        var info = NetlinkAttributes()
        info.add(NL.IFLA_INFO_KIND, string: "bridge")
        attrs.add(NL.IFLA_LINKINFO, nested: info)
        return NetlinkMessage(type: NL.RTM_NEWLINK, flags: create, payload: NetlinkMessage.ifinfomsg() + attrs.bytes)
    }

    /// ip link add NAME [mtu M] [master BRIDGE] type veth peer name PEER [address MAC] netns FD
    /// The peer is created directly in the container's namespace (IFLA_NET_NS_FD inside
    /// VETH_INFO_PEER), so its name ("eth0") never meets the host's names.
    public static func newVeth(name: String, peer: String, peerNamespaceFD: Int32?, peerMAC: [UInt8]? = nil,
                               mtu: UInt32? = nil, master: Int32? = nil) -> NetlinkMessage {
        var peerAttrs = NetlinkAttributes()
        peerAttrs.add(NL.IFLA_IFNAME, string: peer)
        if let mtu { peerAttrs.add(NL.IFLA_MTU, u32: mtu) }
        if let peerMAC { peerAttrs.add(NL.IFLA_ADDRESS, peerMAC) }
        if let fd = peerNamespaceFD { peerAttrs.add(NL.IFLA_NET_NS_FD, u32: UInt32(bitPattern: fd)) }
        var data = NetlinkAttributes()
        data.add(NL.VETH_INFO_PEER, NetlinkMessage.ifinfomsg() + peerAttrs.bytes)
        var info = NetlinkAttributes()
        info.add(NL.IFLA_INFO_KIND, string: "veth")
        info.add(NL.IFLA_INFO_DATA, nested: data)
        var attrs = NetlinkAttributes()
        attrs.add(NL.IFLA_IFNAME, string: name)
        if let mtu { attrs.add(NL.IFLA_MTU, u32: mtu) }
        if let master { attrs.add(NL.IFLA_MASTER, u32: UInt32(bitPattern: master)) }
        attrs.add(NL.IFLA_LINKINFO, nested: info)
        return NetlinkMessage(type: NL.RTM_NEWLINK, flags: create, payload: NetlinkMessage.ifinfomsg() + attrs.bytes)
    }

    /// ip link set dev INDEX up|down [mtu M] [master BRIDGE] [netns FD|PID]
    public static func setLink(index: Int32, up: Bool? = nil, mtu: UInt32? = nil, master: Int32? = nil,
                               namespaceFD: Int32? = nil, namespacePID: Int32? = nil) -> NetlinkMessage {
        var attrs = NetlinkAttributes()
        if let mtu { attrs.add(NL.IFLA_MTU, u32: mtu) }
        if let master { attrs.add(NL.IFLA_MASTER, u32: UInt32(bitPattern: master)) }
        if let namespaceFD { attrs.add(NL.IFLA_NET_NS_FD, u32: UInt32(bitPattern: namespaceFD)) }
        if let namespacePID { attrs.add(NL.IFLA_NET_NS_PID, u32: UInt32(bitPattern: namespacePID)) }
        let header = NetlinkMessage.ifinfomsg(index: index, flags: up == true ? NL.IFF_UP : 0, change: up == nil ? 0 : NL.IFF_UP)
        return NetlinkMessage(type: NL.RTM_NEWLINK, flags: change, payload: header + attrs.bytes)
    }

    /// ip link del NAME
    public static func deleteLink(name: String) -> NetlinkMessage {
        var attrs = NetlinkAttributes()
        attrs.add(NL.IFLA_IFNAME, string: name)
        return NetlinkMessage(type: NL.RTM_DELLINK, flags: change, payload: NetlinkMessage.ifinfomsg() + attrs.bytes)
    }

    /// ip link show NAME (the reply's ifinfomsg carries the index)
    public static func getLink(name: String) -> NetlinkMessage {
        var attrs = NetlinkAttributes()
        attrs.add(NL.IFLA_IFNAME, string: name)
        return NetlinkMessage(type: NL.RTM_GETLINK, flags: NL.NLM_F_REQUEST, payload: NetlinkMessage.ifinfomsg() + attrs.bytes)
    }

    /// ip addr add ADDRESS/PREFIX broadcast BRD dev INDEX
    public static func addAddress(index: Int32, address: IPv4Address, prefix: Int) -> NetlinkMessage {
        let subnet = IPv4Subnet(address: address, prefix: prefix)
        var attrs = NetlinkAttributes()
        attrs.add(NL.IFA_LOCAL, address.bytes)
        attrs.add(NL.IFA_ADDRESS, address.bytes)
        if prefix < 31 { attrs.add(NL.IFA_BROADCAST, subnet.broadcast.bytes) }
        return NetlinkMessage(type: NL.RTM_NEWADDR, flags: create,
                              payload: NetlinkMessage.ifaddrmsg(prefix: UInt8(prefix), index: index) + attrs.bytes)
    }

    /// ip route add default via GATEWAY dev INDEX
    public static func addDefaultRoute(gateway: IPv4Address, index: Int32) -> NetlinkMessage {
        var attrs = NetlinkAttributes()
        attrs.add(NL.RTA_GATEWAY, gateway.bytes)
        attrs.add(NL.RTA_OIF, u32: UInt32(bitPattern: index))
        return NetlinkMessage(type: NL.RTM_NEWROUTE, flags: create, payload: NetlinkMessage.rtmsg(dstLen: 0) + attrs.bytes)
    }

    /// ip -4 addr show (a dump of every IPv4 address on every link)
    public static func dumpAddresses() -> NetlinkMessage {
        NetlinkMessage(type: NL.RTM_GETADDR, flags: NL.NLM_F_REQUEST | NL.NLM_F_DUMP,
                       payload: [NL.AF_INET, 0, 0, 0] + le32(0))
    }

    /// ip -4 route show table all (a dump)
    public static func dumpRoutes() -> NetlinkMessage {
        NetlinkMessage(type: NL.RTM_GETROUTE, flags: NL.NLM_F_REQUEST | NL.NLM_F_DUMP,
                       payload: NetlinkMessage.rtmsg(dstLen: 0, table: 0, proto: 0, routeType: 0))
    }
}
