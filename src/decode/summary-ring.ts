/**
 * A single-producer, single-consumer ring of decoded packets in shared memory, so decoding can
 * run in a worker thread while the main thread counts: on the bench capture, reading and
 * decoding are about a third of the work and the flow tables the rest.
 *
 * Each slot holds one PacketSummary flattened into SLOT_WORDS 32-bit words: every field except
 * the two offsets into the capture buffer (l4Offset, l4WireEnd), which mean nothing once the
 * record is gone. A test checks that every other field survives the trip.
 * Positions are packet counts kept in Int32 control words; they wrap, and slot = count & MASK
 * stays right across the wrap because the ring size is a power of two.
 *
 * Publication: the producer writes slots, then `Atomics.store`s the new count (sequentially
 * consistent, so the slot words are visible before the count), then notifies. The consumer
 * does the same with its read count, which frees slots.
 */
import { PacketSummary } from './summary.js';

/** Slots in the ring: 512 KiB of slots, which stays in the L2 cache beside the flow tables. */
export const RING_SLOTS = 4096;
const MASK = RING_SLOTS - 1;
/** The producer publishes at least this often, in packets. */
export const PUBLISH_EVERY = 256;
export const SLOT_WORDS = 32;

/** Control words (Int32 indexes). */
export const C = {
  /** Packets published by the producer. */
  WRITTEN: 0,
  /** Packets the consumer is done with. */
  READ: 1,
  /** 1 once the producer has published its last packet. */
  DONE: 2,
} as const;
const CONTROL_BYTES = 64;

/** Word offsets in a slot. Fields that may be -1 are stored plus one. */
const W = {
  BITS: 0,
  LAYERS: 1,
  REASON: 2,
  CAPLEN: 3,
  WIRELEN: 4,
  LINKTYPE: 5,
  IF_INDEX: 6,
  SRC_MAC_HI: 7,
  SRC_MAC_LO: 8,
  DST_MAC_HI: 9,
  DST_MAC_LO: 10,
  /** vlanDepth << 16 | (vlanId + 1) */
  VLAN: 11,
  ETHER_TYPE_1: 12,
  IP_PROTO_1: 13,
  SRC: 14,
  DST: 18,
  /** srcPort << 16 | dstPort */
  PORTS: 22,
  TCP_FLAGS: 23,
  TCP_SEQ: 24,
  TCP_ACK: 25,
  TCP_WINDOW: 26,
  PAYLOAD_LEN: 27,
  /** (icmpType + 1) << 16 | (icmpCode + 1) */
  ICMP_1: 28,
  /** Float64 timestamp in words 30-31: Float64 index slot * SLOT_WORDS / 2 + TS_F64. */
} as const;
const TS_F64 = 15;

/** Bits of W.BITS; the IP version sits above them. */
const B = {
  HAS_TS: 1,
  FATAL: 2,
  HAS_SRC_MAC: 4,
  HAS_DST_MAC: 8,
  FRAGMENT: 16,
  LATER_FRAGMENT: 32,
  HAS_PORTS: 64,
} as const;
const VERSION_SHIFT = 8;

