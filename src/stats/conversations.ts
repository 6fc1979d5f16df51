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
import { ipProtocolName } from '../decode/names.js';
import { IPPROTO, type PacketSummary } from '../decode/summary.js';
import { TCP_FLAG } from '../decode/tcp.js';
import { formatMac } from './address.js';
import { FlowTable, growU32 } from './flow-table.js';
import { DEFAULT_IDLE_TIMEOUTS, DEFAULT_MAX_CONVERSATIONS, DEFAULT_WHEN_FULL, type FlowTableOptions, type IdleTimeouts, type WhenFull } from './flow-policy.js';
import { TcpTracker } from './tcp-state.js';

/** Key words: [version<<16 | ports flag | proto, A0..A3, B0..B3, portA<<16 | portB]. */
export const CONV_KEY_WORDS = 10;
const K = { PROTO: 0, A: 1, B: 5, PORTS: 9 } as const;
/** Set in the proto word when the row is keyed by ports (TCP/UDP with a readable header). */
const PORTS_FLAG = 0x8000;
const PROTO_MASK = 0x1ff;
/** The proto value of a row of later fragments (above every IP protocol number). */
export const PROTO_FRAGMENT = 256;

/** A conversation's protocol as the report names it: "fragment", or the IP protocol's name. */
export function conversationProtoName(proto: number): string {
  return proto === PROTO_FRAGMENT ? 'fragment' : ipProtocolName(proto);
}

const IPPROTO_RESERVED = 255;
const PURE_SYN_MASK = TCP_FLAG.SYN | TCP_FLAG.ACK | TCP_FLAG.RST | TCP_FLAG.FIN;

/**
 * Told of each conversation that leaves the table, and of the row moved into its place (ids are
 * dense: see FlowTable.remove). Anything kept per conversation id listens.
 */
export interface ConversationWatcher {
  /** Conversation `id` is about to leave; its row is still readable. */
  evicting?(id: number): void;
  /** The conversation at id `from` is now at id `to` (a place an evicted one left). */
  moved?(from: number, to: number): void;
  /** After a batch: ids `size`..`was`-1 are free, and a new conversation there starts afresh. */
  shrunk?(size: number, was: number): void;
}

/** A full table frees this share of its places at once: one pass over the table per batch. */
const BATCH_SHARE = 8;
/** Deadlines sampled to find a large table's batch (see `cutoff`). */
const SAMPLE = 16384;
/** Timeout classes, indexes into `Conversations.timeoutOf`. */
const TO = { TCP: 0, TCP_CLOSED: 1, UDP: 2, ICMP: 3, OTHER: 4 } as const;

/**
 * A conversation's row (32-bit words), after its key: flags and TCP tracker index, the counters
 * (Float64), and what its endpoints' MAC accounting needs (see Endpoints). A packet touches the
 * first 128 bytes of its row, two adjacent cache lines; the MAC bases after them change only
 * when a side's MAC does.
 */
export const CW = {
  /** ORIG_B (originator is key side B) | SAW_SYN (a pure SYN fixed the originator). */
  FLAGS: 10,
  /** Index into the TCP tracker, or -1. */
  TCP: 11,
  /** Per key side (A, then B): the source MAC of its packets and the destination MAC of the
   *  packets sent to it, as hi | MAC_PRESENT and lo; 0 until the first packet. */
  TX_MAC_HI: 24,
  TX_MAC_LO: 26,
  RX_MAC_HI: 28,
  RX_MAC_LO: 30,
} as const;
/** A MAC as stored in a conversation row: the 16 high bits plus a presence bit. */
export const MAC_PRESENT = 0x10000;
/** A packet without a MAC (a cooked or raw-IP capture), distinct from every MAC. */
export const MAC_NONE = 0x20000;

