/**
 * Rates over sliding windows (2, 10 and 40 s, as iftop shows them), for many series at once: every
 * conversation, every endpoint, the totals. A reducer with an explicit clock, as the tables are:
 * nothing here runs per packet. Each `tick(now, cum, n)` takes the cumulative packet and byte
 * counters the tables already hold and turns what they grew by since the last tick into
 * per-second buckets; rates are window sums of those buckets.
 *
 * Time is the capture's clock (float seconds), never the wall clock: a replay's rates are the
 * wire's rates. Bucket k holds what was counted in the second [k, k+1). The growth between two
 * ticks is spread over the seconds between them in proportion to their overlap (uniformly: the
 * best guess when packets are seen only as counter deltas). A replay that ticks at each whole
 * second therefore fills each bucket with exactly that second's packets, and one that jumps over
 * a silent gap (ticking at the second after the last packet, then at the second before the next)
 * leaves the gap's buckets at zero; a live tick that fires late shares its delta between the
 * seconds it covered.
 *
 * The clock never runs backwards: a `now` earlier than the last tick (a file out of order, a
 * clock set back) is taken as the last tick's time, and what was counted meanwhile lands in the
 * newest second. A tick at the same time as the last (a paused clock) adds to the newest second.
 * Counters that shrink (they should not) add nothing. So no rate and no duration is negative.
 *
 * The rate over W seconds at the last tick T is the sum over (T - W, T] divided by
 * min(W, max(1, T - start)): before W seconds of history exist the divisor is the history there
 * is (as iftop does), and never less than one second, so a first packet does not read as an
 * infinite rate. The caller chooses `start`; the dashboard uses the whole second of the first
 * packet, so the first partial second counts as a whole one, as its chart bucket does.
 *
 * Layout and memory: buckets are Float32, second-major: all series' values of one second are
 * contiguous ([(slot * capacity + id) * 2 + packets|bytes]), so a tick writes, and a window sum
 * reads, each second's values front to back instead of striding through per-series rows. A series
 * costs `span` × 8 bytes of buckets plus 16 bytes for its last cumulative counters: with the
 * default span of 41 seconds, 344 bytes, so 100,000 conversations take 34.4 MB (capacity grows
 * by half when ids outrun it, so up to 1.5× that until the ids fill it). Float32 holds counts
 * exactly up to 2^24 per series and second (16.7 MB/s on one conversation); above that a value is
 * off by at most one part in 2^24, which no rate display shows.
 */

/** Counters per series: packets and wire bytes. */
export const COUNTERS = 2;
export const PACKETS = 0;
export const BYTES = 1;

/** The longest rate window, in seconds (RATE_WINDOWS in dashboard-view.ts). */
export const LONGEST_WINDOW = 40;

const INITIAL_IDS = 1024;
const GROWTH = 1.5;

export class RateWindow {
  /** Buckets kept, in seconds: a window of W seconds at a fractional time reads W + 1 of them. */
  readonly span: number;
  /** Series with room in the arrays; `size` of them are in use. */
  private capacity: number;
  size = 0;
  private buckets: Float32Array;
  /** Each series' cumulative counters at the last tick. */
  private prev: Float64Array;
  /** Capture-clock time of the last tick; NaN before the first. */
  private last = NaN;
  /** Where the history starts (rates divide by at most the time since then). */
  private origin = NaN;
  /** The newest second the ring holds: floor(last). Seconds newest - span + 1 .. newest are kept. */
  private newest = 0;
  /** Per tick: the seconds the delta is spread over, and each one's share of it. */
  private readonly spreadSec: Float64Array;
  private readonly spreadShare: Float64Array;

  /**
   * @param seconds the longest window that will be asked for (or the chart's length): the ring
   *   keeps `seconds + 1` buckets.
   */
  constructor(seconds = LONGEST_WINDOW, ids = INITIAL_IDS) {
    if (!(seconds >= 1) || !Number.isInteger(seconds)) throw new Error(`bad window length ${seconds}`);
    this.span = seconds + 1;
    this.capacity = Math.max(1, ids);
    this.buckets = new Float32Array(this.span * this.capacity * COUNTERS);
    this.prev = new Float64Array(this.capacity * COUNTERS);
    this.spreadSec = new Float64Array(this.span + 1);
    this.spreadShare = new Float64Array(this.span + 1);
  }

  /** The last tick's time (capture clock), or NaN before the first tick. */
  get time(): number {
    return this.last;
  }

  /** Where the history starts: the first tick's `start`. NaN before the first tick. */
  get start(): number {
    return this.origin;
  }

  /** Bytes held, for the memory figure. */
  get memoryBytes(): number {
    return this.buckets.byteLength + this.prev.byteLength;
  }

