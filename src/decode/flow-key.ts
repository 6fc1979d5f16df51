/**
 * A packet's conversation key: protocol and both endpoints in a canonical order (the lower
 * (address, port) first), so A→B and B→A give the same words, plus the key's hash and the
 * side the packet was sent from. gopacket computes a packet's Flow and its FastHash the same
 * way, with the packet, not in the table.
 *
 * Why here and not in the flow table: a large file is decoded in one thread and counted in
 * another (src/cli/analyze.ts), and the counting thread is the slower one. Building and hashing
 * the key is a sixth of its work per packet; done with the decode, it rides the ring for free.
 *
 * Endpoints are IP + port for TCP and UDP with a readable header, IP alone for everything else:
 * ICMP, other IP protocols, fragments after the first (PROTO_FRAGMENT), and transport headers
 * that could not be read.
 */
import type { PacketSummary } from './summary.js';

/** Key words: [version << 16 | PORTS_FLAG? | proto, A0..A3, B0..B3, portA << 16 | portB]. */
export const FLOW_KEY_WORDS = 10;
export const FK = { PROTO: 0, A: 1, B: 5, PORTS: 9 } as const;
/** Set in the proto word when the key has ports (TCP/UDP with a readable header). */
export const PORTS_FLAG = 0x8000;
export const PROTO_MASK = 0x1ff;
/** The proto value of a key of later fragments (above every IP protocol number). */
export const PROTO_FRAGMENT = 256;
/** An IP header whose next header could not even be named keys as protocol 255 (reserved). */
const IPPROTO_RESERVED = 255;

/** Golden-ratio multiplier for mixing words (Knuth, TAOCP 6.4). */
const MIX = 0x9e3779b1;

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Hash of the `n` words of `key` from index `at`, as a signed 32-bit integer. */
export function hashWords(key: Uint32Array, at: number, n: number): number {
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key[at + i]!, MIX) ^ (h >>> 15);
  return fmix32(h);
}

/**
 * Fills `s.flowKey`, `s.flowHash` and `s.flowDir` (0 when the sender is key side A) from the
 * summary's IP header and ports. Only for packets with an IP header (ipVersion 4 or 6).
 */
export function fillFlowKey(s: PacketSummary): void {
  const k = s.flowKey;
  const proto = s.laterFragment ? PROTO_FRAGMENT : s.ipProto >= 0 ? s.ipProto : IPPROTO_RESERVED;
  const sp = s.hasPorts ? s.srcPort : 0;
  const dp = s.hasPorts ? s.dstPort : 0;
  const src = s.src;
  const dst = s.dst;
  let cmp = src[0]! - dst[0]!;
  if (cmp === 0) cmp = src[1]! - dst[1]!;
  if (cmp === 0) cmp = src[2]! - dst[2]!;
  if (cmp === 0) cmp = src[3]! - dst[3]!;
  if (cmp === 0) cmp = sp - dp;
  const dir = cmp <= 0 ? 0 : 1;
  const a = dir === 0 ? src : dst;
  const b = dir === 0 ? dst : src;
  k[FK.PROTO] = (s.ipVersion << 16) | (s.hasPorts ? PORTS_FLAG : 0) | proto;
  k[FK.A] = a[0]!;
  k[FK.A + 1] = a[1]!;
  k[FK.A + 2] = a[2]!;
  k[FK.A + 3] = a[3]!;
  k[FK.B] = b[0]!;
  k[FK.B + 1] = b[1]!;
  k[FK.B + 2] = b[2]!;
  k[FK.B + 3] = b[3]!;
  k[FK.PORTS] = dir === 0 ? ((sp << 16) | dp) >>> 0 : ((dp << 16) | sp) >>> 0;
  s.flowHash = hashWords(k, 0, FLOW_KEY_WORDS);
  s.flowDir = dir;
}
