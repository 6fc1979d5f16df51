/**
 * IEEE 802.1Q / 802.1ad tags: a 16-bit TCI (priority, DEI, VLAN ID) then the inner EtherType.
 * The tag's own TPID was already consumed as the EtherType that led here.
 */
import { u16be } from '../bytes.js';
import { fixedHeader, typeOrLength } from './ethernet.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const VLAN = { TCI: 0, TYPE: 2, TAG_LEN: 4 } as const;
const VID_MASK = 0x0fff;
/** Tags beyond this many are treated as hostile (real QinQ uses two, rarely three). */
export const MAX_VLAN_TAGS = 8;

export function decodeVlan(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (s.vlanDepth >= MAX_VLAN_TAGS) {
    s.fail(R.VLAN_TOO_DEEP);
    return -1;
  }
  if (end - o < VLAN.TAG_LEN) {
    s.fail(R.VLAN_TRUNCATED);
    return -1;
  }
  s.layers |= L.VLAN;
  if (s.vlanDepth === 0) s.vlanId = u16be(b, o + VLAN.TCI) & VID_MASK;
  s.vlanDepth++;
  s.etherType = typeOrLength(u16be(b, o + VLAN.TYPE));
  return o + VLAN.TAG_LEN;
}

/** Cisco VN-Tag (IEEE 802.1Qbh draft): a 4-byte tag after its EtherType, then the inner type. */
export const VNTAG = { TAG: 0, TYPE: 4, LEN: 6 } as const;

export function decodeVntag(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  return fixedHeader(b, o, end, s, VNTAG.LEN, L.VLAN, R.VNTAG_TRUNCATED);
}