  /**
   * Takes the counters at `now`: `cum[id * 2]` packets and `cum[id * 2 + 1]` bytes, cumulative
   * since the series began, for ids 0..n-1. Ids are dense; an id first seen here, or cleared
   * (`clear`) since, starts from zero. `start` (first tick only; default `now`) is when counting began: the
   * first tick's counters are spread over (start, now]. A start that is not a finite time at or
   * before `now` is taken as `now`; a `now` that is not finite is refused (it would end time).
   */
  tick(now: number, cum: Float64Array, n: number, start = now): void {
    if (!Number.isFinite(now)) throw new Error(`tick: time ${now} is not a finite number of seconds`);
    if (n > this.capacity) this.grow(n);
    if (n > this.size) this.size = n;
    let from: number;
    if (Number.isNaN(this.last)) {
      from = Number.isFinite(start) && start <= now ? start : now;
      this.origin = from;
      this.newest = Math.floor(from);
    } else {
      from = this.last;
      if (now < from) now = from;
    }
    this.advance(Math.floor(now));
    const parts = this.spread(from, now);
    this.last = now;
    this.add(cum, n, parts);
  }

  /** Moves the ring forward to second `sec`, zeroing the seconds it enters. */
  private advance(sec: number): void {
    if (sec <= this.newest) return;
    const stride = this.capacity * COUNTERS;
    if (sec - this.newest >= this.span) {
      this.buckets.fill(0);
    } else {
      for (let s = this.newest + 1; s <= sec; s++) {
        const at = this.slot(s) * stride;
        this.buckets.fill(0, at, at + stride);
      }
    }
    this.newest = sec;
  }

  /**
   * Fills spreadSec/spreadShare with the seconds of (from, to] still in the ring and each one's
   * share of the interval; returns how many. A zero-length interval is all in the second just
   * before `to` (the newest second that has begun).
   */
  private spread(from: number, to: number): number {
    const len = to - from;
    if (len <= 0) {
      this.spreadSec[0] = Math.ceil(to) - 1;
      this.spreadShare[0] = 1;
      return 1;
    }
    const oldest = this.newest - this.span + 1;
    let k = 0;
    for (let s = Math.max(Math.floor(from), oldest); s < to; s++) {
      const overlap = Math.min(to, s + 1) - Math.max(from, s);
      if (overlap <= 0) continue;
      this.spreadSec[k] = s;
      this.spreadShare[k] = overlap / len;
      k++;
    }
    return k;
  }

  private add(cum: Float64Array, n: number, parts: number): void {
    const b = this.buckets;
    const prev = this.prev;
    const stride = this.capacity * COUNTERS;
    if (parts === 1 && this.spreadShare[0] === 1) {
      // The common case: the tick covered one second.
      const base = this.slot(this.spreadSec[0]!) * stride;
      for (let i = 0; i < n * COUNTERS; i++) {
        const v = cum[i]!;
        const d = v - prev[i]!;
        prev[i] = v;
        if (d > 0) b[base + i] += d;
      }
      return;
    }
    const bases: number[] = [];
    for (let k = 0; k < parts; k++) bases.push(this.slot(this.spreadSec[k]!) * stride);
    for (let i = 0; i < n * COUNTERS; i++) {
      const v = cum[i]!;
      const d = v - prev[i]!;
      prev[i] = v;
      if (d > 0) for (let k = 0; k < parts; k++) b[bases[k]! + i] += d * this.spreadShare[k]!;
    }
  }

  private slot(sec: number): number {
    const r = sec % this.span;
    return r < 0 ? r + this.span : r;
  }

  private grow(n: number): void {
    const cap = Math.max(n, Math.ceil(this.capacity * GROWTH));
    const old = this.buckets;
    const oldStride = this.capacity * COUNTERS;
    const stride = cap * COUNTERS;
    const b = new Float32Array(this.span * stride);
    for (let s = 0; s < this.span; s++) b.set(old.subarray(s * oldStride, s * oldStride + this.size * COUNTERS), s * stride);
    this.buckets = b;
    const prev = new Float64Array(stride);
    prev.set(this.prev.subarray(0, this.size * COUNTERS));
    this.prev = prev;
    this.capacity = cap;
  }

  /** Series `from`'s history becomes series `to`'s (a conversation moved: FlowTable.remove). */
  move(from: number, to: number): void {
    if (from >= this.size) return;
    const stride = this.capacity * COUNTERS;
    for (let s = 0; s < this.span; s++) {
      const base = s * stride;
      this.buckets.copyWithin(base + to * COUNTERS, base + from * COUNTERS, base + (from + 1) * COUNTERS);
    }
    this.prev.copyWithin(to * COUNTERS, from * COUNTERS, (from + 1) * COUNTERS);
  }

