/**
 * UDP header (RFC 768).
 */
import { u16be } from '../bytes.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const UDP = { SRC_PORT: 0, DST_PORT: 2, LENGTH: 4, HEADER_LEN: 8 } as const;

export function decodeUdp(b: Uint8Array, o: number, end: number, s: PacketSummary): void {
  const capEnd = Math.min(end, s.l4WireEnd);
  if (capEnd - o < UDP.HEADER_LEN) {
    s.fail(R.UDP_TRUNCATED);
    return;
  }
  s.layers |= L.UDP;
  s.hasPorts = true;
  s.srcPort = u16be(b, o + UDP.SRC_PORT);
  s.dstPort = u16be(b, o + UDP.DST_PORT);
  const ulen = u16be(b, o + UDP.LENGTH);
  const room = s.l4WireEnd - o;
  if (ulen < UDP.HEADER_LEN) {
    // 0 is legal in an IPv6 jumbogram (RFC 2675 §4); the datagram then runs to the IP end.
    if (ulen !== 0 || s.ipVersion !== 6) s.fail(R.UDP_BAD_LENGTH, false);
    s.payloadLen = room - UDP.HEADER_LEN;
  } else if (ulen > room) {
    s.fail(R.UDP_LENGTH_PAST_DATAGRAM, false);
    s.payloadLen = room - UDP.HEADER_LEN;
  } else {
    s.payloadLen = ulen - UDP.HEADER_LEN;
  }
}