/** Float64 fields, as indexes into the row's Float64 view (row words / 2 + n), per key side. */
export const CF = {
  /** Packets and wire bytes sent by key side A and by key side B. */
  PKTS: 6,
  BYTES: 8,
  FIRST_TS: 10,
  LAST_TS: 11,
  /** The side's packet and byte counts when its current tx / rx MAC took over. */
  TX_BASE_PKTS: 16,
  TX_BASE_BYTES: 18,
  RX_BASE_PKTS: 20,
  RX_BASE_BYTES: 22,
} as const;
export const ROW_WORDS = 48;
export const ROW_F64 = ROW_WORDS / 2;
const ORIG_B = 1;
const SAW_SYN = 2;
/** The TCP connection is over (TcpTracker.closed): its shorter timeout applies. */
const CLOSED = 4;
const CLOSE_FLAGS = TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST;

/** Conversation `id`'s deadline, from its table's views (see Conversations.deadline). */
function deadlineOf(u32: Uint32Array, f64: Float64Array, timeouts: Float64Array, id: number): number {
  const row = id * ROW_WORDS;
  const pw = u32[row + K.PROTO]!;
  const proto = pw & PROTO_MASK;
  let cls: number = TO.OTHER;
  if (proto === IPPROTO.TCP && (pw & PORTS_FLAG) !== 0) cls = (u32[row + CW.FLAGS]! & CLOSED) !== 0 ? TO.TCP_CLOSED : TO.TCP;
  else if (proto === IPPROTO.UDP) cls = TO.UDP;
  else if (proto === IPPROTO.ICMP || proto === IPPROTO.ICMPV6) cls = TO.ICMP;
  return f64[id * ROW_F64 + CF.LAST_TS]! + timeouts[cls]!;
}

/**
 * The k-th smallest (1-based) of `a`, which it reorders: quickselect with a three-way partition,
 * so that a table of equal deadlines (a capture without timestamps) stays linear.
 */
export function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const want = k - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot: sorted or reversed input stays linear.
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i] = a[lt]!;
        a[lt++] = v;
        i++;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    if (want < lt) hi = lt - 1;
    else if (want > gt) lo = gt + 1;
    else return pivot;
  }
  return a[want]!;
}

/**
 * Fills `k` with the key of a packet from (src, sp) to (dst, dp): the lower (address, port)
 * first, so both directions share it. Returns the sender's key side (0 = A).
 */
function canonicalKey(k: Uint32Array, protoWord: number, src: ArrayLike<number>, sp: number, dst: ArrayLike<number>, dp: number): number {
  let cmp = src[0]! - dst[0]!;
  if (cmp === 0) cmp = src[1]! - dst[1]!;
  if (cmp === 0) cmp = src[2]! - dst[2]!;
  if (cmp === 0) cmp = src[3]! - dst[3]!;
  if (cmp === 0) cmp = sp - dp;
  const dir = cmp <= 0 ? 0 : 1;
  const a = dir === 0 ? src : dst;
  const b = dir === 0 ? dst : src;
  k[K.PROTO] = protoWord;
  k[K.A] = a[0]!;
  k[K.A + 1] = a[1]!;
  k[K.A + 2] = a[2]!;
  k[K.A + 3] = a[3]!;
  k[K.B] = b[0]!;
  k[K.B + 1] = b[1]!;
  k[K.B + 2] = b[2]!;
  k[K.B + 3] = b[3]!;
  k[K.PORTS] = dir === 0 ? ((sp << 16) | dp) >>> 0 : ((dp << 16) | sp) >>> 0;
  return dir;
}

export class Conversations {
  readonly table: FlowTable;
  readonly tcp = new TcpTracker();
  readonly whenFull: WhenFull;
  readonly timeouts: Readonly<IdleTimeouts>;
  /** Conversations ever added to the table. */
  tracked = 0;
  /** Conversations that left a full table (`expired` of them past their idle timeout). */
  evicted = 0;
  expired = 0;
  /** Packets of new conversations turned away because the table was full. */
  refused = 0;
  /** Key side (0 = A) of the last ingested packet's sender. */
  lastDir = 0;
  /** The latest packet time seen: "now" for the idle timeouts (files may be out of order). */
  newestTs = -Infinity;
  /**
   * A timer on the capture's clock: `fire(now)` runs when a packet's time reaches `at` (which it
   * then sets again). For exporters' timeouts; one comparison per packet when unset.
   */
  timer: { at: number; fire(now: number): void } | null = null;