export class SummaryRing {
  readonly control: Int32Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(CONTROL_BYTES + RING_SLOTS * SLOT_WORDS * 4)) {
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.u32 = new Uint32Array(buffer, CONTROL_BYTES, RING_SLOTS * SLOT_WORDS);
    this.f64 = new Float64Array(buffer, CONTROL_BYTES, (RING_SLOTS * SLOT_WORDS) / 2);
  }

  /** Writes `s` into the slot of packet number `seq` (the caller made sure it is free). */
  put(seq: number, s: PacketSummary): void {
    const slot = seq & MASK;
    const u = this.u32;
    const o = slot * SLOT_WORDS;
    u[o + W.BITS] =
      (s.hasTs ? B.HAS_TS : 0) |
      (s.fatal ? B.FATAL : 0) |
      (s.hasSrcMac ? B.HAS_SRC_MAC : 0) |
      (s.hasDstMac ? B.HAS_DST_MAC : 0) |
      (s.fragment ? B.FRAGMENT : 0) |
      (s.laterFragment ? B.LATER_FRAGMENT : 0) |
      (s.hasPorts ? B.HAS_PORTS : 0) |
      (s.ipVersion << VERSION_SHIFT);
    u[o + W.LAYERS] = s.layers;
    u[o + W.REASON] = s.reason;
    u[o + W.CAPLEN] = s.caplen;
    u[o + W.WIRELEN] = s.wirelen;
    u[o + W.LINKTYPE] = s.linktype;
    u[o + W.IF_INDEX] = s.ifIndex;
    u[o + W.SRC_MAC_HI] = s.srcMacHi;
    u[o + W.SRC_MAC_LO] = s.srcMacLo;
    u[o + W.DST_MAC_HI] = s.dstMacHi;
    u[o + W.DST_MAC_LO] = s.dstMacLo;
    u[o + W.VLAN] = (s.vlanDepth << 16) | (s.vlanId + 1);
    u[o + W.ETHER_TYPE_1] = s.etherType + 1;
    u[o + W.IP_PROTO_1] = s.ipProto + 1;
    const src = s.src;
    const dst = s.dst;
    u[o + W.SRC] = src[0];
    u[o + W.SRC + 1] = src[1];
    u[o + W.SRC + 2] = src[2];
    u[o + W.SRC + 3] = src[3];
    u[o + W.DST] = dst[0];
    u[o + W.DST + 1] = dst[1];
    u[o + W.DST + 2] = dst[2];
    u[o + W.DST + 3] = dst[3];
    u[o + W.PORTS] = (s.srcPort << 16) | s.dstPort;
    u[o + W.TCP_FLAGS] = s.tcpFlags;
    u[o + W.TCP_SEQ] = s.tcpSeq;
    u[o + W.TCP_ACK] = s.tcpAck;
    u[o + W.TCP_WINDOW] = s.tcpWindow;
    u[o + W.PAYLOAD_LEN] = s.payloadLen;
    u[o + W.ICMP_1] = ((s.icmpType + 1) << 16) | (s.icmpCode + 1);
    this.f64[slot * (SLOT_WORDS / 2) + TS_F64] = s.ts;
  }

  /** Fills `s` from the slot of packet number `seq`. */
  get(seq: number, s: PacketSummary): void {
    const slot = seq & MASK;
    const u = this.u32;
    const o = slot * SLOT_WORDS;
    const bits = u[o + W.BITS]!;
    s.hasTs = (bits & B.HAS_TS) !== 0;
    s.fatal = (bits & B.FATAL) !== 0;
    s.hasSrcMac = (bits & B.HAS_SRC_MAC) !== 0;
    s.hasDstMac = (bits & B.HAS_DST_MAC) !== 0;
    s.fragment = (bits & B.FRAGMENT) !== 0;
    s.laterFragment = (bits & B.LATER_FRAGMENT) !== 0;
    s.hasPorts = (bits & B.HAS_PORTS) !== 0;
    s.ipVersion = bits >>> VERSION_SHIFT;
    s.layers = u[o + W.LAYERS]!;
    s.reason = u[o + W.REASON]!;
    s.caplen = u[o + W.CAPLEN]!;
    s.wirelen = u[o + W.WIRELEN]!;
    s.linktype = u[o + W.LINKTYPE]!;
    s.ifIndex = u[o + W.IF_INDEX]!;
    s.srcMacHi = u[o + W.SRC_MAC_HI]!;
    s.srcMacLo = u[o + W.SRC_MAC_LO]!;
    s.dstMacHi = u[o + W.DST_MAC_HI]!;
    s.dstMacLo = u[o + W.DST_MAC_LO]!;
    const vlan = u[o + W.VLAN]!;
    s.vlanDepth = vlan >>> 16;
    s.vlanId = (vlan & 0xffff) - 1;
    s.etherType = u[o + W.ETHER_TYPE_1]! - 1;
    s.ipProto = u[o + W.IP_PROTO_1]! - 1;
    const src = s.src;
    const dst = s.dst;
    src[0] = u[o + W.SRC]!;
    src[1] = u[o + W.SRC + 1]!;
    src[2] = u[o + W.SRC + 2]!;
    src[3] = u[o + W.SRC + 3]!;
    dst[0] = u[o + W.DST]!;
    dst[1] = u[o + W.DST + 1]!;
    dst[2] = u[o + W.DST + 2]!;
    dst[3] = u[o + W.DST + 3]!;
    const ports = u[o + W.PORTS]!;
    s.srcPort = ports >>> 16;
    s.dstPort = ports & 0xffff;
    s.tcpFlags = u[o + W.TCP_FLAGS]!;
    s.tcpSeq = u[o + W.TCP_SEQ]!;
    s.tcpAck = u[o + W.TCP_ACK]!;
    s.tcpWindow = u[o + W.TCP_WINDOW]!;
    s.payloadLen = u[o + W.PAYLOAD_LEN]!;
    const icmp = u[o + W.ICMP_1]!;
    s.icmpType = (icmp >>> 16) - 1;
    s.icmpCode = (icmp & 0xffff) - 1;
    s.ts = this.f64[slot * (SLOT_WORDS / 2) + TS_F64]!;
  }
}

