/**
 * Deep nesting the fixtures lack: an Ethernet frame rewrapped in a stack of VLAN tags ending in
 * its own EtherType, an MPLS label stack or a PPPoE session header, and IPv6 packets given a
 * chain of extension headers. Each decoder bounds its walk (8 VLAN tags, 16 MPLS labels, 16
 * extension headers, 64 encapsulations); stacks here run past those bounds, so the limit checks
 * and the time to reach them are exercised, with the blind mutations then applied on top.
 */
import type { Prng } from './prng.js';

const MACS_LEN = 12;
const ETH_HEADER = 14;
const TPIDS = [0x8100, 0x88a8, 0x9100, 0x9200];
/** Past MAX_VLAN_TAGS (8) and MAX_MPLS_LABELS (16), by a margin. */
const MAX_TAGS = 20;
const MAX_LABELS = 24;
/** Past MAX_IPV6_EXT_HEADERS (16). */
const MAX_EXT = 24;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_PPPOE = 0x8864;
const ETHERTYPE_IPV6 = 0x86dd;
const MPLS_BOS = 0x01;
const PPPOE_VER_TYPE = 0x11;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const IPV6_HEADER = 40;
const IPV6_PAYLOAD_LEN_OFF = 4;
const IPV6_NEXT_OFF = 6;
const IPPROTO_DSTOPTS = 60;
/** A Destination Options header of 8 bytes: next header, length 0, then PadN over 6 bytes. */
const PADN = 1;
const PADN_LEN = 4;
const EXT_LEN = 8;

const u16 = (v: number): number[] => [v >> 8, v & 0xff];

/** `b` (an Ethernet frame) rewrapped, or null when it is too short to have an EtherType. */
export function encapsulate(rng: Prng, b: Buffer): Buffer | null {
  if (b.length < ETH_HEADER) return null;
  if (b.readUInt16BE(MACS_LEN) === ETHERTYPE_IPV6 && rng.chance(0.5)) return extensionChain(rng, b);
  const head: number[] = [];
  const tags = rng.between(0, MAX_TAGS);
  for (let i = 0; i < tags; i++) head.push(...u16(rng.pick(TPIDS)), rng.byte(), rng.byte());
  const payload = b.subarray(ETH_HEADER);
  switch (rng.below(3)) {
    case 0:
      head.push(b[MACS_LEN]!, b[MACS_LEN + 1]!);
      break;
    case 1: {
      head.push(...u16(ETHERTYPE_MPLS));
      const labels = rng.between(1, MAX_LABELS);
      for (let i = 0; i < labels; i++) head.push(rng.byte(), rng.byte(), (rng.byte() & ~MPLS_BOS) | (i === labels - 1 ? MPLS_BOS : 0), rng.byte());
      break;
    }
    default:
      head.push(...u16(ETHERTYPE_PPPOE), PPPOE_VER_TYPE, 0, rng.byte(), rng.byte(), ...u16(payload.length + 2));
      head.push(...u16(payload.length > 0 && payload[0]! >> 4 === 6 ? PPP_IPV6 : PPP_IPV4));
  }
  return Buffer.concat([b.subarray(0, MACS_LEN), Buffer.from(head), payload]);
}

/** An untagged IPv6 frame with Destination Options headers chained in front of its payload. */
function extensionChain(rng: Prng, b: Buffer): Buffer | null {
  const ip = ETH_HEADER;
  if (b.length < ip + IPV6_HEADER) return null;
  const n = rng.between(1, MAX_EXT);
  const ext = Buffer.alloc(n * EXT_LEN);
  for (let i = 0; i < n; i++) {
    const o = i * EXT_LEN;
    ext[o] = i === n - 1 ? b[ip + IPV6_NEXT_OFF]! : IPPROTO_DSTOPTS;
    ext[o + 2] = PADN;
    ext[o + 3] = PADN_LEN;
  }
  const out = Buffer.concat([b.subarray(0, ip + IPV6_HEADER), ext, b.subarray(ip + IPV6_HEADER)]);
  out[ip + IPV6_NEXT_OFF] = IPPROTO_DSTOPTS;
  out.writeUInt16BE((out.readUInt16BE(ip + IPV6_PAYLOAD_LEN_OFF) + ext.length) & 0xffff, ip + IPV6_PAYLOAD_LEN_OFF);
  return out;
}
