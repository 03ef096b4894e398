import XCTest
@testable import SwiftboxNetwork

/// The bytes of each rtnetlink request, checked against the layouts in rtnetlink(7)
/// and what `ip` sends (compared with `strace -e sendmsg -xx ip …` on this machine).
final class NetlinkMessageTests: XCTestCase {
    func testDeleteLinkBytes() {
        let m = RouteRequests.deleteLink(name: "eth0").encode(seq: 1)
        XCTAssertEqual(m, [
            44, 0, 0, 0,  17, 0,  5, 0,  1, 0, 0, 0,  0, 0, 0, 0,   // nlmsghdr: len, RTM_DELLINK, REQUEST|ACK, seq, pid
            0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,      // ifinfomsg: all zero (by name)
            9, 0, 3, 0,  0x65, 0x74, 0x68, 0x30, 0,  0, 0, 0,      // IFLA_IFNAME "eth0\0" + padding
        ])
    }

    /// `ip -4 addr show`: a dump of ifaddrmsg for AF_INET (IPAM reads every address's
    /// subnet, so a subnet with an address but no route is not taken either).
    func testAddressDumpBytes() {
        let m = RouteRequests.dumpAddresses().encode(seq: 3)
        XCTAssertEqual(m, [
            24, 0, 0, 0,  22, 0,  0x01, 0x03,  3, 0, 0, 0,  0, 0, 0, 0,   // RTM_GETADDR, REQUEST|DUMP
            2, 0, 0, 0,  0, 0, 0, 0,                                       // ifaddrmsg: AF_INET, all links
        ])
    }

    func testDefaultRouteBytes() {
        let m = RouteRequests.addDefaultRoute(gateway: IPv4Address("172.17.0.1")!, index: 5).encode(seq: 7)
        XCTAssertEqual(m, [
            44, 0, 0, 0,  24, 0,  0x05, 0x06,  7, 0, 0, 0,  0, 0, 0, 0,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
            2, 0, 0, 0,  254, 3, 0, 1,  0, 0, 0, 0,                      // rtmsg: AF_INET /0, main, boot, universe, unicast
            8, 0, 5, 0,  172, 17, 0, 1,                                  // RTA_GATEWAY (network order)
            8, 0, 4, 0,  5, 0, 0, 0,                                     // RTA_OIF
        ])
    }

    func testAddAddressBytes() {
        let m = RouteRequests.addAddress(index: 3, address: IPv4Address("10.1.2.3")!, prefix: 24).encode(seq: 2)
        XCTAssertEqual(Array(m[16..<24]), [2, 24, 0, 0, 3, 0, 0, 0])     // ifaddrmsg
        let attrs = NetlinkMessage.attributes(m[24...])
        XCTAssertEqual(Array(attrs[NL.IFA_LOCAL]!), [10, 1, 2, 3])
        XCTAssertEqual(Array(attrs[NL.IFA_ADDRESS]!), [10, 1, 2, 3])
        XCTAssertEqual(Array(attrs[NL.IFA_BROADCAST]!), [10, 1, 2, 255])
        XCTAssertEqual(m.count, 24 + 3 * 8)
    }

    func testSetLinkUpBytes() {
        let m = RouteRequests.setLink(index: 9, up: true).encode(seq: 3)
        XCTAssertEqual(Array(m[0..<8]), [32, 0, 0, 0, 16, 0, 5, 0])
        XCTAssertEqual(Array(m[16...]), [0, 0, 0, 0,  9, 0, 0, 0,  1, 0, 0, 0,  1, 0, 0, 0])   // index 9, flags UP, change UP
        let down = RouteRequests.setLink(index: 9, up: false).encode(seq: 3)
        XCTAssertEqual(Array(down[24...]), [0, 0, 0, 0,  1, 0, 0, 0])
    }

