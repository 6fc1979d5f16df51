/**
 * BSD loopback encapsulations: NULL (a 4-byte address family in the capturing host's byte order)
 * and LOOP (the same in network order). https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html
 */
import { u32be, u32le } from '../bytes.js';
import { ETHERTYPE } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const LOOPBACK_HEADER_LEN = 4;
const AF_INET = 2;
/** AF_INET6 differs per OS: Linux 10, NetBSD/OpenBSD/BSD-OS 24, FreeBSD 28, Darwin 30. */
const AF_INET6 = new Set([10, 24, 28, 30]);
/** A family in the wrong byte order has its value in the top half. */
const SWAPPED_MASK = 0xffff0000;

function familyToEthertype(af: number): number {
  if (af === AF_INET) return ETHERTYPE.IPV4;
  if (AF_INET6.has(af)) return ETHERTYPE.IPV6;
  return -1;
}

/** `networkOrder`: LOOP; otherwise NULL, whose order we infer as libpcap does. */
export function decodeLoopback(b: Uint8Array, o: number, end: number, s: PacketSummary, networkOrder: boolean): number {
  if (end - o < LOOPBACK_HEADER_LEN) {
    s.fail(R.LOOPBACK_TRUNCATED);
    return -1;
  }
  s.layers |= L.LOOPBACK;
  let af = networkOrder ? u32be(b, o) : u32le(b, o);
  if (!networkOrder && (af & SWAPPED_MASK) !== 0) af = u32be(b, o);
  s.etherType = familyToEthertype(af);
  return o + LOOPBACK_HEADER_LEN;
}
