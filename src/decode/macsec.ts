/**
 * MACsec (IEEE 802.1AE §9): a SecTAG after the EtherType. With integrity protection only (E and C
 * clear) the original EtherType and payload follow in clear, so decoding continues; encrypted
 * frames stop here. The 16-byte ICV at the end does not matter to the headers inside.
 */
import { u16be } from '../bytes.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const SECTAG = { TCI_AN: 0, SHORT_LENGTH: 1, PN: 2, SCI: 6, LEN: 6, SCI_LEN: 8 } as const;
const TCI_SC = 0x20;
const TCI_E = 0x08;
const TCI_C = 0x04;

export function decodeMacsec(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < SECTAG.LEN) {
    s.fail(R.MACSEC_TRUNCATED);
    return -1;
  }
  s.layers |= L.MACSEC;
  const tci = b[o + SECTAG.TCI_AN];
  if ((tci & (TCI_E | TCI_C)) !== 0) {
    s.layers |= L.OTHER;
    s.etherType = -1;
    return -1;
  }
  const tag = SECTAG.LEN + ((tci & TCI_SC) !== 0 ? SECTAG.SCI_LEN : 0);
  if (end - o < tag + 2) {
    s.fail(R.MACSEC_TRUNCATED);
    return -1;
  }
  s.etherType = u16be(b, o + tag);
  return o + tag + 2;
}
