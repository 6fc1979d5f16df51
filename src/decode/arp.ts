/**
 * ARP (RFC 826): fixed 8-byte header, then sender and target hardware and protocol addresses
 * whose sizes the header gives.
 */
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const ARP = { HTYPE: 0, PTYPE: 2, HLEN: 4, PLEN: 5, OPER: 6, ADDRS: 8 } as const;

export function decodeArp(b: Uint8Array, o: number, end: number, s: PacketSummary): void {
  if (end - o < ARP.ADDRS || end - o < ARP.ADDRS + 2 * (b[o + ARP.HLEN] + b[o + ARP.PLEN])) {
    s.fail(R.ARP_TRUNCATED);
    return;
  }
  s.layers |= L.ARP;
}