  private readonly key = new Uint32Array(CONV_KEY_WORDS);
  /** Each held conversation's serial number: `tracked` when it came (see `serial`). */
  private serials = new Uint32Array(0);
  private readonly watchers: ConversationWatcher[] = [];
  private readonly timeoutOf: Float64Array;
  private readonly batch: number;
  /** Each conversation's deadline (last packet + its timeout), by id, for one eviction pass. */
  private deadlines = new Float64Array(0);
  private selectScratch = new Float64Array(0);
  /** `refuse`, after a pass found nothing expired: no pass until time passes this. */
  private nothingExpiresBefore = -Infinity;
  private scannedAt = NaN;

  constructor(o: FlowTableOptions = {}) {
    const capacity = o.capacity ?? DEFAULT_MAX_CONVERSATIONS;
    this.table = new FlowTable(CONV_KEY_WORDS, ROW_WORDS, capacity);
    this.whenFull = o.whenFull ?? DEFAULT_WHEN_FULL;
    this.timeouts = { ...DEFAULT_IDLE_TIMEOUTS, ...o.timeouts };
    const t = this.timeouts;
    this.timeoutOf = Float64Array.of(t.tcp, t.tcpClosed, t.udp, t.icmp, t.other);
    this.batch = Math.max(1, Math.ceil(capacity / BATCH_SHARE));
  }

  get size(): number {
    return this.table.size;
  }

  /** Conversations held at most. */
  get capacity(): number {
    return this.table.limit;
  }

  watch(w: ConversationWatcher): void {
    this.watchers.push(w);
  }

  /**
   * Adds one decoded packet and returns its conversation id (its sender's key side is then in
   * `lastDir`), or -1: no IP header, or the table is full.
   */
  ingest(s: PacketSummary): number {
    if (s.ipVersion === 0) return -1;
    const k = this.key;
    // An IP header whose next header could not even be named keys as protocol 255 (reserved).
    const proto = s.laterFragment ? PROTO_FRAGMENT : s.ipProto >= 0 ? s.ipProto : IPPROTO_RESERVED;
    const protoWord = (s.ipVersion << 16) | (s.hasPorts ? PORTS_FLAG : 0) | proto;
    const dir = canonicalKey(k, protoWord, s.src, s.hasPorts ? s.srcPort : 0, s.dst, s.hasPorts ? s.dstPort : 0);

    if (s.hasTs && s.ts > this.newestTs) {
      this.newestTs = s.ts;
      if (this.timer !== null && s.ts >= this.timer.at) this.timer.fire(s.ts);
    }
    const t = this.table;
    let id = t.lookupOrInsert(k);
    if (id < 0 && this.makeRoom()) id = t.lookupOrInsert(k);
    if (id < 0) {
      // Counting distinct refused keys would need the very table that is full: count packets.
      this.refused++;
      return -1;
    }
    const w = t.i32;
    const f = t.f64;
    const row = id * ROW_WORDS;
    const rf = id * ROW_F64;
    const isTcp = proto === IPPROTO.TCP && s.hasPorts;
    if (t.inserted) {
      if (id >= this.serials.length) this.serials = growU32(this.serials, Math.max(1024, Math.min(this.capacity, this.serials.length * 2)));
      this.serials[id] = this.tracked++;
      f[rf + CF.FIRST_TS] = Infinity;
      f[rf + CF.LAST_TS] = -Infinity;
      w[row + CW.FLAGS] = dir === 1 ? ORIG_B : 0;
      w[row + CW.TCP] = isTcp ? this.tcp.add() : -1;
    }
    if (isTcp && (w[row + CW.FLAGS] & SAW_SYN) === 0 && (s.tcpFlags & PURE_SYN_MASK) === TCP_FLAG.SYN) {
      if ((w[row + CW.FLAGS] & ORIG_B) !== dir) this.tcp.flipped(w[row + CW.TCP], dir);
      w[row + CW.FLAGS] = SAW_SYN | (dir === 1 ? ORIG_B : 0);
    }
    f[rf + CF.PKTS + dir]++;
    f[rf + CF.BYTES + dir] += s.wirelen;
    if (s.hasTs) {
      if (s.ts < f[rf + CF.FIRST_TS]) f[rf + CF.FIRST_TS] = s.ts;
      if (s.ts > f[rf + CF.LAST_TS]) f[rf + CF.LAST_TS] = s.ts;
    }
    if (isTcp) {
      this.tcp.update(w[row + CW.TCP], dir, w[row + CW.FLAGS] & ORIG_B, s);
      // Only a SYN, FIN or RST can open or close a connection.
      if ((s.tcpFlags & CLOSE_FLAGS) !== 0) {
        const was = w[row + CW.FLAGS];
        w[row + CW.FLAGS] = this.tcp.closed(w[row + CW.TCP]) ? was | CLOSED : was & ~CLOSED;
        // Closed, its deadline came nearer than the last pass may have found.
        if ((w[row + CW.FLAGS] & ~was & CLOSED) !== 0) this.nothingExpiresBefore = Math.min(this.nothingExpiresBefore, this.deadline(id));
      }
    }
    this.lastDir = dir;
    return id;
  }