/**
 * The producer side: `push` after each decode; blocks (Atomics.wait, so only in a worker) while
 * the ring is full. `finish` publishes the rest and marks the end.
 */
export class RingWriter {
  private seq = 0;
  private published = 0;

  constructor(private readonly ring: SummaryRing) {}

  push(s: PacketSummary): void {
    const c = this.ring.control;
    // Wait for room only when the slot about to be written may still be unread.
    while (((this.seq - Atomics.load(c, C.READ)) | 0) >= RING_SLOTS) {
      this.publish();
      Atomics.wait(c, C.READ, Atomics.load(c, C.READ), 1000);
    }
    this.ring.put(this.seq, s);
    this.seq = (this.seq + 1) | 0;
    if (((this.seq - this.published) | 0) >= PUBLISH_EVERY) this.publish();
  }

  private publish(): void {
    if (this.seq === this.published) return;
    Atomics.store(this.ring.control, C.WRITTEN, this.seq);
    Atomics.notify(this.ring.control, C.WRITTEN);
    this.published = this.seq;
  }

  finish(): void {
    this.publish();
    Atomics.store(this.ring.control, C.DONE, 1);
    Atomics.notify(this.ring.control, C.WRITTEN);
  }
}

/** The consumer hands slots back this often (not only after all that was available). */
const FREE_EVERY = 256;
/** A consumer waiting this long without data lets the event loop run once (worker events). */
const STALL_MS = 20;

/**
 * The consumer side, for the main thread: hands every published packet to `each` in order and
 * resolves once the producer finished and all was read. It waits with a blocking
 * `Atomics.wait`, which wakes within microseconds of a publish (an asynchronous wait goes through
 * the event loop and left both threads idle in turn); after each STALL_MS without data it yields
 * to the event loop once, so the worker's exit and error events reach `failed`.
 */
export async function drainRing(
  ring: SummaryRing,
  each: (s: PacketSummary) => void,
  failed: () => boolean,
): Promise<void> {
  const c = ring.control;
  const s = new PacketSummary();
  let read = Atomics.load(c, C.READ);
  for (;;) {
    const written = Atomics.load(c, C.WRITTEN);
    if (written !== read) {
      for (let seq = read; seq !== written; ) {
        ring.get(seq, s);
        each(s);
        seq = (seq + 1) | 0;
        // Free slots as we go: a producer waiting for room resumes without waiting for all of these.
        if ((seq & (FREE_EVERY - 1)) === 0 || seq === written) {
          Atomics.store(c, C.READ, seq);
          Atomics.notify(c, C.READ);
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
