/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443): type and code, the first two bytes of the 4-byte header.
 */
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const ICMP = { TYPE: 0, CODE: 1, HEADER_LEN: 4 } as const;

export function decodeIcmp(b: Uint8Array, o: number, end: number, s: PacketSummary, v6: boolean): void {
  if (Math.min(end, s.l4WireEnd) - o < ICMP.HEADER_LEN) {
    s.fail(v6 ? R.ICMPV6_TRUNCATED : R.ICMP_TRUNCATED);
    return;
  }
  s.layers |= v6 ? L.ICMPV6 : L.ICMP;
  s.icmpType = b[o + ICMP.TYPE];
  s.icmpCode = b[o + ICMP.CODE];
}
