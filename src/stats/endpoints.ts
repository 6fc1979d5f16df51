/**
 * Endpoints: per IP address and per MAC address, packets and wire bytes sent (tx) and received
 * (rx), as tshark's `-z endpoints,ip` / `endpoints,eth` count them (outermost header only).
 *
 * Most packets belong to a conversation, and a conversation's IP endpoints never change while
 * its MACs rarely do. So a conversation's packets are not counted per packet here: its row's
 * own counters are the endpoints' counts. Per key side the row remembers the MAC its packets
 * came from (tx) and went to (rx) and the side's counters when that MAC took over; only when a
 * MAC changes is the run before it added to the MAC's endpoint. `totals()` combines everything.
 * Packets outside any conversation (ARP, non-IP, a full table) are counted directly.
 */
import type { PacketSummary } from '../decode/summary.js';
import { CF, CW, type Conversations, MAC_NONE, MAC_PRESENT, ROW_F64 as CONV_F64, ROW_WORDS as CONV_WORDS } from './conversations.js';
import { FlowTable } from './flow-table.js';

/** Key words: [kind, w0..w3]; a MAC is [KIND_MAC, hi16, lo32, 0, 0]. */
export const ENDPOINT_KEY_WORDS = 5;
export const KIND_MAC = 1;
export const KIND_IPV4 = 4;
export const KIND_IPV6 = 6;

export const DEFAULT_MAX_ENDPOINTS = 1_000_000;

/** Row: the key, one word of padding, then four Float64 counters. */
const ROW_WORDS = 14;
const ROW_F64 = ROW_WORDS / 2;
/** Counter indexes in the row's Float64 view: tx packets, tx bytes, rx packets, rx bytes. */
export const C = { TX_PKTS: 3, TX_BYTES: 4, RX_PKTS: 5, RX_BYTES: 6 } as const;
/** Counter slots per endpoint in a `totals()` array. */
export const T = { TX_PKTS: 0, TX_BYTES: 1, RX_PKTS: 2, RX_BYTES: 3, N: 4 } as const;


/** Endpoint ids per conversation in `totals()`: both sides' IP, tx MAC and rx MAC. */
const CONV_IDS = 6;

export class Endpoints {
  readonly table: FlowTable;
  private readonly key = new Uint32Array(ENDPOINT_KEY_WORDS);
  /**
   * What pass 1 of `totals()` found for each conversation, kept for the next call: a dashboard
   * totals every second, and 100,000 conversations cost 600,000 hash lookups, most of them cache
   * misses (~50 ms here). A conversation's IPs are its key and never change; its MACs change
   * only in switchMac, which marks the entry stale. 25 bytes per conversation.
   */
  private convIds = new Int32Array(0);
  /** The last MAC looked up and its id (endpoint ids never change). */
  private lastMacHi = -1;
  private lastMacLo = -1;
  private lastMacId = -1;
  private convIdsFresh = new Uint8Array(0);

  constructor(limit = DEFAULT_MAX_ENDPOINTS) {
    this.table = new FlowTable(ENDPOINT_KEY_WORDS, ROW_WORDS, limit);
  }

  get size(): number {
    return this.table.size;
  }

  /** Adds to endpoint `id`; -1 (the table was full) is dropped: the report has no field for it. */
  private count(id: number, slot: number, packets: number, bytes: number): void {
    if (id < 0) return;
    const f = this.table.f64;
    const o = id * ROW_F64 + slot;
    f[o] += packets;
    f[o + 1] += bytes;
  }

  private ipId(version: number, a: ArrayLike<number>, at = 0): number {
    const k = this.key;
    k[0] = version === 6 ? KIND_IPV6 : KIND_IPV4;
    k[1] = a[at];
    k[2] = a[at + 1];
    k[3] = a[at + 2];
    k[4] = a[at + 3];
    return this.table.lookupOrInsert(k);
  }

  private macId(hi: number, lo: number): number {
    // Most MAC lookups on a span port are of the same router or host again: one remembered.
    if (hi === this.lastMacHi && lo === this.lastMacLo && this.lastMacId >= 0) return this.lastMacId;
    const id = this.lookupMac(hi, lo);
    this.lastMacHi = hi;
    this.lastMacLo = lo;
    this.lastMacId = id;
    return id;
  }

  private lookupMac(hi: number, lo: number): number {
    const k = this.key;
    k[0] = KIND_MAC;
    k[1] = hi;
    k[2] = lo;
    k[3] = 0;
    k[4] = 0;
    return this.table.lookupOrInsert(k);
  }

  /** Counts a packet that belongs to no conversation (no IP header, or the table was full). */
  ingest(s: PacketSummary): void {
    const bytes = s.wirelen;
    if (s.ipVersion !== 0) {
      this.count(this.ipId(s.ipVersion, s.src), C.TX_PKTS, 1, bytes);
      this.count(this.ipId(s.ipVersion, s.dst), C.RX_PKTS, 1, bytes);
    }
    if (s.hasSrcMac) this.count(this.macId(s.srcMacHi, s.srcMacLo), C.TX_PKTS, 1, bytes);
    if (s.hasDstMac) this.count(this.macId(s.dstMacHi, s.dstMacLo), C.RX_PKTS, 1, bytes);
  }

