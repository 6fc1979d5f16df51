/**
 * Encapsulations that carry a whole customer Ethernet frame after a provider header:
 * IEEE 802.1ah Provider Backbone Bridging (an I-TAG, then customer addresses) and Cisco
 * FabricPath (a 2-byte FTag/TTL after its EtherType, then the original frame). The outer MAC
 * addresses stay the packet's; decoding continues at the customer EtherType.
 */
import { fixedHeader } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

/** 802.1ah I-TAG (flags + 24-bit I-SID), then customer DA, SA and EtherType. */
export const PBB = { ITAG: 0, C_DA: 4, C_SA: 10, TYPE: 16, LEN: 18 } as const;
/** FabricPath: FTag and TTL, then the original DA, SA and EtherType. */
export const FABRICPATH = { FTAG_TTL: 0, DA: 2, SA: 8, TYPE: 14, LEN: 16 } as const;

export function decodePbb(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  return fixedHeader(b, o, end, s, PBB.LEN, L.MAC_IN_MAC, R.PBB_TRUNCATED);
}

export function decodeFabricPath(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  return fixedHeader(b, o, end, s, FABRICPATH.LEN, L.MAC_IN_MAC, R.FABRICPATH_TRUNCATED);
}
