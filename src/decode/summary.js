/**
 * The one preallocated result of decoding a packet. A parser owns a single PacketSummary and
 * refills it for every packet (no allocation per packet); whatever must outlive the packet is
 * copied out of it by the stats layer. All fields are numbers or booleans, so V8 keeps the
 * object's shape fixed and its fields unboxed.
 */
import { R } from './reasons.js';
/** Layers seen in the packet, as bits, for the protocol breakdown. */
export const L = {
    ETHERNET: 1 << 0,
    LLC: 1 << 1,
    VLAN: 1 << 2,
    MPLS: 1 << 3,
    PPPOE: 1 << 4,
    LINUX_SLL: 1 << 5,
    LINUX_SLL2: 1 << 6,
    LOOPBACK: 1 << 7,
    ARP: 1 << 8,
    IPV4: 1 << 9,
    IPV6: 1 << 10,
    TCP: 1 << 11,
    UDP: 1 << 12,
    ICMP: 1 << 13,
    ICMPV6: 1 << 14,
    FRAGMENT: 1 << 15,
    /** Decoding stopped at a protocol wirestat does not decode further (see etherType/ipProto). */
    OTHER: 1 << 16,
    /** The record's link type is not one wirestat decodes. */
    UNSUPPORTED_LINKTYPE: 1 << 17,
    RAW: 1 << 18,
    MACSEC: 1 << 19,
    NSH: 1 << 20,
    MAC_IN_MAC: 1 << 21,
};
/** Names of the layer bits as they appear in the report, in bit order. */
export const LAYER_NAMES = [
    'ethernet',
    'llc',
    'vlan',
    'mpls',
    'pppoe',
    'linux_sll',
    'linux_sll2',
    'loopback',
    'arp',
    'ipv4',
    'ipv6',
    'tcp',
    'udp',
    'icmp',
    'icmpv6',
    'fragment',
    'other',
    'unsupported_linktype',
    'raw_ip',
    'macsec',
    'nsh',
    'mac_in_mac',
];
/** IP protocol numbers wirestat decodes past the IP header (IANA protocol numbers). */
export const IPPROTO = {
    HOPOPTS: 0,
    ICMP: 1,
    TCP: 6,
    UDP: 17,
    ROUTING: 43,
    FRAGMENT: 44,
    ESP: 50,
    AH: 51,
    ICMPV6: 58,
    NONE: 59,
    DSTOPTS: 60,
};
export class PacketSummary {
    // --- record ---
    ts = 0;
    hasTs = true;
    caplen = 0;
    wirelen = 0;
    linktype = 0;
    ifIndex = 0;
    /** Bitwise OR of L.* for every layer present. */
    layers = 0;
    /** R.* code of the first problem found; R.NONE when decoding was clean. */
    reason = R.NONE;
    /** True when the problem stopped decoding (the layers after it are unknown). */
    fatal = false;
    // --- link layer ---
    hasSrcMac = false;
    hasDstMac = false;
    /** MAC addresses as the top 16 and bottom 32 bits of 48. */
    srcMacHi = 0;
    srcMacLo = 0;
    dstMacHi = 0;
    dstMacLo = 0;
    /** Number of 802.1Q/802.1ad tags, and the outermost VLAN ID (-1 without tags). */
    vlanDepth = 0;
    vlanId = -1;
    /** Last EtherType (or PPP/SLL protocol mapped to one) that was dispatched on. */
    etherType = -1;
    // --- network layer: the outermost IP header ---
    /** 0 (no IP), 4 or 6. */
    ipVersion = 0;
    /** Addresses as 32-bit words, network order; IPv4 uses word 0, the rest are 0. Valid only
     *  when ipVersion is not 0. */
    src = new Uint32Array(4);
    dst = new Uint32Array(4);
    /** Transport protocol after any IPv6 extension headers; -1 when there is none. */
    ipProto = -1;
    /** Any fragment (MF set or offset non-zero). */
    fragment = false;
    /** A fragment other than the first: it carries no transport header. */
    laterFragment = false;
    /** Buffer offset of the transport header, and where the IP datagram ends on the wire. */
    l4Offset = 0;
    l4WireEnd = 0;
    // --- transport layer ---
    hasPorts = false;
    srcPort = 0;
    dstPort = 0;
    /** TCP flag byte (CWR…FIN) plus NS as bit 8. */
    tcpFlags = 0;
    tcpSeq = 0;
    tcpAck = 0;
    tcpWindow = 0;
    /** Transport payload length on the wire, from IP lengths (not from what was captured). */
    payloadLen = 0;
    icmpType = -1;
    icmpCode = -1;
    /** Clears every field for the next packet. */
    reset() {
        this.layers = 0;
        this.reason = R.NONE;
        this.fatal = false;
        this.hasSrcMac = false;
        this.hasDstMac = false;
        this.vlanDepth = 0;
        this.vlanId = -1;
        this.etherType = -1;
        // src/dst are written whole by the IP decoders; ipVersion 0 says they mean nothing.
        this.ipVersion = 0;
        this.ipProto = -1;
        this.fragment = false;
        this.laterFragment = false;
        this.hasPorts = false;
        this.srcPort = 0;
        this.dstPort = 0;
        this.tcpFlags = 0;
        this.payloadLen = 0;
        this.icmpType = -1;
        this.icmpCode = -1;
    }
    /** Records a problem. A fatal one ends decoding; the first problem found is the one kept. */
    fail(reason, fatal = true) {
        if (this.reason === R.NONE)
            this.reason = reason;
        if (fatal)
            this.fatal = true;
    }
}
