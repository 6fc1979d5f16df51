/**
 * IEEE 802.2 LLC, and SNAP (RFC 1042) which carries an EtherType inside an 802.3 frame.
 */
import { u16be } from '../bytes.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const LLC = { DSAP: 0, SSAP: 1, CONTROL: 2, U_HEADER_LEN: 3 } as const;
export const SNAP = { OUI: 3, PID: 6, HEADER_LEN: 8 } as const;
const SAP_SNAP = 0xaa;
const CONTROL_UI = 0x03;
/** OUIs whose SNAP protocol id is an EtherType: RFC 1042 (0) and 802.1H bridge tunnel. */
const OUI_ETHERTYPE = 0x000000;
const OUI_BRIDGE_TUNNEL = 0x0000f8;

/** Decodes LLC; for SNAP with an EtherType OUI sets s.etherType and returns the payload offset.
 *  Returns -1 when decoding stops here (not SNAP, or cut off). */
export function decodeLlc(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < LLC.U_HEADER_LEN) {
    s.fail(R.LLC_TRUNCATED);
    return -1;
  }
  s.layers |= L.LLC;
  const control = b[o + LLC.CONTROL];
  if (b[o + LLC.DSAP] === SAP_SNAP && b[o + LLC.SSAP] === SAP_SNAP && control === CONTROL_UI) {
    if (end - o < SNAP.HEADER_LEN) {
      s.fail(R.LLC_TRUNCATED);
      return -1;
    }
    const oui = (b[o + SNAP.OUI] << 16) | (b[o + SNAP.OUI + 1] << 8) | b[o + SNAP.OUI + 2];
    if (oui === OUI_ETHERTYPE || oui === OUI_BRIDGE_TUNNEL) {
      s.etherType = u16be(b, o + SNAP.PID);
      return o + SNAP.HEADER_LEN;
    }
  }
  // Spanning tree, NetBIOS, IPX over LLC, …: counted, not decoded further.
  s.layers |= L.OTHER;
  return -1;
}