  /** Whether conversation `id` is a TCP connection already closed or reset. */
  closed(id: number): boolean {
    return (this.table.i32[id * ROW_WORDS + CW.FLAGS]! & CLOSED) !== 0;
  }

  /** When conversation `id` times out: its last packet plus its protocol's idle timeout. */
  deadline(id: number): number {
    return deadlineOf(this.table.u32, this.table.f64, this.timeoutOf, id);
  }

  /**
   * The table is full and a new conversation came: frees places by the `whenFull` policy and
   * returns whether any was freed. One pass over the table takes every deadline; the batch is
   * those that come first (in a large table, first by a systematic sample's quantile: about a
   * batch, not exactly); ties go by id. A conversation without timestamps has no deadline and
   * goes first.
   */
  private makeRoom(): boolean {
    const now = this.newestTs;
    const refusing = this.whenFull === 'refuse';
    // Refusing: nothing expires before the first timestamp (a capture without any must not cost a
    // pass per packet), nor, after a pass found nothing expired, before its soonest deadline
    // (while the table is full deadlines only move later, and a connection that closes lowers it).
    if (refusing && (now === -Infinity || now === this.scannedAt || now < this.nothingExpiresBefore)) return false;
    const n = this.table.size;
    if (this.deadlines.length < n) this.deadlines = new Float64Array(n);
    const d = this.deadlines;
    const u32 = this.table.u32;
    const f64 = this.table.f64;
    const timeouts = this.timeoutOf;
    let expired = 0;
    let soonest = Infinity;
    for (let id = 0; id < n; id++) {
      const at = deadlineOf(u32, f64, timeouts, id);
      d[id] = at;
      if (at < now) expired++;
      else if (at < soonest) soonest = at;
    }
    const k = refusing ? Math.min(this.batch, expired) : Math.min(this.batch, n);
    if (k === 0) {
      this.nothingExpiresBefore = soonest;
      this.scannedAt = now;
      return false;
    }
    const cut = this.cutoff(d, n, k);
    // Refusing, only expired ones may go.
    const below = refusing ? Math.min(cut, now) : cut;
    const victims = new Int32Array(k);
    let m = 0;
    for (let id = 0; id < n && m < k; id++) if (d[id]! < below) victims[m++] = id;
    if (!refusing || cut < now) for (let id = 0; id < n && m < k; id++) if (d[id] === cut) victims[m++] = id;
    const batch = victims.subarray(0, m);
    for (let i = 0; i < m; i++) {
      const id = batch[i]!;
      if (d[id]! < now) this.expired++;
      for (const w of this.watchers) w.evicting?.(id);
      const t = this.table.i32[id * ROW_WORDS + CW.TCP]!;
      if (t >= 0) this.tcp.release(t);
    }
    batch.sort();
    // Highest id first: the last row, which moves into each hole, is then never a victim.
    for (let i = m - 1; i >= 0; i--) {
      const to = batch[i]!;
      const from = this.table.remove(to);
      if (from < 0) continue;
      this.serials[to] = this.serials[from]!;
      for (const w of this.watchers) w.moved?.(from, to);
    }
    for (const w of this.watchers) w.shrunk?.(n - m, n);
    this.evicted += m;
    return true;
  }

