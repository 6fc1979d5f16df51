/**
 * Display names for protocol numbers, used only when output is made. Names follow IANA's
 * registries in lowercase, as tshark's protocol filter names do.
 */
/** IANA "Assigned Internet Protocol Numbers". */
const IP_PROTOCOL_NAMES = new Map([
    [1, 'icmp'],
    [2, 'igmp'],
    [4, 'ipip'],
    [6, 'tcp'],
    [17, 'udp'],
    [41, 'ipv6-in-ip'],
    [46, 'rsvp'],
    [47, 'gre'],
    [50, 'esp'],
    [51, 'ah'],
    [58, 'icmpv6'],
    [59, 'ipv6-nonxt'],
    [88, 'eigrp'],
    [89, 'ospf'],
    [103, 'pim'],
    [112, 'vrrp'],
    [115, 'l2tp'],
    [132, 'sctp'],
    [135, 'mobility'],
    [136, 'udplite'],
]);
export function ipProtocolName(proto) {
    return IP_PROTOCOL_NAMES.get(proto) ?? `ip-proto-${proto}`;
}
/** IEEE "EtherType" registry entries commonly seen on a LAN that wirestat does not decode. */
const ETHERTYPE_NAMES = new Map([
    [0x0842, 'wake-on-lan'],
    [0x22f0, 'avtp'],
    [0x8035, 'rarp'],
    [0x809b, 'appletalk'],
    [0x80f3, 'aarp'],
    [0x8137, 'ipx'],
    [0x8808, 'ethernet-flow-control'],
    [0x8809, 'slow-protocols'],
    [0x8863, 'pppoe-discovery'],
    [0x888e, 'eapol'],
    [0x8892, 'profinet'],
    [0x889a, 'hyperscsi'],
    [0x88a2, 'aoe'],
    [0x88a4, 'ethercat'],
    [0x88b5, 'local-experimental'],
    [0x88cc, 'lldp'],
    [0x88e5, 'macsec'],
    [0x88e7, 'pbb'],
    [0x88f7, 'ptp'],
    [0x8902, 'cfm'],
    [0x8906, 'fcoe'],
    [0x8914, 'fip'],
    [0x9000, 'loopback'],
]);
export function etherTypeName(type) {
    return ETHERTYPE_NAMES.get(type) ?? `ethertype-0x${type.toString(16).padStart(4, '0')}`;
}
