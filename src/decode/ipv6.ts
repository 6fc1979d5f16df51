/**
 * IPv6 header (RFC 8200 §3) and the extension headers that may precede the transport header:
 * hop-by-hop (incl. the RFC 2675 jumbo payload option), routing, fragment, destination options
 * (RFC 8200 §4) and AH (RFC 4302 §2).
 */
import { u16be, u32be } from '../bytes.js';
import { R } from './reasons.js';
import { IPPROTO, L, type PacketSummary } from './summary.js';

export const IPV6 = { VER_TC_FL: 0, PAYLOAD_LEN: 4, NEXT_HEADER: 6, SRC: 8, DST: 24, HEADER_LEN: 40 } as const;
/** Generic extension header: next header, length in 8-octet units not counting the first 8. */
export const EXT = { NEXT_HEADER: 0, LENGTH: 1, OPTIONS: 2, UNIT: 8 } as const;
/** Routing header (RFC 8200 §4.4): type and segments left follow the generic fields. */
export const ROUTING = { TYPE: 2, SEGMENTS_LEFT: 3, DATA: 8 } as const;
/** Routing types whose final destination we can read (RFC 5095 RH0, RFC 6275 type 2,
 *  RFC 8754 SRH). RH0 lists the remaining hops, last one final; SRH lists segments in reverse,
 *  the first one final; type 2 carries one home address. */
const RT_SOURCE_ROUTE = 0;
const RT_MOBILE_IPV6 = 2;
const RT_SEGMENT_ROUTING = 4;
const ADDR_LEN = 16;
/** Home Address destination option (RFC 6275 §6.3): the mobile node's real source. */
const OPT_HOME_ADDRESS = 0xc9;
/** Fragment header (RFC 8200 §4.5): fixed 8 bytes. */
export const FRAG = { OFFSET_FLAGS: 2, HEADER_LEN: 8 } as const;
const FRAG_OFFSET_SHIFT = 3;
const FRAG_M = 0x1;
/** AH payload length counts 32-bit words minus 2 (RFC 4302 §2.2). */
const AH_WORD = 4;
const AH_LEN_BIAS = 2;
/** Jumbo payload option (RFC 2675 §2): type 0xC2, 4 bytes of length. */
const OPT_PAD1 = 0;
const OPT_JUMBO = 0xc2;
const OPT_JUMBO_LEN = 4;
/** A chain this long is hostile: no legitimate packet needs more than a handful. */
export const MAX_IPV6_EXT_HEADERS = 16;

export function decodeIpv6(b: Uint8Array, o: number, end: number, wireEnd: number, s: PacketSummary): number {
  const avail = end - o;
  if (avail < 1) {
    s.fail(R.IPV6_TRUNCATED);
    return -1;
  }
  if (b[o] >> 4 !== 6) {
    s.fail(R.IP_BAD_VERSION);
    return -1;
  }
  if (avail < IPV6.HEADER_LEN) {
    s.fail(R.IPV6_TRUNCATED);
    return -1;
  }
  s.layers |= L.IPV6;
  s.ipVersion = 6;
  for (let i = 0; i < 4; i++) {
    s.src[i] = u32be(b, o + IPV6.SRC + 4 * i);
    s.dst[i] = u32be(b, o + IPV6.DST + 4 * i);
  }
  const plen = u16be(b, o + IPV6.PAYLOAD_LEN);
  let datagramEnd = plen === 0 ? wireEnd : o + IPV6.HEADER_LEN + plen;
  if (datagramEnd > wireEnd) {
    s.fail(R.IPV6_PAYLOAD_LENGTH_PAST_FRAME, false);
    datagramEnd = wireEnd;
  }
  let jumbo = false;
  let next = b[o + IPV6.NEXT_HEADER];
  let p = o + IPV6.HEADER_LEN;
  for (let n = 0; ; n++) {
    // The header about to be read names the packet's protocol if decoding stops at it.
    s.ipProto = next;
    if (
      next !== IPPROTO.HOPOPTS &&
      next !== IPPROTO.ROUTING &&
      next !== IPPROTO.DSTOPTS &&
      next !== IPPROTO.FRAGMENT &&
      next !== IPPROTO.AH
    ) {
      break;
    }
    if (n >= MAX_IPV6_EXT_HEADERS) {
      s.fail(R.IPV6_EXT_CHAIN_TOO_LONG);
      return -1;
    }
    // An extension header must lie within the capture and within the datagram's own length.
    const limit = Math.min(end, datagramEnd);
    if (limit - p < EXT.UNIT) {
      s.fail(R.IPV6_EXT_TRUNCATED);
      return -1;
    }
    const len =
      next === IPPROTO.FRAGMENT
        ? FRAG.HEADER_LEN
        : next === IPPROTO.AH
          ? (b[p + EXT.LENGTH] + AH_LEN_BIAS) * AH_WORD
          : (b[p + EXT.LENGTH] + 1) * EXT.UNIT;
    if (limit - p < len) {
      s.fail(R.IPV6_EXT_TRUNCATED);
      return -1;
    }
    if (next === IPPROTO.ROUTING && b[p + ROUTING.SEGMENTS_LEFT] > 0) finalDestination(b, p, len, s);
    if ((next === IPPROTO.DSTOPTS || next === IPPROTO.HOPOPTS) && !walkOptions(b, p + EXT.OPTIONS, p + len, limit, s)) {
      s.fail(R.IPV6_EXT_TRUNCATED);
      return -1;
    }
    if (next === IPPROTO.HOPOPTS && plen === 0) {
      const j = jumboLength(b, p + EXT.OPTIONS, p + len);
      if (j >= 0) {
        jumbo = true;
        datagramEnd = Math.min(o + IPV6.HEADER_LEN + j, wireEnd);
      }
    }
    if (next === IPPROTO.FRAGMENT) {
      const v = u16be(b, p + FRAG.OFFSET_FLAGS);
      const offset = v >> FRAG_OFFSET_SHIFT;
      // An atomic fragment (offset 0, M clear; RFC 6946) is a whole datagram.
      if (offset !== 0 || (v & FRAG_M) !== 0) {
        s.fragment = true;
        s.layers |= L.FRAGMENT;
      }
      if (offset !== 0) {
        // A later fragment: what follows is the middle of some payload, not a header.
        s.laterFragment = true;
        s.ipProto = b[p + EXT.NEXT_HEADER];
        s.l4Offset = p + len;
        s.l4WireEnd = datagramEnd;
        return -1;
      }
    }
    next = b[p + EXT.NEXT_HEADER];
    p += len;
  }
  if (plen === 0 && !jumbo && next !== IPPROTO.NONE) {
    // Without a jumbo option the payload is empty (RFC 8200 §3); tshark decodes nothing after
    // it either. Segmentation offload captures (BIG TCP) look like this.
    s.fail(R.IPV6_ZERO_PAYLOAD_LENGTH);
    return -1;
  }
  s.l4Offset = p;
  s.l4WireEnd = datagramEnd;
  return p;
}

