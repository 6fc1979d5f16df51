/**
 * MPLS label stack (RFC 3032): 4-byte entries until the bottom-of-stack bit. The payload type is
 * not signalled; like tcpdump and Wireshark we take IPv4/IPv6 from the first nibble.
 */
import { ETHERTYPE } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const MPLS = { ENTRY_LEN: 4, BOS_BYTE: 2 } as const;
const BOS_BIT = 0x01;
/** Bounds the walk on a hostile stack; real stacks are a handful of labels deep. */
export const MAX_MPLS_LABELS = 16;

export function decodeMpls(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  s.layers |= L.MPLS;
  for (let n = 0; ; n++) {
    if (n >= MAX_MPLS_LABELS) {
      s.fail(R.MPLS_TOO_DEEP);
      return -1;
    }
    if (end - o < MPLS.ENTRY_LEN) {
      s.fail(R.MPLS_TRUNCATED);
      return -1;
    }
    const bottom = (b[o + MPLS.BOS_BYTE] & BOS_BIT) !== 0;
    o += MPLS.ENTRY_LEN;
    if (bottom) break;
  }
  if (o >= end) {
    s.fail(R.MPLS_TRUNCATED);
    return -1;
  }
  const version = b[o] >> 4;
  s.etherType = version === 4 ? ETHERTYPE.IPV4 : version === 6 ? ETHERTYPE.IPV6 : -1;
  return o;
}
