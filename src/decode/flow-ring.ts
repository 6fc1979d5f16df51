/**
 * A single-producer, single-consumer ring in shared memory from the decoding thread to the
 * counting thread (src/cli/analyze.ts). It carries, per packet, only what the flow tables read
 * (FLOW_FIELDS): the decoding thread counts totals and protocols itself.
 *
 * Why compact: every cache line the producer writes must travel to the other core. With a
 * 128-byte record, writing and reading the ring took about a tenth of the two threads' time on
 * the bench capture (profiles: 150–210 ms of 1.9 s); with these records, about half that.
 * A packet here takes one 64-byte unit, or two when it has IPv6 addresses: an IPv4 address is
 * stored as its one meaningful word and widened again on the way out.
 *
 * Positions count units in Int32 control words; they wrap, and unit = position & MASK stays
 * right across the wrap because the ring size is a power of two. A two-unit record that starts
 * in the last unit runs into one spare unit past the end, so a record is always contiguous.
 *
 * Publication: the producer writes records, then `Atomics.store`s the new position (sequentially
 * consistent, so the record words are visible before it), then notifies. The consumer does the
 * same with its read position, which frees units.
 */
import { PacketSummary } from './summary.js';

/** 32-bit words per unit: one cache line. */
export const UNIT_WORDS = 16;
/** Units in the ring: 256 KiB, small beside the 1 MiB L2 each core has here. */
export const RING_UNITS = 4096;
const MASK = RING_UNITS - 1;
/** The producer publishes at least this often, in units. */
export const PUBLISH_EVERY = 256;

/** Control words (Int32 indexes). */
export const C = {
  /** Units published by the producer. */
  WRITTEN: 0,
  /** Units the consumer is done with. */
  READ: 1,
  /** 1 once the producer has published its last record. */
  DONE: 2,
} as const;
const CONTROL_BYTES = 64;

/** The PacketSummary fields a record carries; `get` leaves every other field as it was. */
export const FLOW_FIELDS = [
  'ts',
  'hasTs',
  'wirelen',
  'hasSrcMac',
  'hasDstMac',
  'srcMacHi',
  'srcMacLo',
  'dstMacHi',
  'dstMacLo',
  'ipVersion',
  'src',
  'dst',
  'ipProto',
  'laterFragment',
  'hasPorts',
  'srcPort',
  'dstPort',
  'tcpFlags',
  'tcpSeq',
  'tcpAck',
  'tcpWindow',
  'payloadLen',
] as const satisfies readonly (keyof PacketSummary)[];

/** Word offsets in a record. */
const W = {
  /** B.* bits | ipVersion << VERSION_SHIFT | (ipProto + 1) << PROTO_SHIFT */
  BITS: 0,
  WIRELEN: 1,
  /** Float64 timestamp in words 2-3 (Float64 index unit * UNIT_WORDS / 2 + 1). */
  TS: 2,
  /** srcPort << 16 | dstPort */
  PORTS: 4,
  /** tcpFlags << 16 | tcpWindow */
  TCP_FLAGS_WINDOW: 5,
  TCP_SEQ: 6,
  TCP_ACK: 7,
  PAYLOAD_LEN: 8,
  /** srcMacHi << 16 | dstMacHi */
  MAC_HI: 9,
  SRC_MAC_LO: 10,
  DST_MAC_LO: 11,
  /** Addresses: one word each for IPv4; four each for IPv6, the destination in the second unit. */
  SRC: 12,
  DST4: 13,
  DST6: 16,
} as const;
const TS_F64 = W.TS / 2;

const B = {
  HAS_TS: 1,
  HAS_SRC_MAC: 2,
  HAS_DST_MAC: 4,
  LATER_FRAGMENT: 8,
  HAS_PORTS: 16,
} as const;
const VERSION_SHIFT = 8;
const PROTO_SHIFT = 16;

/** Units of a record for a packet of IP version `v`. */
function unitsFor(v: number): number {
  return v === 6 ? 2 : 1;
}

