/**
 * Endpoints: per IP address and per MAC address, packets and wire bytes sent (tx) and received
 * (rx), as tshark's `-z endpoints,ip` / `endpoints,eth` count them (outermost header only).
 */
import type { PacketSummary } from '../decode/summary.js';
import { FlowTable, growF64, growI32 } from './flow-table.js';

/** Key words: [kind, w0..w3]; a MAC is [KIND_MAC, hi16, lo32, 0, 0]. */
export const ENDPOINT_KEY_WORDS = 5;
export const KIND_MAC = 1;
export const KIND_IPV4 = 4;
export const KIND_IPV6 = 6;

export const DEFAULT_MAX_ENDPOINTS = 1_000_000;

/** Counter slots per endpoint: tx packets, tx bytes, rx packets, rx bytes. */
export const C = { TX_PKTS: 0, TX_BYTES: 1, RX_PKTS: 2, RX_BYTES: 3, N: 4 } as const;

/**
 * Per conversation side (conversation id * 2 + key side): the endpoint ids already looked up,
 * one row of SIDE_WORDS. A conversation's IP endpoints never change and its MACs rarely do, so
 * after its first packets the common case costs no hash lookup at all.
 */
const SC = { IP: 0, MAC: 1, MAC_HI: 2, MAC_LO: 3 } as const;
const SIDE_WORDS = 4;
const UNKNOWN = -1;

export class Endpoints {
  readonly table: FlowTable;
  counts: Float64Array;
  /** Packet sides not counted because the table was at its limit. */
  refused = 0;
  private readonly key = new Uint32Array(ENDPOINT_KEY_WORDS);
  /** See SC: rows of endpoint ids per conversation side. */
  private cache = new Int32Array(0);

  constructor(limit = DEFAULT_MAX_ENDPOINTS) {
    this.table = new FlowTable(ENDPOINT_KEY_WORDS, limit);
    this.counts = new Float64Array(this.table.capacity * C.N);
  }

  get size(): number {
    return this.table.size;
  }

  /** The id of the endpoint in `key`, inserting it; -1 when the table is full. */
  private lookup(): number {
    const id = this.table.lookupOrInsert(this.key);
    if (this.table.grown) {
      this.counts = growF64(this.counts, this.table.capacity * C.N);
      this.table.grown = false;
    }
    return id;
  }

  private count(id: number, slot: number, bytes: number): void {
    if (id < 0) {
      this.refused++;
      return;
    }
    const o = id * C.N + slot;
    this.counts[o]++;
    this.counts[o + 1] += bytes;
  }

  private ipId(version: number, a: Uint32Array): number {
    const k = this.key;
    k[0] = version === 6 ? KIND_IPV6 : KIND_IPV4;
    k[1] = a[0];
    k[2] = a[1];
    k[3] = a[2];
    k[4] = a[3];
    return this.lookup();
  }

  private macId(hi: number, lo: number): number {
    const k = this.key;
    k[0] = KIND_MAC;
    k[1] = hi;
    k[2] = lo;
    k[3] = 0;
    k[4] = 0;
    return this.lookup();
  }

  /** Room in the side cache for conversation side `side`. */
  private ensureCache(side: number): void {
    if ((side + 1) * SIDE_WORDS <= this.cache.length) return;
    const n = Math.max((side + 1) * SIDE_WORDS, this.cache.length * 2, 4096);
    this.cache = growI32(this.cache, n, UNKNOWN);
  }

  /** The IP endpoint id of a conversation side (looked up once). */
  private sideIp(side: number, version: number, addr: Uint32Array): number {
    const at = side * SIDE_WORDS + SC.IP;
    let id = this.cache[at];
    if (id === UNKNOWN) this.cache[at] = id = this.ipId(version, addr);
    return id;
  }

  /** The MAC endpoint id of a conversation side, from the cache when the MAC is the one seen. */
  private sideMac(side: number, hi: number, lo: number): number {
    const c = this.cache;
    const o = side * SIDE_WORDS;
    if (c[o + SC.MAC] !== UNKNOWN && c[o + SC.MAC_HI] === hi && c[o + SC.MAC_LO] === (lo | 0)) return c[o + SC.MAC];
    const id = this.macId(hi, lo);
    c[o + SC.MAC] = id;
    c[o + SC.MAC_HI] = hi;
    c[o + SC.MAC_LO] = lo;
    return id;
  }

  /**
   * Counts one packet. `conv` is its conversation id (or -1) and `dir` its sender's key side
   * there, which lets the side cache stand in for the lookups.
   */
  ingest(s: PacketSummary, conv: number, dir: number): void {
    const bytes = s.wirelen;
    if (conv >= 0) {
      const src = conv * 2 + dir;
      const dst = conv * 2 + 1 - dir;
      this.ensureCache(conv * 2 + 1);
      this.count(this.sideIp(src, s.ipVersion, s.src), C.TX_PKTS, bytes);
      this.count(this.sideIp(dst, s.ipVersion, s.dst), C.RX_PKTS, bytes);
      if (s.hasSrcMac) this.count(this.sideMac(src, s.srcMacHi, s.srcMacLo), C.TX_PKTS, bytes);
      if (s.hasDstMac) this.count(this.sideMac(dst, s.dstMacHi, s.dstMacLo), C.RX_PKTS, bytes);
      return;
    }
    if (s.ipVersion !== 0) {
      this.count(this.ipId(s.ipVersion, s.src), C.TX_PKTS, bytes);
      this.count(this.ipId(s.ipVersion, s.dst), C.RX_PKTS, bytes);
    }
    if (s.hasSrcMac) this.count(this.macId(s.srcMacHi, s.srcMacLo), C.TX_PKTS, bytes);
    if (s.hasDstMac) this.count(this.macId(s.dstMacHi, s.dstMacLo), C.RX_PKTS, bytes);
  }

  kind(id: number): number {
    return this.table.keys[id * ENDPOINT_KEY_WORDS];
  }
}
