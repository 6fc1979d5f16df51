/**
 * Where the length fields are, in a packet and in a capture file, found by walking the
 * unmutated bytes. These are the fields a decoder must not trust (STYLE.md §2): pcap record
 * caplen/wirelen, pcapng block total lengths and option lengths, IPv4 IHL and total length,
 * IPv6 payload length and next-header chain, TCP data offset, UDP length; plus the type fields
 * (EtherType, link type, IP protocol) that choose which decoder reads what follows.
 */
import { LINKTYPE } from '../../src/capture/linktype.js';
import type { PacketSummary } from '../../src/decode/summary.js';
import type { Field } from './mutate.js';

/** Link types the decoder knows, and one it does not, for records re-labelled by the fuzzer. */
export const LINKTYPES: readonly number[] = [...Object.values(LINKTYPE), 12, 147];

/** EtherTypes with a decoder behind them (src/decode/ethernet.ts), to steer a frame into each. */
const ETHERTYPES = [
  0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x9100, 0x9200, 0x8847, 0x8848, 0x8864, 0x88e5, 0x894f, 0x88e7, 0x8903,
  0x8926, 0xd28b, 0x05dc,
];
/** IP protocols, IPv6 extension headers among them, for the next-header chains. */
const IP_PROTOCOLS = [0, 1, 4, 6, 17, 41, 43, 44, 50, 51, 58, 59, 60, 135, 139, 140, 253];
const IPV6_EXTENSIONS = new Set([0, 43, 44, 51, 60, 135, 139, 140]);

const ETH_TYPE_OFF = 12;
const ETH_HEADER = 14;
const VLAN_TAG = 4;
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
const SLL_PROTO_OFF = 14;
const SLL_HEADER = 16;
const SLL2_HEADER = 20;
const LOOPBACK_HEADER = 4;
const IPV4_TOTAL_LEN_OFF = 2;
const IPV4_PROTO_OFF = 9;
const IPV6_PAYLOAD_LEN_OFF = 4;
const IPV6_NEXT_OFF = 6;
const IPV6_HEADER = 40;
/** Extension headers walked for targets; real chains in the fixtures are one or two long. */
const MAX_EXT_TARGETS = 4;
const EXT_UNIT = 8;
const TCP_DATA_OFFSET_OFF = 12;
const TCP_HEADER = 20;
const UDP_LENGTH_OFF = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

function be16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Length and type fields of one frame. `s` is the frame's clean decode at offset 0. */
export function packetFields(b: Uint8Array, linktype: number, s: PacketSummary): Field[] {
  const out: Field[] = [];
  const u8 = (off: number, values?: readonly number[]): void => {
    if (off < b.length) out.push({ off, width: 'u8', le: false, values });
  };
  const u16 = (off: number, values?: readonly number[]): void => {
    if (off + 1 < b.length) out.push({ off, width: 'u16', le: false, values });
  };
  let ip = -1;
  switch (linktype) {
    case LINKTYPE.EN10MB: {
      let o = ETH_HEADER;
      u16(ETH_TYPE_OFF, ETHERTYPES);
      while (o <= b.length && VLAN_TPIDS.has(be16(b, o - 2))) {
        u16(o + 2, ETHERTYPES);
        o += VLAN_TAG;
      }
      ip = o;
      break;
    }
    case LINKTYPE.LINUX_SLL:
      u16(SLL_PROTO_OFF, ETHERTYPES);
      ip = SLL_HEADER;
      break;
    case LINKTYPE.LINUX_SLL2:
      u16(0, ETHERTYPES);
      ip = SLL2_HEADER;
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      ip = LOOPBACK_HEADER;
      break;
    default:
      ip = 0;
  }
  if (ip >= b.length) return out;
  const version = b[ip]! >> 4;
  if (version === 4) {
    out.push({ off: ip, width: 'lo4', le: false });
    out.push({ off: ip, width: 'hi4', le: false, values: [4, 6] });
    u16(ip + IPV4_TOTAL_LEN_OFF);
    u8(ip + IPV4_PROTO_OFF, IP_PROTOCOLS);
  } else if (version === 6) {
    u16(ip + IPV6_PAYLOAD_LEN_OFF);
    u8(ip + IPV6_NEXT_OFF, IP_PROTOCOLS);
    // The extension chain: each header's next-header byte and its length in 8-octet units.
    let next = b[ip + IPV6_NEXT_OFF]!;
    let o = ip + IPV6_HEADER;
    for (let n = 0; n < MAX_EXT_TARGETS && IPV6_EXTENSIONS.has(next) && o + 1 < b.length; n++) {
      u8(o, IP_PROTOCOLS);
      u8(o + 1);
      next = b[o]!;
      o += (b[o + 1]! + 1) * EXT_UNIT;
    }
  }
  if (s.ipVersion !== 0 && !s.laterFragment) {
    const l4 = s.l4Offset;
    if (s.ipProto === IPPROTO_TCP) {
      out.push({ off: l4 + TCP_DATA_OFFSET_OFF, width: 'hi4', le: false });
      // The first TCP option's length byte, when there are options.
      if (l4 + TCP_HEADER + 1 < b.length) u8(l4 + TCP_HEADER + 1);
    } else if (s.ipProto === IPPROTO_UDP) {
      u16(l4 + UDP_LENGTH_OFF);
    }
  }
  return out.filter((f) => f.off < b.length);
}

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xa1b23c4d]);
const PCAP_FILE_HEADER = 24;
const PCAP_SNAPLEN_OFF = 16;
const PCAP_LINKTYPE_OFF = 20;
const PCAP_RECORD_HEADER = 16;
const PCAP_CAPLEN_OFF = 8;
const PCAP_WIRELEN_OFF = 12;

const SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const SPB = 3;
const NRB = 4;
const ISB = 5;
const EPB = 6;
/** Offset of the options in each block type (pcapng draft §4); EPB's follow the padded data. */
const OPTIONS_AT: Record<number, number> = { [SHB]: 24, [IDB]: 16, [ISB]: 20 };
const EPB_CAPLEN_OFF = 20;
const EPB_ORIGLEN_OFF = 24;
const EPB_DATA_OFF = 28;
const SPB_ORIGLEN_OFF = 8;
const IDB_LINKTYPE_OFF = 8;
const IDB_SNAPLEN_OFF = 12;
const BLOCK_HEADER = 8;
const OPTION_HEADER = 4;
const ALIGN = 4;
const MAX_RECORD_BYTES = 262144;

const pad4 = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);

/** Length and type fields of a pcap or pcapng file, in file order. */
export function fileFields(b: Buffer): Field[] {
  const out: Field[] = [];
  if (b.length < PCAP_FILE_HEADER) return out;
  const le32 = b.readUInt32LE(0);
  if (PCAP_MAGICS.has(le32) || PCAP_MAGICS.has(b.readUInt32BE(0))) {
    const le = PCAP_MAGICS.has(le32);
    out.push({ off: PCAP_SNAPLEN_OFF, width: 'u32', le, values: [MAX_RECORD_BYTES, MAX_RECORD_BYTES + 1] });
    out.push({ off: PCAP_LINKTYPE_OFF, width: 'u32', le, values: LINKTYPES });
    for (let p = PCAP_FILE_HEADER; p + PCAP_RECORD_HEADER <= b.length; ) {
      const caplen = le ? b.readUInt32LE(p + PCAP_CAPLEN_OFF) : b.readUInt32BE(p + PCAP_CAPLEN_OFF);
      out.push({ off: p + PCAP_CAPLEN_OFF, width: 'u32', le, values: [MAX_RECORD_BYTES, MAX_RECORD_BYTES + 1] });
      out.push({ off: p + PCAP_WIRELEN_OFF, width: 'u32', le });
      p += PCAP_RECORD_HEADER + caplen;
    }
    return out;
  }
  if (le32 !== SHB) return out;
  let le = true;
  for (let p = 0; p + BLOCK_HEADER <= b.length; ) {
    const type = b.readUInt32LE(p) === SHB ? SHB : le ? b.readUInt32LE(p) : b.readUInt32BE(p);
    if (type === SHB && p + BLOCK_HEADER + ALIGN <= b.length) le = b.readUInt32LE(p + BLOCK_HEADER) === BOM;
    const u32 = (off: number, values?: readonly number[]): number => {
      out.push({ off, width: 'u32', le, values });
      return le ? b.readUInt32LE(off) : b.readUInt32BE(off);
    };
    const u16 = (off: number, values?: readonly number[]): number => {
      out.push({ off, width: 'u16', le, values });
      return le ? b.readUInt16LE(off) : b.readUInt16BE(off);
    };
    const len = u32(p + ALIGN);
    if (len < BLOCK_HEADER + ALIGN || p + len > b.length) break;
    u32(p + len - ALIGN);
    let opts = OPTIONS_AT[type] ?? -1;
    if (type === IDB) {
      u16(p + IDB_LINKTYPE_OFF, LINKTYPES);
      u32(p + IDB_SNAPLEN_OFF);
    } else if (type === EPB) {
      const caplen = u32(p + EPB_CAPLEN_OFF, [MAX_RECORD_BYTES + 1]);
      u32(p + EPB_ORIGLEN_OFF);
      opts = EPB_DATA_OFF + pad4(caplen);
    } else if (type === SPB) {
      u32(p + SPB_ORIGLEN_OFF);
    } else if (type === NRB) {
      // Name records are option-shaped (type, length, value padded): same walk.
      opts = BLOCK_HEADER;
    }
    if (opts >= 0) {
      const stop = p + len - ALIGN;
      for (let q = p + opts; q + OPTION_HEADER <= stop; ) {
        const code = le ? b.readUInt16LE(q) : b.readUInt16BE(q);
        const olen = u16(q + 2);
        if (code === 0) break;
        q += OPTION_HEADER + pad4(olen);
      }
    }
    p += len;
  }
  return out;
}
