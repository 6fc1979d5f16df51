/**
 * UDP header (RFC 768).
 */
import { u16be } from '../bytes.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const UDP = { SRC_PORT: 0, DST_PORT: 2, LENGTH: 4, HEADER_LEN: 8 } as const;
/** A jumbogram is only needed above the 16-bit length (RFC 2675 §4). */
const JUMBO_MIN = 0xffff;

export function decodeUdp(b: Uint8Array, o: number, end: number, s: PacketSummary): void {
  const capEnd = Math.min(end, s.l4WireEnd);
  if (capEnd - o < UDP.HEADER_LEN) {
    s.fail(R.UDP_TRUNCATED);
    return;
  }
  const ulen = u16be(b, o + UDP.LENGTH);
  const room = s.l4WireEnd - o;
  if (ulen < UDP.HEADER_LEN) {
    // Over IPv6, 0 means a jumbogram (RFC 2675 §4): the datagram runs to the IP end; tshark
    // reads it so even when the datagram is small (counted as a bad length). Anything else
    // below the header size is a bad length and, as for tshark, not a datagram.
    if (ulen !== 0 || s.ipVersion !== 6) {
      s.fail(R.UDP_BAD_LENGTH);
      return;
    }
    if (room <= JUMBO_MIN) s.fail(R.UDP_BAD_LENGTH, false);
  }
  s.layers |= L.UDP;
  s.hasPorts = true;
  s.srcPort = u16be(b, o + UDP.SRC_PORT);
  s.dstPort = u16be(b, o + UDP.DST_PORT);
  if (ulen < UDP.HEADER_LEN) {
    s.payloadLen = room - UDP.HEADER_LEN;
  } else if (ulen > room) {
    s.fail(R.UDP_LENGTH_PAST_DATAGRAM, false);
    s.payloadLen = room - UDP.HEADER_LEN;
  } else {
    s.payloadLen = ulen - UDP.HEADER_LEN;
  }
}
