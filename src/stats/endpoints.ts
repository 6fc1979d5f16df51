/**
 * Endpoints: per IP address and per MAC address, packets and wire bytes sent (tx) and received
 * (rx), as tshark's `-z endpoints,ip` / `endpoints,eth` count them (outermost header only).
 */
import type { PacketSummary } from '../decode/summary.js';
import { FlowTable, growF64 } from './flow-table.js';

/** Key words: [kind, w0..w3]; a MAC is [KIND_MAC, hi16, lo32, 0, 0]. */
export const ENDPOINT_KEY_WORDS = 5;
export const KIND_MAC = 1;
export const KIND_IPV4 = 4;
export const KIND_IPV6 = 6;

export const DEFAULT_MAX_ENDPOINTS = 1_000_000;

/** Counter slots per endpoint: tx packets, tx bytes, rx packets, rx bytes. */
export const C = { TX_PKTS: 0, TX_BYTES: 1, RX_PKTS: 2, RX_BYTES: 3, N: 4 } as const;

/**
 * Per conversation side (conversation id * 2 + key side): the endpoint ids already looked up.
 * A conversation's IP endpoints never change and its MACs rarely do, so after its first packet
 * the common case costs no hash lookup at all.
 */
class SideCache {
  ip = new Int32Array(0);
  mac = new Int32Array(0);
  macHi = new Uint32Array(0);
  macLo = new Uint32Array(0);

  ensure(sides: number): void {
    if (sides <= this.ip.length) return;
    const n = Math.max(sides, this.ip.length * 2, 2048);
    const ip = new Int32Array(n).fill(-1);
    ip.set(this.ip);
    this.ip = ip;
    const mac = new Int32Array(n).fill(-1);
    mac.set(this.mac);
    this.mac = mac;
    const hi = new Uint32Array(n);
    hi.set(this.macHi);
    this.macHi = hi;
    const lo = new Uint32Array(n);
    lo.set(this.macLo);
    this.macLo = lo;
  }
}

export class Endpoints {
  readonly table: FlowTable;
  counts: Float64Array;
  /** Packet sides not counted because the table was at its limit. */
  refused = 0;
  private readonly key = new Uint32Array(ENDPOINT_KEY_WORDS);
  private readonly cache = new SideCache();

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

  /** The MAC endpoint of a conversation side, from the cache when the MAC is the one seen. */
  private sideMac(side: number, hi: number, lo: number): number {
    const c = this.cache;
    if (c.mac[side] >= 0 && c.macHi[side] === hi && c.macLo[side] === lo) return c.mac[side];
    const id = this.macId(hi, lo);
    c.mac[side] = id;
    c.macHi[side] = hi;
    c.macLo[side] = lo;
    return id;
  }

  /**
   * Counts one packet. `conv` is its conversation id (or -1) and `dir` its sender's key side
   * there, which lets the side cache stand in for the lookups.
   */
  ingest(s: PacketSummary, conv: number, dir: number): void {
    const bytes = s.wirelen;
    if (conv >= 0) {
      const c = this.cache;
      const src = conv * 2 + dir;
      const dst = conv * 2 + 1 - dir;
      c.ensure(conv * 2 + 2);
      if (c.ip[src] < 0) c.ip[src] = this.ipId(s.ipVersion, s.src);
      if (c.ip[dst] < 0) c.ip[dst] = this.ipId(s.ipVersion, s.dst);
      this.count(c.ip[src], C.TX_PKTS, bytes);
      this.count(c.ip[dst], C.RX_PKTS, bytes);
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