    func testVethNestsThePeerWithItsNamespace() {
        let m = RouteRequests.newVeth(name: "vsbabc", peer: "eth0", peerNamespaceFD: 7, peerMAC: [2, 0x42, 172, 18, 0, 2], master: 4)
        XCTAssertEqual(m.type, NL.RTM_NEWLINK)
        XCTAssertEqual(m.flags, 0x605)
        let top = NetlinkMessage.attributes(m.payload[16...])
        XCTAssertEqual(Array(top[NL.IFLA_IFNAME]!), Array("vsbabc\0".utf8))
        XCTAssertEqual(Array(top[NL.IFLA_MASTER]!), [4, 0, 0, 0])
        let info = NetlinkMessage.attributes(top[NL.IFLA_LINKINFO]!)
        XCTAssertEqual(Array(info[NL.IFLA_INFO_KIND]!), Array("veth\0".utf8))
        let data = NetlinkMessage.attributes(info[NL.IFLA_INFO_DATA]!)
        let peer = data[NL.VETH_INFO_PEER]!
        XCTAssertEqual(Array(peer.prefix(16)), [UInt8](repeating: 0, count: 16))   // the peer's own ifinfomsg
        let peerAttrs = NetlinkMessage.attributes(peer.dropFirst(16))
        XCTAssertEqual(Array(peerAttrs[NL.IFLA_IFNAME]!), Array("eth0\0".utf8))
        XCTAssertEqual(Array(peerAttrs[NL.IFLA_NET_NS_FD]!), [7, 0, 0, 0])
        XCTAssertEqual(Array(peerAttrs[NL.IFLA_ADDRESS]!), [2, 0x42, 172, 18, 0, 2])
        // The length in each header covers its payload, and the message is 4-aligned.
        XCTAssertEqual(m.encode(seq: 1).count % 4, 0)
    }

    func testBridgeBytes() {
        let m = RouteRequests.newBridge(name: "br0")
        let top = NetlinkMessage.attributes(m.payload[16...])
        XCTAssertEqual(Array(NetlinkMessage.attributes(top[NL.IFLA_LINKINFO]!)[NL.IFLA_INFO_KIND]!), Array("bridge\0".utf8))
        XCTAssertEqual(m.encode(seq: 1).count, 16 + 16 + 8 + 4 + 12)   // ifname "br0\0"; linkinfo{kind "bridge\0"+pad}
        // With its own MAC (so it does not follow its ports'): IFLA_ADDRESS, 6 bytes + pad.
        let fixed = RouteRequests.newBridge(name: "br0", address: [2, 0x42, 172, 18, 0, 1])
        XCTAssertEqual(Array(NetlinkMessage.attributes(fixed.payload[16...])[NL.IFLA_ADDRESS]!), [2, 0x42, 172, 18, 0, 1])
        XCTAssertEqual(fixed.encode(seq: 1).count, 16 + 16 + 8 + 4 + 12 + 12)
    }

    func testParseSplitsMessagesAndReadsErrors() {
        // Two messages back to back: an NLMSG_ERROR carrying -EEXIST (17), then DONE.
        var buf = le32(36) + le16(NL.NLMSG_ERROR) + le16(0) + le32(1) + le32(0) + le32(UInt32(bitPattern: -17))
        buf += [UInt8](repeating: 0, count: 16)
        buf += le32(20) + le16(NL.NLMSG_DONE) + le16(2) + le32(1) + le32(0) + le32(0)
        let msgs = NetlinkMessage.parse(buf[...])
        XCTAssertEqual(msgs.map(\.type), [NL.NLMSG_ERROR, NL.NLMSG_DONE])
        XCTAssertEqual(Int32(bitPattern: readLE32(msgs[0].payload[...], 0)), -17)
    }

    func testHostLinkNamesFitIFNAMSIZ() {
        let id = String(repeating: "ab", count: 32)
        for i in 0..<20 { XCTAssertLessThanOrEqual(BridgeDriver.hostLinkName(containerID: id, index: i).utf8.count, 15) }
        XCTAssertNotEqual(BridgeDriver.hostLinkName(containerID: id, index: 0), BridgeDriver.hostLinkName(containerID: id, index: 1))
    }
}
