/**
 * Conversations: one row per protocol and pair of endpoints, both directions together.
 * Endpoints are IP + port for TCP and UDP, IP alone for ICMP, other IP protocols, fragments
 * after the first, and transport headers we could not read.
 *
 * The key is canonical (the lower endpoint first), so A→B and B→A land in the same row; each
 * packet's direction is its position relative to that order. Which side is the originator is
 * tracked separately: the sender of the first pure SYN when one was seen, else the sender of
 * the first packet.
 */
import { IPPROTO, type PacketSummary } from '../decode/summary.js';
import { TCP_FLAG } from '../decode/tcp.js';
import { FlowTable, growF64, growU8 } from './flow-table.js';
import { TcpTracker } from './tcp-state.js';

/** Key words: [version<<16 | ports flag | proto, A0..A3, B0..B3, portA<<16 | portB]. */
export const CONV_KEY_WORDS = 10;
const K = { PROTO: 0, A: 1, B: 5, PORTS: 9 } as const;
/** Set in the proto word when the row is keyed by ports (TCP/UDP with a readable header). */
const PORTS_FLAG = 0x8000;
const PROTO_MASK = 0x1ff;
/** The proto value of a row of later fragments (above every IP protocol number). */
export const PROTO_FRAGMENT = 256;

const PURE_SYN_MASK = TCP_FLAG.SYN | TCP_FLAG.ACK | TCP_FLAG.RST | TCP_FLAG.FIN;

/** Default limit on conversations held at once (memory: see README, "Flow table"). */
export const DEFAULT_MAX_CONVERSATIONS = 1_000_000;

export class Conversations {
  readonly table: FlowTable;
  /** Packets and wire bytes per direction: [id*2] key A→B, [id*2+1] key B→A. */
  pkts: Float64Array;
  bytes: Float64Array;
  firstTs: Float64Array;
  lastTs: Float64Array;
  /** 0: key side A is the originator; 1: side B. */
  origSide: Uint8Array;
  /** 1 once a pure SYN fixed the originator. */
  sawSyn: Uint8Array;
  /** TCP rows: index into `tcp`; -1 for other rows. */
  tcpIndex: Int32Array;
  readonly tcp = new TcpTracker();
  /** Packets of new conversations turned away because the table was at its limit. */
  refused = 0;

  private readonly key = new Uint32Array(CONV_KEY_WORDS);

  constructor(limit = DEFAULT_MAX_CONVERSATIONS) {
    this.table = new FlowTable(CONV_KEY_WORDS, limit);
    const cap = this.table.capacity;
    this.pkts = new Float64Array(cap * 2);
    this.bytes = new Float64Array(cap * 2);
    this.firstTs = new Float64Array(cap).fill(Infinity);
    this.lastTs = new Float64Array(cap).fill(-Infinity);
    this.origSide = new Uint8Array(cap);
    this.sawSyn = new Uint8Array(cap);
    this.tcpIndex = new Int32Array(cap).fill(-1);
  }

  get size(): number {
    return this.table.size;
  }

  private grow(): void {
    const cap = this.table.capacity;
    this.pkts = growF64(this.pkts, cap * 2);
    this.bytes = growF64(this.bytes, cap * 2);
    this.firstTs = growF64(this.firstTs, cap, Infinity);
    this.lastTs = growF64(this.lastTs, cap, -Infinity);
    this.origSide = growU8(this.origSide, cap);
    this.sawSyn = growU8(this.sawSyn, cap);
    const tcpIndex = new Int32Array(cap).fill(-1);
    tcpIndex.set(this.tcpIndex);
    this.tcpIndex = tcpIndex;
    this.table.grown = false;
  }

  /** Key side (0 = A) of the last ingested packet's sender. */
  lastDir = 0;

  /**
   * Adds one decoded packet and returns its conversation id (its sender's key side is then in
   * `lastDir`), or -1: no IP header, or the table is full.
   */
  ingest(s: PacketSummary): number {
    if (s.ipVersion === 0) return -1;
    const k = this.key;
    const proto = s.laterFragment ? PROTO_FRAGMENT : s.ipProto;
    const sp = s.hasPorts ? s.srcPort : 0;
    const dp = s.hasPorts ? s.dstPort : 0;
    // Canonical order: compare (address, port) of source and destination.
    let cmp = 0;
    for (let i = 0; i < 4 && cmp === 0; i++) cmp = s.src[i] - s.dst[i];
    if (cmp === 0) cmp = sp - dp;
    const dir = cmp <= 0 ? 0 : 1;
    const a = dir === 0 ? s.src : s.dst;
    const b = dir === 0 ? s.dst : s.src;
    k[K.PROTO] = (s.ipVersion << 16) | (s.hasPorts ? PORTS_FLAG : 0) | proto;
    for (let i = 0; i < 4; i++) {
      k[K.A + i] = a[i];
      k[K.B + i] = b[i];
    }
    k[K.PORTS] = dir === 0 ? ((sp << 16) | dp) >>> 0 : ((dp << 16) | sp) >>> 0;

    const id = this.table.lookupOrInsert(k);
    if (id < 0) {
      // Counting distinct refused keys would need the very table that is full: count packets.
      this.refused++;
      return -1;
    }
    if (this.table.grown) this.grow();
    const isTcp = proto === IPPROTO.TCP && s.hasPorts;
    if (this.table.inserted) {
      this.origSide[id] = dir;
      this.sawSyn[id] = 0;
      if (isTcp) this.tcpIndex[id] = this.tcp.add();
    }
    if (isTcp && this.sawSyn[id] === 0 && (s.tcpFlags & PURE_SYN_MASK) === TCP_FLAG.SYN) {
      this.sawSyn[id] = 1;
      if (this.origSide[id] !== dir) {
        this.origSide[id] = dir;
        this.tcp.flipped(this.tcpIndex[id], dir);
      }
    }
    const d = id * 2 + dir;
    this.pkts[d]++;
    this.bytes[d] += s.wirelen;
    if (s.hasTs) {
      if (s.ts < this.firstTs[id]) this.firstTs[id] = s.ts;
      if (s.ts > this.lastTs[id]) this.lastTs[id] = s.ts;
    }
    if (isTcp) this.tcp.update(this.tcpIndex[id], dir, this.origSide[id], s);
    this.lastDir = dir;
    return id;
  }

  /** Key accessors for output. */
  version(id: number): number {
    return this.table.keys[id * CONV_KEY_WORDS + K.PROTO] >>> 16;
  }
  proto(id: number): number {
    return this.table.keys[id * CONV_KEY_WORDS + K.PROTO] & PROTO_MASK;
  }
  hasPorts(id: number): boolean {
    return (this.table.keys[id * CONV_KEY_WORDS + K.PROTO] & PORTS_FLAG) !== 0;
  }
  /** Offset in `table.keys` of side 0 (A) or 1 (B)'s address words. */
  addrOffset(id: number, side: number): number {
    return id * CONV_KEY_WORDS + (side === 0 ? K.A : K.B);
  }
  port(id: number, side: number): number {
    const w = this.table.keys[id * CONV_KEY_WORDS + K.PORTS];
    return side === 0 ? w >>> 16 : w & 0xffff;
  }
}