function readAddress(b: Uint8Array, o: number, into: Uint32Array): void {
  for (let i = 0; i < 4; i++) into[i] = u32be(b, o + 4 * i);
}

/**
 * While segments are left, the header's destination is only the next hop. Conversations are
 * keyed on the final destination, as tshark and Zeek key them (and as the transport checksum's
 * pseudo-header does, RFC 8200 §8.1).
 */
function finalDestination(b: Uint8Array, p: number, len: number, s: PacketSummary): void {
  const type = b[p + ROUTING.TYPE];
  const room = len - ROUTING.DATA;
  if (room < ADDR_LEN) return;
  if (type === RT_SOURCE_ROUTE) {
    readAddress(b, p + ROUTING.DATA + (Math.floor(room / ADDR_LEN) - 1) * ADDR_LEN, s.dst);
  } else if (type === RT_MOBILE_IPV6 || type === RT_SEGMENT_ROUTING) {
    readAddress(b, p + ROUTING.DATA, s.dst);
  }
}

/**
 * Walks the options of a destination or hop-by-hop options header (RFC 8200 §4.2). A Home
 * Address option replaces the care-of source address (RFC 6275 §6.3); as tshark reads it: 16
 * address bytes after the length byte whatever that byte says (a disagreement is counted), the
 * last such option winning. Returns false when an option's bytes lie past what can be read
 * (`readable`): the header cannot be walked, as tshark cannot walk it either.
 */
function walkOptions(b: Uint8Array, p: number, limit: number, readable: number, s: PacketSummary): boolean {
  while (p < limit) {
    const type = b[p];
    if (type === OPT_PAD1) {
      p++;
      continue;
    }
    if (limit - p < 2) return true;
    const len = b[p + 1];
    if (type === OPT_HOME_ADDRESS) {
      if (p + 2 + ADDR_LEN > readable) return false;
      if (len !== ADDR_LEN) s.fail(R.IPV6_BAD_OPTION, false);
      readAddress(b, p + 2, s.src);
      p += 2 + Math.max(ADDR_LEN, len);
      continue;
    }
    if (p + 2 + len > readable) return false;
    p += 2 + len;
  }
  return true;
}

/** The jumbo payload length from a hop-by-hop options area, or -1 if it carries none. */
function jumboLength(b: Uint8Array, p: number, limit: number): number {
  while (p < limit) {
    const type = b[p];
    if (type === OPT_PAD1) {
      p++;
      continue;
    }
    if (limit - p < 2) return -1;
    const len = b[p + 1];
    if (type === OPT_JUMBO && len === OPT_JUMBO_LEN && p + 2 + len <= limit) return u32be(b, p + 2);
    p += 2 + len;
  }
  return -1;
}