export class FlowRing {
  readonly control: Int32Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(CONTROL_BYTES + (RING_UNITS + 1) * UNIT_WORDS * 4),
  ) {
    const words = (RING_UNITS + 1) * UNIT_WORDS;
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.u32 = new Uint32Array(buffer, CONTROL_BYTES, words);
    this.f64 = new Float64Array(buffer, CONTROL_BYTES, words / 2);
  }

  /** Writes `s` at unit position `pos` (the caller made sure its units are free); returns the units used. */
  put(pos: number, s: PacketSummary): number {
    const unit = pos & MASK;
    const u = this.u32;
    const o = unit * UNIT_WORDS;
    const v = s.ipVersion;
    u[o + W.BITS] =
      (s.hasTs ? B.HAS_TS : 0) |
      (s.hasSrcMac ? B.HAS_SRC_MAC : 0) |
      (s.hasDstMac ? B.HAS_DST_MAC : 0) |
      (s.laterFragment ? B.LATER_FRAGMENT : 0) |
      (s.hasPorts ? B.HAS_PORTS : 0) |
      (v << VERSION_SHIFT) |
      ((s.ipProto + 1) << PROTO_SHIFT);
    u[o + W.WIRELEN] = s.wirelen;
    this.f64[unit * (UNIT_WORDS / 2) + TS_F64] = s.ts;
    u[o + W.TCP_FLAGS_WINDOW] = (s.tcpFlags << 16) | s.tcpWindow;
    u[o + W.TCP_SEQ] = s.tcpSeq;
    u[o + W.TCP_ACK] = s.tcpAck;
    u[o + W.PAYLOAD_LEN] = s.payloadLen;
    u[o + W.MAC_HI] = (s.srcMacHi << 16) | s.dstMacHi;
    u[o + W.SRC_MAC_LO] = s.srcMacLo;
    u[o + W.DST_MAC_LO] = s.dstMacLo;
    u[o + W.PORTS] = (s.srcPort << 16) | s.dstPort;
    // Without an IP header there are no addresses.
    if (v === 0) return 1;
    const src = s.src;
    const dst = s.dst;
    if (v === 6) {
      for (let i = 0; i < 4; i++) {
        u[o + W.SRC + i] = src[i]!;
        u[o + W.DST6 + i] = dst[i]!;
      }
      return 2;
    }
    u[o + W.SRC] = src[0]!;
    u[o + W.DST4] = dst[0]!;
    return 1;
  }

  /** Fills the FLOW_FIELDS of `s` from the record at unit position `pos`; returns its units. */
  get(pos: number, s: PacketSummary): number {
    const unit = pos & MASK;
    const u = this.u32;
    const o = unit * UNIT_WORDS;
    const bits = u[o + W.BITS]!;
    const v = (bits >>> VERSION_SHIFT) & 0xff;
    s.hasTs = (bits & B.HAS_TS) !== 0;
    s.hasSrcMac = (bits & B.HAS_SRC_MAC) !== 0;
    s.hasDstMac = (bits & B.HAS_DST_MAC) !== 0;
    s.laterFragment = (bits & B.LATER_FRAGMENT) !== 0;
    s.hasPorts = (bits & B.HAS_PORTS) !== 0;
    s.ipVersion = v;
    s.ipProto = (bits >>> PROTO_SHIFT) - 1;
    s.wirelen = u[o + W.WIRELEN]!;
    s.ts = this.f64[unit * (UNIT_WORDS / 2) + TS_F64]!;
    const flags = u[o + W.TCP_FLAGS_WINDOW]!;
    s.tcpFlags = flags >>> 16;
    s.tcpWindow = flags & 0xffff;
    s.tcpSeq = u[o + W.TCP_SEQ]!;
    s.tcpAck = u[o + W.TCP_ACK]!;
    s.payloadLen = u[o + W.PAYLOAD_LEN]!;
    const macHi = u[o + W.MAC_HI]!;
    s.srcMacHi = macHi >>> 16;
    s.dstMacHi = macHi & 0xffff;
    s.srcMacLo = u[o + W.SRC_MAC_LO]!;
    s.dstMacLo = u[o + W.DST_MAC_LO]!;
    const ports = u[o + W.PORTS]!;
    s.srcPort = ports >>> 16;
    s.dstPort = ports & 0xffff;
    if (v === 0) return 1;
    const src = s.src;
    const dst = s.dst;
    if (v === 6) {
      for (let i = 0; i < 4; i++) {
        src[i] = u[o + W.SRC + i]!;
        dst[i] = u[o + W.DST6 + i]!;
      }
      return 2;
    }
    src.fill(0);
    dst.fill(0);
    src[0] = u[o + W.SRC]!;
    dst[0] = u[o + W.DST4]!;
    return 1;
  }
}