  /** Series `from`..`to`-1 start from zero again: a new series there has no history. */
  clear(from: number, to: number): void {
    to = Math.min(to, this.size);
    if (from >= to) return;
    const stride = this.capacity * COUNTERS;
    for (let s = 0; s < this.span; s++) this.buckets.fill(0, s * stride + from * COUNTERS, s * stride + to * COUNTERS);
    this.prev.fill(0, from * COUNTERS, to * COUNTERS);
  }

  /** The divisor of a `seconds` window at the last tick: the history there is, at least 1 s. */
  divisor(seconds: number): number {
    if (Number.isNaN(this.last)) return seconds;
    return Math.min(seconds, Math.max(1, this.last - this.origin));
  }

  /** What series `id` counted in (T - seconds, T] at the last tick T (counter PACKETS or BYTES). */
  sum(id: number, counter: number, seconds: number): number {
    if (Number.isNaN(this.last) || id >= this.size) return 0;
    this.checkWindow(seconds);
    const stride = this.capacity * COUNTERS;
    const i = id * COUNTERS + counter;
    const top = Math.floor(this.last);
    let total = 0;
    for (let s = top - seconds + 1; s <= top; s++) total += this.buckets[this.slot(s) * stride + i]!;
    const partial = 1 - (this.last - top);
    if (partial > 0) total += partial * this.buckets[this.slot(top - seconds) * stride + i]!;
    return total;
  }

  /** Per second over the last `seconds` at the last tick. */
  rate(id: number, counter: number, seconds: number): number {
    return this.sum(id, counter, seconds) / this.divisor(seconds);
  }

  /**
   * `sum(id, counter, seconds)` for every id 0..size-1 into `out` (resized if short), reading
   * each second's values front to back: the sort key for 100,000 conversations costs a few
   * passes over contiguous memory.
   */
  sums(counter: number, seconds: number, out: Float64Array): Float64Array {
    const n = this.size;
    if (out.length < n) out = new Float64Array(Math.max(n, out.length * 2));
    out.fill(0, 0, n);
    if (Number.isNaN(this.last)) return out;
    this.checkWindow(seconds);
    const b = this.buckets;
    const stride = this.capacity * COUNTERS;
    const top = Math.floor(this.last);
    for (let s = top - seconds + 1; s <= top; s++) {
      const base = this.slot(s) * stride + counter;
      for (let id = 0; id < n; id++) out[id] += b[base + id * COUNTERS]!;
    }
    const partial = 1 - (this.last - top);
    if (partial > 0) {
      const base = this.slot(top - seconds) * stride + counter;
      for (let id = 0; id < n; id++) out[id] += partial * b[base + id * COUNTERS]!;
    }
    return out;
  }

  /**
   * The complete seconds of series `id`, oldest first: at most `seconds` of them, ending with
   * the last second that ended by the last tick and starting no earlier than the history.
   * `counter` PACKETS or BYTES; each value is what that second counted.
   */
  history(id: number, counter: number, seconds: number): number[] {
    if (Number.isNaN(this.last) || id >= this.size) return [];
    this.checkWindow(seconds, this.span - 1);
    const end = Math.floor(this.last) - 1;
    const begin = Math.max(end - seconds + 1, Math.floor(this.origin));
    const stride = this.capacity * COUNTERS;
    const out: number[] = [];
    for (let s = begin; s <= end; s++) out.push(this.buckets[this.slot(s) * stride + id * COUNTERS + counter]!);
    return out;
  }

  private checkWindow(seconds: number, max = this.span - 1): void {
    if (!(seconds >= 1 && seconds <= max) || !Number.isInteger(seconds)) {
      throw new Error(`window of ${seconds} s: this history holds whole windows of 1..${max} s`);
    }
  }
}

/**
 * The ticks of a replay on the capture clock: one at each whole second its packets cross, made
 * before the first packet past it is ingested, so each second's bucket holds exactly that
 * second's packets. Across a silent gap it ticks twice, at the second after the last packet and
 * at the second the next one falls in, not once per empty second (a gap may be years). Packets
 * that go back in time cause no tick.
 *
 *   const ticker = new SecondTicker();
 *   for each record: ticker.before(ts, (now) => dash.tick(now)); stats.ingest(summary);
 *   at the end: ticker.finish((now) => dash.tick(now));
 */
export class SecondTicker {
  /** The next whole second to tick at; NaN before the first packet. */
  next = NaN;

  before(ts: number, tick: (now: number) => void): void {
    if (!Number.isFinite(ts)) return;
    if (Number.isNaN(this.next)) {
      this.next = Math.floor(ts) + 1;
      return;
    }
    if (ts < this.next) return;
    tick(this.next);
    const sec = Math.floor(ts);
    if (sec > this.next) tick(sec);
    this.next = sec + 1;
  }

  /** The last tick, at the end of the last packet's second (none without packets). */
  finish(tick: (now: number) => void): void {
    if (!Number.isNaN(this.next)) tick(this.next);
  }
}
