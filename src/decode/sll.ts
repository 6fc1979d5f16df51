/**
 * Linux "cooked" captures (tcpdump -i any): LINUX_SLL (16-byte header) and LINUX_SLL2 (20 bytes,
 * adds the interface index). https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and
 * LINKTYPE_LINUX_SLL2.html. Only the sender's link-layer address is recorded.
 */
import { u16be } from '../bytes.js';
import { ETHERTYPE_LLC, macHi, macLo, MIN_ETHERTYPE } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const SLL = { PKTTYPE: 0, HATYPE: 2, HALEN: 4, ADDR: 6, PROTOCOL: 14, HEADER_LEN: 16 } as const;
export const SLL2 = { PROTOCOL: 0, IFINDEX: 4, HATYPE: 8, PKTTYPE: 10, HALEN: 11, ADDR: 12, HEADER_LEN: 20 } as const;

/** ARPHRD_ values (linux/if_arp.h) whose address is a 6-byte MAC. */
const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
/** ARPHRD_NETLINK: the protocol field is a netlink family, not an EtherType. */
const ARPHRD_NETLINK = 824;
const MAC_LEN = 6;
/** Linux ETH_P_802_2: the payload is an 802.2 LLC frame. */
const LINUX_ETH_P_802_2 = 0x0004;

/** Maps the SLL protocol field to the EtherType the dispatcher understands. */
function sllProtocol(protocol: number, hatype: number): number {
  if (hatype === ARPHRD_NETLINK) return -1;
  if (protocol >= MIN_ETHERTYPE) return protocol;
  if (protocol === LINUX_ETH_P_802_2) return ETHERTYPE_LLC;
  return -1;
}

function sender(b: Uint8Array, addr: number, halen: number, hatype: number, s: PacketSummary): void {
  if (halen === MAC_LEN && (hatype === ARPHRD_ETHER || hatype === ARPHRD_LOOPBACK)) {
    s.hasSrcMac = true;
    s.srcMacHi = macHi(b, addr);
    s.srcMacLo = macLo(b, addr);
  }
}

export function decodeSll(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < SLL.HEADER_LEN) {
    s.fail(R.SLL_TRUNCATED);
    return -1;
  }
  s.layers |= L.LINUX_SLL;
  const hatype = u16be(b, o + SLL.HATYPE);
  sender(b, o + SLL.ADDR, u16be(b, o + SLL.HALEN), hatype, s);
  s.etherType = sllProtocol(u16be(b, o + SLL.PROTOCOL), hatype);
  return o + SLL.HEADER_LEN;
}

export function decodeSll2(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < SLL2.HEADER_LEN) {
    s.fail(R.SLL2_TRUNCATED);
    return -1;
  }
  s.layers |= L.LINUX_SLL2;
  const hatype = u16be(b, o + SLL2.HATYPE);
  sender(b, o + SLL2.ADDR, b[o + SLL2.HALEN], hatype, s);
  s.etherType = sllProtocol(u16be(b, o + SLL2.PROTOCOL), hatype);
  return o + SLL2.HEADER_LEN;
}