  /**
   * Notes the MACs of a packet of conversation `id` sent by its key side `dir`, after the
   * conversation counted it. The common case compares four words of the row and writes nothing.
   */
  ingestConversation(s: PacketSummary, conv: Conversations, id: number, dir: number): void {
    const w = conv.table.u32;
    const row = id * CONV_WORDS;
    const src = s.hasSrcMac ? s.srcMacHi | MAC_PRESENT : MAC_NONE;
    const srcLo = s.hasSrcMac ? s.srcMacLo : 0;
    if (w[row + CW.TX_MAC_HI + dir] !== src || w[row + CW.TX_MAC_LO + dir] !== srcLo) {
      this.switchMac(conv, id, dir, true, src, srcLo, s.wirelen);
    }
    const dst = s.hasDstMac ? s.dstMacHi | MAC_PRESENT : MAC_NONE;
    const dstLo = s.hasDstMac ? s.dstMacLo : 0;
    const rx = 1 - dir;
    if (w[row + CW.RX_MAC_HI + rx] !== dst || w[row + CW.RX_MAC_LO + rx] !== dstLo) {
      this.switchMac(conv, id, rx, false, dst, dstLo, s.wirelen);
    }
  }

  /**
   * Side `side`'s tx (or rx) MAC changed with the packet just counted: the run before that
   * packet goes to the old MAC's endpoint, and the new MAC's run starts with the packet.
   */
  private switchMac(conv: Conversations, id: number, side: number, tx: boolean, hi: number, lo: number, bytes: number): void {
    const t = conv.table;
    const row = id * CONV_WORDS;
    const rf = id * CONV_F64;
    // tx counts what the side sent; rx what the other side sent to it.
    const sender = tx ? side : 1 - side;
    const pkts = t.f64[rf + CF.PKTS + sender] - 1;
    const byts = t.f64[rf + CF.BYTES + sender] - bytes;
    const hiAt = row + (tx ? CW.TX_MAC_HI : CW.RX_MAC_HI) + side;
    const loAt = row + (tx ? CW.TX_MAC_LO : CW.RX_MAC_LO) + side;
    const baseP = rf + (tx ? CF.TX_BASE_PKTS : CF.RX_BASE_PKTS) + side;
    const baseB = rf + (tx ? CF.TX_BASE_BYTES : CF.RX_BASE_BYTES) + side;
    const old = t.u32[hiAt];
    if (id < this.convIdsFresh.length) this.convIdsFresh[id] = 0;
    if ((old & MAC_PRESENT) !== 0 && pkts > t.f64[baseP]) {
      this.count(this.macId(old & 0xffff, t.u32[loAt]), tx ? C.TX_PKTS : C.RX_PKTS, pkts - t.f64[baseP], byts - t.f64[baseB]);
    }
    // The lookup above may have grown only the endpoint table: the conversation views stand.
    t.u32[hiAt] = hi;
    t.u32[loAt] = lo;
    t.f64[baseP] = pkts;
    t.f64[baseB] = byts;
  }

  /**
   * Conversation `id` leaves the flow table: what its row counted for its endpoints (its IPs, and
   * its MACs since they took over; pass 2 of `totals()`) is added to theirs for good.
   */
  settle(conv: Conversations, id: number): void {
    const t = conv.table;
    const row = id * CONV_WORDS;
    const rf = id * CONV_F64;
    const version = conv.version(id);
    for (let side = 0; side < 2; side++) {
      const sentP = t.f64[rf + CF.PKTS + side];
      const sentB = t.f64[rf + CF.BYTES + side];
      const gotP = t.f64[rf + CF.PKTS + 1 - side];
      const gotB = t.f64[rf + CF.BYTES + 1 - side];
      const ip = this.ipId(version, t.u32, conv.addrOffset(id, side));
      this.count(ip, C.TX_PKTS, sentP, sentB);
      this.count(ip, C.RX_PKTS, gotP, gotB);
      const txHi = t.u32[row + CW.TX_MAC_HI + side];
      if ((txHi & MAC_PRESENT) !== 0) {
        const mac = this.macId(txHi & 0xffff, t.u32[row + CW.TX_MAC_LO + side]);
        this.count(mac, C.TX_PKTS, sentP - t.f64[rf + CF.TX_BASE_PKTS + side], sentB - t.f64[rf + CF.TX_BASE_BYTES + side]);
      }
      const rxHi = t.u32[row + CW.RX_MAC_HI + side];
      if ((rxHi & MAC_PRESENT) !== 0) {
        const mac = this.macId(rxHi & 0xffff, t.u32[row + CW.RX_MAC_LO + side]);
        this.count(mac, C.RX_PKTS, gotP - t.f64[rf + CF.RX_BASE_PKTS + side], gotB - t.f64[rf + CF.RX_BASE_BYTES + side]);
      }
    }
  }

