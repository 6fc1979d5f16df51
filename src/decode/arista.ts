/**
 * Arista's vendor-specific EtherType 0xD28B: a timestamp inserted by the switch before the
 * original EtherType. Sub-type 1 (timestamp); bits 4-7 of the version give the timestamp
 * format: 1 for 32-bit seconds and nanoseconds (8 bytes), 2 for a 48-bit form (6 bytes); bit 8
 * does not change the length. Versions with any of bits 0-3 set are not documented (tshark
 * does not decode past them either): decoding stops there, as for any other unknown form.
 */
import { u16be } from '../bytes.js';
import { typeOrLength } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const AVSP = { SUBTYPE: 0, VERSION: 2, TIMESTAMP: 4 } as const;
const SUBTYPE_TIMESTAMP = 1;
const FORMAT_SHIFT = 4;
const FORMAT_MASK = 0xf;
const UNKNOWN_BITS = 0xf;
const FORMAT_64BIT = 1;
const FORMAT_48BIT = 2;
const TS_64BIT_LEN = 8;
const TS_48BIT_LEN = 6;
const TYPE_LEN = 2;

export function decodeArista(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < AVSP.TIMESTAMP) {
    s.fail(R.ARISTA_TRUNCATED);
    return -1;
  }
  const version = u16be(b, o + AVSP.VERSION);
  const format = (version >> FORMAT_SHIFT) & FORMAT_MASK;
  const known = (version & UNKNOWN_BITS) === 0;
  const tsLen = !known ? -1 : format === FORMAT_64BIT ? TS_64BIT_LEN : format === FORMAT_48BIT ? TS_48BIT_LEN : -1;
  if (u16be(b, o + AVSP.SUBTYPE) !== SUBTYPE_TIMESTAMP || tsLen < 0) {
    s.layers |= L.OTHER;
    s.etherType = -1;
    return -1;
  }
  const next = o + AVSP.TIMESTAMP + tsLen;
  if (end - next < TYPE_LEN) {
    s.fail(R.ARISTA_TRUNCATED);
    return -1;
  }
  s.etherType = typeOrLength(u16be(b, next));
  return next + TYPE_LEN;
}
