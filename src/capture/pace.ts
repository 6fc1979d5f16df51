/**
 * Replay at the recorded speed (or N times it): each record is handed on when the replay clock
 * reaches its timestamp, as tcpreplay sends it. The reader parses a whole read at once, so the
 * records of one read are held here (copied: the reader reuses its buffer) and released one by
 * one, each at its time; the reader's `afterChunk` hook waits for that before it parses more.
 *
 * The replay clock: capture time = first timestamp + (wall time since start − time paused) ×
 * speed. Timestamps that go backwards (files may be out of order) are due at once; a record
 * without a timestamp (pcapng Simple Packet Block) is due with the one before it. Time is a
 * parameter: the wall clock and the sleep are injected.
 */
import { CaptureRecord, type RecordSink } from './source.js';

export interface PaceClock {
  /** Monotonic milliseconds. */
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PaceClock = {
  nowMs: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** A paused or waiting replay looks at its flags at least this often (ms). */
const POLL_MS = 50;

export class Pacer {
  /** Wall ms at which capture time `startTs` was due; shifted forward by pauses. */
  private startWall = NaN;
  private startTs = NaN;
  private pausedAt = NaN;
  private stopped = false;

  constructor(
    /** A factor of the recorded speed (> 0). */
    readonly speed: number,
    private readonly clock: PaceClock = realClock,
  ) {
    if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a number above 0 (got ${speed})`);
  }

  get paused(): boolean {
    return !Number.isNaN(this.pausedAt);
  }

  pause(): void {
    if (!this.paused) this.pausedAt = this.clock.nowMs();
  }

  resume(): void {
    if (!this.paused) return;
    if (!Number.isNaN(this.startWall)) this.startWall += this.clock.nowMs() - this.pausedAt;
    this.pausedAt = NaN;
  }

  /** Ends every wait at once (the replay is being abandoned). */
  stop(): void {
    this.stopped = true;
  }

  /** The replay clock in capture seconds; NaN before the first timestamp. Stands still while paused. */
  captureNow(): number {
    if (Number.isNaN(this.startWall)) return NaN;
    const wall = this.paused ? this.pausedAt : this.clock.nowMs();
    return this.startTs + ((wall - this.startWall) / 1000) * this.speed;
  }

  /** Resolves when capture time `ts` is due (at once for the first timestamp and for the past). */
  async until(ts: number): Promise<void> {
    if (Number.isNaN(this.startWall)) {
      this.startWall = this.clock.nowMs();
      this.startTs = ts;
    }
    for (;;) {
      if (this.stopped) return;
      if (!this.paused) {
        const due = this.startWall + ((ts - this.startTs) * 1000) / this.speed;
        const wait = due - this.clock.nowMs();
        if (wait <= 0) return;
        await this.clock.sleep(Math.min(wait, POLL_MS));
      } else {
        await this.clock.sleep(POLL_MS);
      }
    }
  }
}

/**
 * Records of one read, copied, waiting for their time. `hold` is the reader's sink;
 * `release` (the reader's afterChunk) hands each to `sink` when it is due.
 */
export class HeldRecords {
  private data = Buffer.alloc(64 * 1024);
  private used = 0;
  private readonly meta: { offset: number; caplen: number; wirelen: number; tsSec: number; tsNsec: number; hasTs: boolean; linktype: number; ifIndex: number; fileOffset: number; littleEndian: boolean }[] = [];
  private readonly out = new CaptureRecord();

  constructor(
    private readonly pacer: Pacer,
    private readonly sink: RecordSink,
  ) {}

  readonly hold: RecordSink = (rec) => {
    if (this.used + rec.caplen > this.data.length) {
      const bigger = Buffer.alloc(Math.max(this.data.length * 2, this.used + rec.caplen));
      this.data.copy(bigger, 0, 0, this.used);
      this.data = bigger;
    }
    rec.buf.copy(this.data, this.used, rec.offset, rec.offset + rec.caplen);
    this.meta.push({
      offset: this.used,
      caplen: rec.caplen,
      wirelen: rec.wirelen,
      tsSec: rec.tsSec,
      tsNsec: rec.tsNsec,
      hasTs: rec.hasTs,
      linktype: rec.linktype,
      ifIndex: rec.ifIndex,
      fileOffset: rec.fileOffset,
      littleEndian: rec.littleEndian,
    });
    this.used += rec.caplen;
  };

  readonly release = async (): Promise<void> => {
    const r = this.out;
    r.buf = this.data;
    for (const m of this.meta) {
      if (m.hasTs) await this.pacer.until(m.tsSec + m.tsNsec / 1e9);
      r.buf = this.data;
      r.offset = m.offset;
      r.caplen = m.caplen;
      r.wirelen = m.wirelen;
      r.tsSec = m.tsSec;
      r.tsNsec = m.tsNsec;
      r.hasTs = m.hasTs;
      r.linktype = m.linktype;
      r.ifIndex = m.ifIndex;
      r.fileOffset = m.fileOffset;
      r.littleEndian = m.littleEndian;
      this.sink(r);
    }
    this.meta.length = 0;
    this.used = 0;
  };
}