  /**
   * The deadline at or below which about `k` of `d[0..n)` lie: exactly the k-th smallest in a
   * small table; in a large one, the same quantile of a systematic sample (a selection over a
   * million deadlines cost more than the rest of a batch's eviction).
   */
  private cutoff(d: Float64Array, n: number, k: number): number {
    if (n <= SAMPLE) {
      if (this.selectScratch.length < n) this.selectScratch = new Float64Array(n);
      const all = this.selectScratch.subarray(0, n);
      all.set(d.subarray(0, n));
      return kthSmallest(all, k);
    }
    if (this.selectScratch.length < SAMPLE) this.selectScratch = new Float64Array(SAMPLE);
    const sample = this.selectScratch.subarray(0, SAMPLE);
    for (let i = 0; i < SAMPLE; i++) sample[i] = d[Math.floor((i * n) / SAMPLE)]!;
    return kthSmallest(sample, Math.max(1, Math.round((k * SAMPLE) / n)));
  }

  /**
   * The conversation between two endpoints, if one was seen (inserts nothing): `proto` an IP
   * protocol number, ports null for a protocol keyed without them. For joining the host's
   * sockets to the wire.
   */
  find(proto: number, version: number, a: ArrayLike<number>, aPort: number | null, b: ArrayLike<number>, bPort: number | null): number {
    const hasPorts = aPort !== null && bPort !== null;
    const protoWord = (version << 16) | (hasPorts ? PORTS_FLAG : 0) | proto;
    canonicalKey(this.key, protoWord, a, aPort ?? 0, b, bPort ?? 0);
    return this.table.find(this.key);
  }

  /**
   * Conversation `id`'s serial number: how many came before it since the start. Unlike its id it
   * stays while the conversation is held (a row moves when others are evicted), and it is not
   * reused: what a dashboard follows (mod 2^32).
   */
  serial(id: number): number {
    return this.serials[id]!;
  }

  /** The originator's key side (0 = A). */
  origSide(id: number): number {
    return this.table.i32[id * ROW_WORDS + CW.FLAGS] & ORIG_B;
  }
  packets(id: number, side: number): number {
    return this.table.f64[id * ROW_F64 + CF.PKTS + side];
  }
  bytes(id: number, side: number): number {
    return this.table.f64[id * ROW_F64 + CF.BYTES + side];
  }
  firstTs(id: number): number {
    return this.table.f64[id * ROW_F64 + CF.FIRST_TS];
  }
  lastTs(id: number): number {
    return this.table.f64[id * ROW_F64 + CF.LAST_TS];
  }
  tcpIndex(id: number): number {
    return this.table.i32[id * ROW_WORDS + CW.TCP];
  }

  /** Key accessors for output. */
  version(id: number): number {
    return this.table.u32[id * ROW_WORDS + K.PROTO] >>> 16;
  }
  proto(id: number): number {
    return this.table.u32[id * ROW_WORDS + K.PROTO] & PROTO_MASK;
  }
  hasPorts(id: number): boolean {
    return (this.table.u32[id * ROW_WORDS + K.PROTO] & PORTS_FLAG) !== 0;
  }
  /** Index in `table.u32` of side 0 (A) or 1 (B)'s address words. */
  addrOffset(id: number, side: number): number {
    return id * ROW_WORDS + (side === 0 ? K.A : K.B);
  }
  port(id: number, side: number): number {
    const w = this.table.u32[id * ROW_WORDS + K.PORTS];
    return side === 0 ? w >>> 16 : w & 0xffff;
  }
  /** The source MAC of key side `side`'s latest packet ("02:00:00:00:00:01"), null without one. */
  txMac(id: number, side: number): string | null {
    const w = this.table.u32;
    const hi = w[id * ROW_WORDS + CW.TX_MAC_HI + side];
    return (hi & MAC_PRESENT) !== 0 ? formatMac(hi & 0xffff, w[id * ROW_WORDS + CW.TX_MAC_LO + side]) : null;
  }
}
