/**
 * decodePacket: one captured record → the reused PacketSummary. Walks link layer, tags and
 * tunnels-free encapsulations (VLAN, LLC/SNAP, MPLS, PPPoE) to the outermost IP header and its
 * transport header. Reads only `rec.buf[rec.offset, rec.offset + caplen)`; never throws on
 * packet contents.
 */
import type { CaptureRecord } from '../capture/source.js';
import { LINKTYPE } from '../capture/linktype.js';
import { decodeArista } from './arista.js';
import { decodeArp } from './arp.js';
import { decodeEthernet, ETHERTYPE, ETHERTYPE_LLC } from './ethernet.js';
import { decodeIcmp } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLlc } from './llc.js';
import { decodeLoopback } from './loopback.js';
import { decodeFabricPath, decodePbb } from './mac-in-mac.js';
import { decodeMacsec } from './macsec.js';
import { decodeMpls } from './mpls.js';
import { decodeNsh } from './nsh.js';
import { decodePppoe } from './pppoe.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { R } from './reasons.js';
import { IPPROTO, L, type PacketSummary } from './summary.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeVlan, decodeVntag } from './vlan.js';

/** DLT_RAW as some writers store it in the file header (Linux value; libpcap names it RAW). */
const LINKTYPE_RAW_DLT = 12;

/** Bounds the encapsulation walk (tags, SNAP, MPLS, PPPoE, MAC-in-MAC) whatever the packet
 *  says; generous, because tshark follows even 48 nested PBB headers and we compare with it. */
const MAX_ENCAPSULATIONS = 64;
const FABRICPATH_FCS_LEN = 4;

export function decodePacket(rec: CaptureRecord, s: PacketSummary): void {
  s.reset();
  s.ts = rec.tsSec + rec.tsNsec / 1e9;
  s.hasTs = rec.hasTs;
  s.caplen = rec.caplen;
  s.wirelen = rec.wirelen;
  s.linktype = rec.linktype;
  s.ifIndex = rec.ifIndex;

  const b = rec.buf;
  const start = rec.offset;
  const end = start + rec.caplen;
  // Where the frame ended on the wire, in buffer offsets: the bound for lengths in headers.
  const wireEnd = start + Math.max(rec.wirelen, rec.caplen);
  let o: number;
  switch (rec.linktype) {
    case LINKTYPE.EN10MB:
      o = decodeEthernet(b, start, end, s);
      break;
    case LINKTYPE.LINUX_SLL:
      o = decodeSll(b, start, end, s);
      break;
    case LINKTYPE.LINUX_SLL2:
      o = decodeSll2(b, start, end, s);
      break;
    case LINKTYPE.NULL:
      o = decodeLoopback(b, start, end, s, false);
      break;
    case LINKTYPE.LOOP:
      o = decodeLoopback(b, start, end, s, true);
      break;
    case LINKTYPE.RAW:
    case LINKTYPE_RAW_DLT:
      s.layers |= L.RAW;
      o = start;
      s.etherType = end > start && b[start] >> 4 === 6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4;
      break;
    case LINKTYPE.IPV4:
      s.layers |= L.RAW;
      o = start;
      s.etherType = ETHERTYPE.IPV4;
      break;
    case LINKTYPE.IPV6:
      s.layers |= L.RAW;
      o = start;
      s.etherType = ETHERTYPE.IPV6;
      break;
    default:
      s.layers |= L.UNSUPPORTED_LINKTYPE;
      return;
  }
  if (o < 0) return;
  decodeNetwork(b, o, end, wireEnd, s);
}

/** Dispatches on s.etherType until an IP header (or something we stop at) is reached. */
function decodeNetwork(b: Uint8Array, o: number, end: number, wireEnd: number, s: PacketSummary): void {
  for (let n = 0; n < MAX_ENCAPSULATIONS && o >= 0; n++) {
    switch (s.etherType) {
      case ETHERTYPE.IPV4:
        if (decodeIpv4(b, o, end, wireEnd, s) >= 0) decodeTransport(b, end, s);
        return;
      case ETHERTYPE.IPV6:
        if (decodeIpv6(b, o, end, wireEnd, s) >= 0) decodeTransport(b, end, s);
        return;
      case ETHERTYPE.VLAN:
      case ETHERTYPE.QINQ:
      case ETHERTYPE.QINQ_9100:
      case ETHERTYPE.QINQ_9200:
        o = decodeVlan(b, o, end, s);
        break;
      case ETHERTYPE_LLC:
        o = decodeLlc(b, o, end, s);
        break;
      case ETHERTYPE.MPLS:
      case ETHERTYPE.MPLS_MULTICAST:
        o = decodeMpls(b, o, end, s);
        break;
      case ETHERTYPE.PPPOE_SESSION:
        o = decodePppoe(b, o, end, s);
        break;
      case ETHERTYPE.MACSEC:
        o = decodeMacsec(b, o, end, s);
        break;
      case ETHERTYPE.NSH:
        o = decodeNsh(b, o, end, s);
        break;
      case ETHERTYPE.PBB:
        o = decodePbb(b, o, end, s);
        break;
      case ETHERTYPE.FABRICPATH:
        o = decodeFabricPath(b, o, end, s);
        // A FabricPath frame ends with its own FCS (as tshark's dissector assumes, always).
        wireEnd -= FABRICPATH_FCS_LEN;
        if (end > wireEnd) end = wireEnd;
        break;
      case ETHERTYPE.VNTAG:
        o = decodeVntag(b, o, end, s);
        break;
      case ETHERTYPE.ARISTA:
        o = decodeArista(b, o, end, s);
        break;
      case ETHERTYPE.ARP:
        decodeArp(b, o, end, s);
        return;
      default:
        s.layers |= L.OTHER;
        return;
    }
  }
  if (o >= 0) s.fail(R.ENCAPSULATION_TOO_DEEP);
}

function decodeTransport(b: Uint8Array, end: number, s: PacketSummary): void {
  if (s.laterFragment) return;
  const o = s.l4Offset;
  switch (s.ipProto) {
    case IPPROTO.TCP:
      decodeTcp(b, o, end, s);
      break;
    case IPPROTO.UDP:
      decodeUdp(b, o, end, s);
      break;
    case IPPROTO.ICMP:
      decodeIcmp(b, o, end, s, false);
      break;
    case IPPROTO.ICMPV6:
      decodeIcmp(b, o, end, s, true);
      break;
    default:
      s.layers |= L.OTHER;
  }
}