  /** Conversation `from` now lives at id `to` (FlowTable.remove): its cached endpoint ids follow. */
  moved(from: number, to: number): void {
    const fresh = this.convIdsFresh;
    if (from >= fresh.length) return;
    this.convIds.copyWithin(to * CONV_IDS, from * CONV_IDS, (from + 1) * CONV_IDS);
    fresh[to] = fresh[from]!;
  }

  /** Conversation ids `size`..`was`-1 were freed: whatever comes there is looked up anew. */
  shrunk(size: number, was: number): void {
    this.convIdsFresh.fill(0, size, was);
  }

  /**
   * Counters of every endpoint, conversations included: [id * T.N + T.*]. Does not change what
   * was counted, so it can be taken again later. Inserts endpoints first seen through
   * conversations, so call it before reading `size`, `kind` or `addrOffset` for output.
   */
  totals(conv: Conversations): Float64Array {
    const t = conv.table;
    const n = conv.size;
    // Pass 1: the endpoint id of each conversation side's IP and current MACs (kept from the
    // last call unless a MAC changed since).
    if (this.convIds.length < n * CONV_IDS) {
      const cap = Math.max(n, Math.ceil((this.convIds.length / CONV_IDS) * 1.5));
      const ids = new Int32Array(cap * CONV_IDS);
      ids.set(this.convIds);
      this.convIds = ids;
      const fresh = new Uint8Array(cap);
      fresh.set(this.convIdsFresh);
      this.convIdsFresh = fresh;
    }
    const ids = this.convIds;
    const fresh = this.convIdsFresh;
    for (let id = 0; id < n; id++) {
      if (fresh[id] === 1) continue;
      fresh[id] = 1;
      const row = id * CONV_WORDS;
      const version = conv.version(id);
      for (let side = 0; side < 2; side++) {
        ids[id * CONV_IDS + side] = this.ipId(version, t.u32, conv.addrOffset(id, side));
        const txHi = t.u32[row + CW.TX_MAC_HI + side];
        const rxHi = t.u32[row + CW.RX_MAC_HI + side];
        ids[id * CONV_IDS + 2 + side] = (txHi & MAC_PRESENT) !== 0 ? this.macId(txHi & 0xffff, t.u32[row + CW.TX_MAC_LO + side]) : -1;
        ids[id * CONV_IDS + 4 + side] = (rxHi & MAC_PRESENT) !== 0 ? this.macId(rxHi & 0xffff, t.u32[row + CW.RX_MAC_LO + side]) : -1;
      }
    }
    // Pass 2: what was counted directly, plus each conversation side's share.
    const size = this.table.size;
    const out = new Float64Array(size * T.N);
    const f = this.table.f64;
    for (let e = 0; e < size; e++) {
      out[e * T.N + T.TX_PKTS] = f[e * ROW_F64 + C.TX_PKTS];
      out[e * T.N + T.TX_BYTES] = f[e * ROW_F64 + C.TX_BYTES];
      out[e * T.N + T.RX_PKTS] = f[e * ROW_F64 + C.RX_PKTS];
      out[e * T.N + T.RX_BYTES] = f[e * ROW_F64 + C.RX_BYTES];
    }
    // -1: no MAC on that side, or the endpoint table was full (not in the report's schema).
    const add = (e: number, tx: boolean, packets: number, bytes: number): void => {
      if (e < 0) return;
      out[e * T.N + (tx ? T.TX_PKTS : T.RX_PKTS)] += packets;
      out[e * T.N + (tx ? T.TX_BYTES : T.RX_BYTES)] += bytes;
    };
    for (let id = 0; id < n; id++) {
      const rf = id * CONV_F64;
      for (let side = 0; side < 2; side++) {
        const sentP = t.f64[rf + CF.PKTS + side];
        const sentB = t.f64[rf + CF.BYTES + side];
        const gotP = t.f64[rf + CF.PKTS + 1 - side];
        const gotB = t.f64[rf + CF.BYTES + 1 - side];
        add(ids[id * CONV_IDS + side], true, sentP, sentB);
        add(ids[id * CONV_IDS + side], false, gotP, gotB);
        add(ids[id * CONV_IDS + 2 + side], true, sentP - t.f64[rf + CF.TX_BASE_PKTS + side], sentB - t.f64[rf + CF.TX_BASE_BYTES + side]);
        add(ids[id * CONV_IDS + 4 + side], false, gotP - t.f64[rf + CF.RX_BASE_PKTS + side], gotB - t.f64[rf + CF.RX_BASE_BYTES + side]);
      }
    }
    return out;
  }

  kind(id: number): number {
    return this.table.u32[id * ROW_WORDS];
  }

  /** Index in `table.u32` of the endpoint's address words (after the kind). */
  addrOffset(id: number): number {
    return id * ROW_WORDS + 1;
  }
}
