/**
 * Named reasons a packet could not be decoded as far as its headers claim. Every packet ends
 * decoded or counted under one of these; nothing throws past the packet (STYLE.md §2).
 *
 * Codes are small integers so the hot path counts them in a typed array; the printable name is
 * derived from the key (IPV4_BAD_IHL → "ipv4-bad-ihl"), so the two can never drift apart.
 * "truncated" means the capture ends before a header does (a snap length or a cut file);
 * the other reasons are header fields that contradict the bytes.
 */
export const R = {
    NONE: 0,
    ETHERNET_TRUNCATED: 1,
    LLC_TRUNCATED: 2,
    VLAN_TRUNCATED: 3,
    VLAN_TOO_DEEP: 4,
    MPLS_TRUNCATED: 5,
    MPLS_TOO_DEEP: 6,
    PPPOE_TRUNCATED: 7,
    SLL_TRUNCATED: 8,
    SLL2_TRUNCATED: 9,
    LOOPBACK_TRUNCATED: 10,
    ARP_TRUNCATED: 11,
    IP_BAD_VERSION: 12,
    IPV4_TRUNCATED: 13,
    IPV4_BAD_IHL: 14,
    IPV4_BAD_TOTAL_LENGTH: 15,
    IPV4_BAD_OPTION: 16,
    IPV6_TRUNCATED: 17,
    IPV6_EXT_TRUNCATED: 18,
    IPV6_EXT_CHAIN_TOO_LONG: 19,
    IPV6_ZERO_PAYLOAD_LENGTH: 20,
    TCP_TRUNCATED: 21,
    TCP_BAD_DATA_OFFSET: 22,
    TCP_OPTIONS_TRUNCATED: 23,
    UDP_TRUNCATED: 24,
    UDP_BAD_LENGTH: 25,
    UDP_LENGTH_PAST_DATAGRAM: 26,
    ICMP_TRUNCATED: 27,
    ICMPV6_TRUNCATED: 28,
    IPV4_TOTAL_LENGTH_PAST_FRAME: 29,
    IPV6_PAYLOAD_LENGTH_PAST_FRAME: 30,
    AH_TRUNCATED: 31,
    MACSEC_TRUNCATED: 32,
    NSH_TRUNCATED: 33,
    NSH_BAD_LENGTH: 34,
    ENCAPSULATION_TOO_DEEP: 35,
    IPV6_BAD_OPTION: 36,
    FABRICPATH_TRUNCATED: 37,
    PBB_TRUNCATED: 38,
    VNTAG_TRUNCATED: 39,
    TCP_BAD_OPTION: 40,
    ARISTA_TRUNCATED: 41,
};
/** One past the largest code: the size of a per-reason counter array. */
export const REASON_COUNT = Math.max(...Object.values(R)) + 1;
const NAMES = new Array(REASON_COUNT).fill('');
for (const [key, code] of Object.entries(R))
    if (code !== R.NONE)
        NAMES[code] = key.toLowerCase().replace(/_/g, '-');
/** The printable name of a reason code ("" for NONE). */
export function reasonName(code) {
    return NAMES[code] ?? `reason-${code}`;
}
