/**
 * IPv4 header (RFC 791 §3.1), options walked only to validate their lengths.
 */
import { u16be, u32be } from '../bytes.js';
import { R } from './reasons.js';
import { IPPROTO, L, type PacketSummary } from './summary.js';

export const IPV4 = {
  VER_IHL: 0,
  TOTAL_LEN: 2,
  FLAGS_FRAG: 6,
  PROTOCOL: 9,
  SRC: 12,
  DST: 16,
  MIN_HEADER_LEN: 20,
} as const;

const IHL_MASK = 0x0f;
const WORD = 4;
const FLAG_MF = 0x2000;
const FRAG_OFFSET_MASK = 0x1fff;
/** AH (RFC 4302 §2): next header, payload length in 32-bit words minus 2. */
export const AH = { NEXT_HEADER: 0, LENGTH: 1, MIN_LEN: 12, LEN_BIAS: 2 } as const;
/** AH inside AH is legal but never more than a couple deep. */
const MAX_AH_HEADERS = 4;
/** RFC 791 option types with no length byte. */
const OPT_EOL = 0;
const OPT_NOP = 1;
/** Smallest legal length of an option with a length byte (type + length). */
const OPT_MIN_LEN = 2;
/** Loose and strict source route options: type, length, pointer (1-based), addresses. */
const OPT_LSRR = 0x83;
const OPT_SSRR = 0x89;
const ROUTE_POINTER = 2;
const ROUTE_FIRST_ADDR = 4;
const ROUTE_MIN_LEN = 7;
const ADDR_LEN = 4;

/**
 * Decodes the header at `o`. `wireEnd` is where the frame ended on the wire (in buffer offsets),
 * which bounds the datagram when its total length claims more, or is 0 (TCP segmentation offload
 * leaves it unset in captures taken on the sending host). Returns the transport offset or -1.
 */
export function decodeIpv4(b: Uint8Array, o: number, end: number, wireEnd: number, s: PacketSummary): number {
  const avail = end - o;
  if (avail < 1) {
    s.fail(R.IPV4_TRUNCATED);
    return -1;
  }
  if (b[o + IPV4.VER_IHL] >> 4 !== 4) {
    s.fail(R.IP_BAD_VERSION);
    return -1;
  }
  if (avail < IPV4.MIN_HEADER_LEN) {
    s.fail(R.IPV4_TRUNCATED);
    return -1;
  }
  const ihl = (b[o + IPV4.VER_IHL] & IHL_MASK) * WORD;
  if (ihl < IPV4.MIN_HEADER_LEN) {
    s.fail(R.IPV4_BAD_IHL);
    return -1;
  }
  if (ihl > avail) {
    s.fail(R.IPV4_TRUNCATED);
    return -1;
  }
  let total = u16be(b, o + IPV4.TOTAL_LEN);
  if (total === 0) total = wireEnd - o;
  else if (total < ihl) {
    s.fail(R.IPV4_BAD_TOTAL_LENGTH);
    return -1;
  }
  let datagramEnd = o + total;
  if (datagramEnd > wireEnd) {
    s.fail(R.IPV4_TOTAL_LENGTH_PAST_FRAME, false);
    datagramEnd = wireEnd;
  }
  s.layers |= L.IPV4;
  s.ipVersion = 4;
  s.src[0] = u32be(b, o + IPV4.SRC);
  s.dst[0] = u32be(b, o + IPV4.DST);
  for (let i = 1; i < 4; i++) {
    s.src[i] = 0;
    s.dst[i] = 0;
  }
  if (ihl > IPV4.MIN_HEADER_LEN && !walkOptions(b, o + IPV4.MIN_HEADER_LEN, o + ihl, s)) {
    s.fail(R.IPV4_BAD_OPTION, false);
  }
  const ff = u16be(b, o + IPV4.FLAGS_FRAG);
  const offset = ff & FRAG_OFFSET_MASK;
  if ((ff & FLAG_MF) !== 0 || offset !== 0) {
    s.fragment = true;
    s.layers |= L.FRAGMENT;
    s.laterFragment = offset !== 0;
  }
  let proto = b[o + IPV4.PROTOCOL];
  let p = o + ihl;
  // AH sits between IP and the transport header in IPv4 too (RFC 4302 §3.1.1); it is not
  // encrypted, so the transport header after it is readable.
  s.ipProto = proto;
  for (let n = 0; proto === IPPROTO.AH && !s.laterFragment; n++) {
    if (n >= MAX_AH_HEADERS || end - p < AH.MIN_LEN) {
      s.fail(R.AH_TRUNCATED);
      return -1;
    }
    const len = (b[p + AH.LENGTH] + AH.LEN_BIAS) * WORD;
    if (end - p < len) {
      s.fail(R.AH_TRUNCATED);
      return -1;
    }
    s.ipProto = proto = b[p + AH.NEXT_HEADER];
    p += len;
  }
  s.l4Offset = p;
  s.l4WireEnd = datagramEnd;
  return p;
}

/**
 * True when every option's length byte fits the header (RFC 791 §3.1, "Options"). A loose or
 * strict source route with hops left names the final destination in its last address: the
 * conversation is keyed on it, as tshark and Zeek key it (RFC 791 §3.1, "Loose Source Route").
 */
function walkOptions(b: Uint8Array, p: number, hdrEnd: number, s: PacketSummary): boolean {
  let routed = false;
  while (p < hdrEnd) {
    const type = b[p];
    if (type === OPT_EOL) return true;
    if (type === OPT_NOP) {
      p++;
      continue;
    }
    if (hdrEnd - p < OPT_MIN_LEN) return false;
    const len = b[p + 1];
    if (len < OPT_MIN_LEN || p + len > hdrEnd) return false;
    if ((type === OPT_LSRR || type === OPT_SSRR) && !routed && len >= ROUTE_MIN_LEN) {
      routed = true;
      const ptr = b[p + ROUTE_POINTER];
      if (ptr >= ROUTE_FIRST_ADDR && ptr <= len && ptr % ADDR_LEN === 0) s.dst[0] = u32be(b, p + len - ADDR_LEN);
    }
    p += len;
  }
  return true;
}
