/**
 * Network Service Header (RFC 8300 §2): a base header with the total length in 4-byte words and
 * the next protocol, then a service path header and metadata, skipped by the length.
 */
import { ETHERTYPE } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const NSH = { LENGTH: 1, NEXT_PROTOCOL: 3, MIN_LEN: 8 } as const;
const LENGTH_MASK = 0x3f;
const WORD = 4;
/** RFC 8300 §11.6 "NSH Next Protocol". */
const NEXT_IPV4 = 0x1;
const NEXT_IPV6 = 0x2;
const NEXT_MPLS = 0x5;

export function decodeNsh(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < NSH.MIN_LEN) {
    s.fail(R.NSH_TRUNCATED);
    return -1;
  }
  const len = (b[o + NSH.LENGTH] & LENGTH_MASK) * WORD;
  if (len < NSH.MIN_LEN) {
    s.fail(R.NSH_BAD_LENGTH);
    return -1;
  }
  if (end - o < len) {
    s.fail(R.NSH_TRUNCATED);
    return -1;
  }
  s.layers |= L.NSH;
  const next = b[o + NSH.NEXT_PROTOCOL];
  s.etherType =
    next === NEXT_IPV4 ? ETHERTYPE.IPV4 : next === NEXT_IPV6 ? ETHERTYPE.IPV6 : next === NEXT_MPLS ? ETHERTYPE.MPLS : -1;
  return o + len;
}
