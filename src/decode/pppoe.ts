/**
 * PPPoE session stage (RFC 2516 §4) carrying PPP (RFC 1661); PPP protocol 0x0021 is IPv4,
 * 0x0057 IPv6 (RFC 5072).
 */
import { u16be } from '../bytes.js';
import { ETHERTYPE } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const PPPOE = { VER_TYPE: 0, CODE: 1, SESSION: 2, LENGTH: 4, PPP_PROTOCOL: 6, HEADER_LEN: 8 } as const;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

export function decodePppoe(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < PPPOE.HEADER_LEN) {
    s.fail(R.PPPOE_TRUNCATED);
    return -1;
  }
  s.layers |= L.PPPOE;
  const proto = u16be(b, o + PPPOE.PPP_PROTOCOL);
  s.etherType = proto === PPP_IPV4 ? ETHERTYPE.IPV4 : proto === PPP_IPV6 ? ETHERTYPE.IPV6 : -1;
  return o + PPPOE.HEADER_LEN;
}
