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

export class Endpoints {
  readonly table: FlowTable;
  counts: Float64Array;
  /** Packet sides not counted because the table was at its limit. */
  refused = 0;
  private readonly key = new Uint32Array(ENDPOINT_KEY_WORDS);

  constructor(limit = DEFAULT_MAX_ENDPOINTS) {
    this.table = new FlowTable(ENDPOINT_KEY_WORDS, limit);
    this.counts = new Float64Array(this.table.capacity * C.N);
  }

  get size(): number {
    return this.table.size;
  }

  private add(slot: number, bytes: number): void {
    const id = this.table.lookupOrInsert(this.key);
    if (id < 0) {
      this.refused++;
      return;
    }
    if (this.table.grown) {
      this.counts = growF64(this.counts, this.table.capacity * C.N);
      this.table.grown = false;
    }
    const o = id * C.N + slot;
    this.counts[o]++;
    this.counts[o + 1] += bytes;
  }

  private ip(version: number, a: Uint32Array, slot: number, bytes: number): void {
    const k = this.key;
    k[0] = version === 6 ? KIND_IPV6 : KIND_IPV4;
    k[1] = a[0];
    k[2] = a[1];
    k[3] = a[2];
    k[4] = a[3];
    this.add(slot, bytes);
  }

  private mac(hi: number, lo: number, slot: number, bytes: number): void {
    const k = this.key;
    k[0] = KIND_MAC;
    k[1] = hi;
    k[2] = lo;
    k[3] = 0;
    k[4] = 0;
    this.add(slot, bytes);
  }

  ingest(s: PacketSummary): void {
    const bytes = s.wirelen;
    if (s.ipVersion !== 0) {
      this.ip(s.ipVersion, s.src, C.TX_PKTS, bytes);
      this.ip(s.ipVersion, s.dst, C.RX_PKTS, bytes);
    }
    if (s.hasSrcMac) this.mac(s.srcMacHi, s.srcMacLo, C.TX_PKTS, bytes);
    if (s.hasDstMac) this.mac(s.dstMacHi, s.dstMacLo, C.RX_PKTS, bytes);
  }

  kind(id: number): number {
    return this.table.keys[id * ENDPOINT_KEY_WORDS];
  }
}
