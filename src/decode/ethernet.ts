/**
 * Ethernet II and IEEE 802.3 frames (IEEE 802.3 §3.2). The 16-bit field after the addresses is an
 * EtherType when ≥ 0x0600 and a length (802.3 with an LLC header) when ≤ 1500.
 */
import { u16be, u32be } from '../bytes.js';
import { R } from './reasons.js';
import { L, type PacketSummary } from './summary.js';

export const ETH = { DST: 0, SRC: 6, TYPE: 12, HEADER_LEN: 14 } as const;

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  PPPOE_SESSION: 0x8864,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  MACSEC: 0x88e5,
  PBB: 0x88e7,
  FABRICPATH: 0x8903,
  VNTAG: 0x8926,
  ARISTA: 0xd28b,
  NSH: 0x894f,
  QINQ: 0x88a8,
  /** Pre-standard QinQ TPIDs still seen on the wire. */
  QINQ_9100: 0x9100,
  QINQ_9200: 0x9200,
} as const;

/** Largest 802.3 length value; values from here up to 0x05ff are neither length nor type. */
export const MAX_8023_LENGTH = 1500;
/** Smallest EtherType value (IEEE 802.3 §3.2.6). */
export const MIN_ETHERTYPE = 0x0600;

/** Sentinel "EtherType" for an 802.3 frame: an LLC header follows. */
export const ETHERTYPE_LLC = -2;

/** Reads a 48-bit MAC at `o` into the summary's hi/lo halves. */
export function macHi(b: Uint8Array, o: number): number {
  return u16be(b, o);
}
export function macLo(b: Uint8Array, o: number): number {
  return u32be(b, o + 2);
}

/** Decodes the Ethernet header; returns the payload offset, or -1 when cut off. */
export function decodeEthernet(b: Uint8Array, o: number, end: number, s: PacketSummary): number {
  if (end - o < ETH.HEADER_LEN) {
    s.fail(R.ETHERNET_TRUNCATED);
    return -1;
  }
  s.layers |= L.ETHERNET;
  s.hasDstMac = true;
  s.dstMacHi = macHi(b, o + ETH.DST);
  s.dstMacLo = macLo(b, o + ETH.DST);
  s.hasSrcMac = true;
  s.srcMacHi = macHi(b, o + ETH.SRC);
  s.srcMacLo = macLo(b, o + ETH.SRC);
  s.etherType = typeOrLength(u16be(b, o + ETH.TYPE));
  return o + ETH.HEADER_LEN;
}

/**
 * A fixed-size header whose last two bytes are the next EtherType (VN-Tag, PBB, FabricPath):
 * checks it was captured, marks its layer and returns the payload offset, or -1 when cut off.
 */
export function fixedHeader(b: Uint8Array, o: number, end: number, s: PacketSummary, len: number, layer: number, truncated: number): number {
  if (end - o < len) {
    s.fail(truncated);
    return -1;
  }
  s.layers |= layer;
  s.etherType = typeOrLength(u16be(b, o + len - 2));
  return o + len;
}

/** Maps the type/length field to an EtherType, ETHERTYPE_LLC for a length, or itself. */
export function typeOrLength(v: number): number {
  return v <= MAX_8023_LENGTH ? ETHERTYPE_LLC : v;
}