/**
 * The producer side: `push` after each decode; blocks (Atomics.wait, so only in a worker) while
 * the ring has no room. `finish` publishes the rest and marks the end.
 */
export class RingWriter {
  private pos = 0;
  private published = 0;

  constructor(private readonly ring: FlowRing) {}

  push(s: PacketSummary): void {
    const c = this.ring.control;
    const need = unitsFor(s.ipVersion);
    // Wait for room only when the units about to be written may still be unread.
    while (((this.pos + need - Atomics.load(c, C.READ)) | 0) > RING_UNITS) {
      this.publish();
      Atomics.wait(c, C.READ, Atomics.load(c, C.READ), 1000);
    }
    this.pos = (this.pos + this.ring.put(this.pos, s)) | 0;
    if (((this.pos - this.published) | 0) >= PUBLISH_EVERY) this.publish();
  }

  private publish(): void {
    if (this.pos === this.published) return;
    Atomics.store(this.ring.control, C.WRITTEN, this.pos);
    Atomics.notify(this.ring.control, C.WRITTEN);
    this.published = this.pos;
  }

  finish(): void {
    this.publish();
    Atomics.store(this.ring.control, C.DONE, 1);
    Atomics.notify(this.ring.control, C.WRITTEN);
  }
}

/** The consumer hands units back at least this often (not only after all that was available). */
const FREE_EVERY = 256;
/** A consumer waiting this long without data lets the event loop run once (worker events). */
const STALL_MS = 20;

/**
 * The consumer side, for the main thread: hands every published record to `each` in order and
 * resolves once the producer finished and all was read. It waits with a blocking
 * `Atomics.wait`, which wakes within microseconds of a publish (an asynchronous wait goes through
 * the event loop and left both threads idle in turn); after each STALL_MS without data it yields
 * to the event loop once, so the worker's exit and error events reach `failed`.
 */
export async function drainRing(
  ring: FlowRing,
  each: (s: PacketSummary) => void,
  failed: () => boolean,
): Promise<void> {
  const c = ring.control;
  const s = new PacketSummary();
  let read = Atomics.load(c, C.READ);
  for (;;) {
    const written = Atomics.load(c, C.WRITTEN);
    if (written !== read) {
      let freed = read;
      for (let pos = read; pos !== written; ) {
        pos = (pos + ring.get(pos, s)) | 0;
        each(s);
        // Free units as we go: a producer waiting for room resumes without waiting for all of these.
        if (((pos - freed) | 0) >= FREE_EVERY || pos === written) {
          Atomics.store(c, C.READ, pos);
          Atomics.notify(c, C.READ);
          freed = pos;
        }
      }
      read = written;
      continue;
    }
    // DONE is stored after the last WRITTEN: seeing it, one more look at WRITTEN is final.
    if (Atomics.load(c, C.DONE) === 1) {
      if (Atomics.load(c, C.WRITTEN) !== read) continue;
      return;
    }
    if (failed()) return;
    if (Atomics.wait(c, C.WRITTEN, written, STALL_MS) === 'timed-out') await new Promise((r) => setImmediate(r));
  }
}
