/**
 * A capture file replayed for the dashboard (`wirestat replay FILE`): read on this thread,
 * paced at the recorded speed or N times it (src/capture/pace.ts), or as fast as it reads
 * (`--speed max`) with a turn of the event loop after every read so the screen keeps up. Packets
 * go through the same filter, decoder and tables as `wirestat report`.
 *
 * The stats' clock is the capture's: `captureNow()` is the replay clock, so rates shown during a
 * replay are the rates the wire had.
 */
import { readCapture } from '../capture/reader.js';
import { HeldRecords, Pacer, type PaceClock, realClock } from '../capture/pace.js';
import type { CaptureRecord, SourceSummary } from '../capture/source.js';
import { compileFilter } from '../decode/filter.js';
import { decodePacket } from '../decode/packet.js';
import { PacketSummary } from '../decode/summary.js';
import { linktypeName } from '../capture/linktype.js';
import type { ViewSource } from '../stats/dashboard-view.js';
import { SecondTicker } from '../stats/window.js';
import { type StatsOptions, WireStats } from '../stats/wire-stats.js';
import type { DashboardSource } from './dashboard-run.js';

/** Reads for a paced replay: small, so a read's records span little capture time. */
const PACED_CHUNK = 16 * 1024;

export interface ReplayRunOptions extends StatsOptions {
  speed: number | 'max';
  filter?: string;
  clock?: PaceClock;
}

export class ReplayRun implements DashboardSource {
  readonly stats: WireStats;
  readonly speed: number | 'max';
  readonly filter: string | null;
  /** Latest capture timestamp handed to the tables (files may run backwards: the largest). */
  latestTs = -Infinity;
  finished = false;
  fileSummary: SourceSummary | null = null;
  private readonly pacer: Pacer | null;
  private readonly clock: PaceClock;
  private pausedMax = false;
  /**
   * Called at each whole capture second the replay crosses, before the first packet past it is
   * counted (SecondTicker: twice across a gap), and at the end of the last second: the dashboard
   * takes its rates there, so they are the wire's per second whatever the replay speed.
   */
  onSecond: ((second: number) => void) | null = null;
  private readonly ticker = new SecondTicker();
  private readonly tickAt = (second: number): void => this.onSecond?.(second);
  /** Link types met so far, in order (a pcapng file may have several). */
  private readonly linktypes: number[] = [];
  private readonly summary = new PacketSummary();

  constructor(
    readonly file: string,
    opts: ReplayRunOptions,
  ) {
    this.stats = new WireStats(opts);
    this.speed = opts.speed;
    this.clock = opts.clock ?? realClock;
    this.pacer = opts.speed === 'max' ? null : new Pacer(opts.speed, this.clock);
    this.filter = opts.filter?.trim() ? opts.filter : null;
  }

  get paused(): boolean {
    return this.pacer ? this.pacer.paused : this.pausedMax;
  }

  pause(): void {
    if (this.pacer) this.pacer.pause();
    else this.pausedMax = true;
  }

  resume(): void {
    if (this.pacer) this.pacer.resume();
    else this.pausedMax = false;
  }

  /** The replay clock (capture seconds); NaN before the first packet. */
  captureNow(): number {
    if (this.finished || this.pacer === null) return Number.isFinite(this.latestTs) ? this.latestTs : NaN;
    return this.pacer.captureNow();
  }

  source(): ViewSource {
    return {
      kind: 'replay',
      name: this.file,
      linktype: this.linktypes.map(linktypeName).join(', ') || '-',
      promiscuous: null,
      filter: this.filter,
      speed: this.speed,
      paused: this.paused,
      finished: this.finished,
    };
  }

  /** A file has no interface counters. */
  nic(): null {
    return null;
  }

  /** Reads the whole file. Rejects with CaptureOpenError / FilterError like `report`. */
  async run(): Promise<SourceSummary> {
    const f = this.filter !== null ? compileFilter(this.filter) : null;
    const s = this.summary;
    const stats = this.stats;
    const linktypes = this.linktypes;
    const count = (rec: CaptureRecord): void => {
      if (linktypes.length === 0 || linktypes[linktypes.length - 1] !== rec.linktype) {
        if (!linktypes.includes(rec.linktype)) linktypes.push(rec.linktype);
      }
      if (f !== null && !f.matches(rec)) return;
      if (rec.hasTs) this.ticker.before(rec.tsSec + rec.tsNsec / 1e9, this.tickAt);
      decodePacket(rec, s);
      stats.ingest(s);
      if (s.hasTs && s.ts > this.latestTs) this.latestTs = s.ts;
    };
    let source: SourceSummary;
    if (this.pacer) {
      const held = new HeldRecords(this.pacer, count);
      source = await readCapture(this.file, held.hold, { chunkSize: PACED_CHUNK, afterChunk: held.release });
    } else {
      source = await readCapture(this.file, count, { afterChunk: () => this.breathe() });
    }
    this.fileSummary = source;
    // The last second's rates: its end, as if the clock had run on to it.
    this.ticker.finish(this.tickAt);
    this.finished = true;
    return source;
  }

  /** As fast as it reads, but the event loop runs between reads; a pause holds the reader. */
  private async breathe(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.pausedMax) await this.clock.sleep(50);
  }
}
