/**
 * Rate windows: per-second buckets from cumulative counters, rates over 2/10/40 s checked
 * against values worked out by hand, for whole-second ticks, fractional ones, the first partial
 * second, gaps (ticked across, skipped, longer than the history), time running backwards, a
 * paused clock, counters that shrink, new ids beyond the capacity; and the replay ticker.
 */
import t from 'tap';
import { BYTES, PACKETS, RateWindow, SecondTicker } from '../../src/stats/window.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/** One series' cumulative counters, as a table would hold them. */
class Counter {
  packets = 0;
  bytes = 0;
  readonly cum = new Float64Array(2);
  add(packets: number, bytes = packets * 100): this {
    this.packets += packets;
    this.bytes += bytes;
    return this;
  }
  tick(w: RateWindow, now: number, start?: number): void {
    this.cum[0] = this.packets;
    this.cum[1] = this.bytes;
    w.tick(now, this.cum, 1, start);
  }
}

/** Equal within 1e-6 (values that went through a uniform spread carry its rounding and remainders). */
function near(t: Test, got: number[], want: number[]): void {
  t.equal(got.length, want.length);
  got.forEach((g, i) => t.ok(Math.abs(g - want[i]!) < 1e-6, `${g} ≈ ${want[i]}`));
}

const rates = (w: RateWindow, id = 0, counter = PACKETS) => [2, 10, 40].map((s) => w.rate(id, counter, s));

t.test('whole-second ticks: each second its own bucket', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  // Seconds 100..103 count 10, 20, 30, 40 packets; ticks at the end of each.
  [10, 20, 30, 40].forEach((n, i) => c.add(n).tick(w, 101 + i, 100));
  t.equal(w.time, 104);
  t.equal(w.start, 100);
  t.same(w.history(0, PACKETS, 40), [10, 20, 30, 40]);
  t.same(w.history(0, PACKETS, 2), [30, 40], 'the chart keeps the newest seconds');
  t.same(w.history(0, BYTES, 40), [1000, 2000, 3000, 4000]);
  // 2 s: (30 + 40) / 2; 10 s and 40 s: 100 packets over the 4 s of history.
  t.same(rates(w), [35, 25, 25]);
  t.same(rates(w, 0, BYTES), [3500, 2500, 2500]);
  t.equal(w.sum(0, PACKETS, 2), 70);
});

t.test('the first partial second counts as a whole one; never less than a second', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  // First packet at 100.7: the dashboard starts the history at 100; the tick at 101.
  c.add(5).tick(w, 101, 100);
  t.same(rates(w), [5, 5, 5]);
  t.same(w.history(0, PACKETS, 10), [5]);

  const w2 = new RateWindow();
  const c2 = new Counter();
  // A tick half a second into the history: the divisor is one second, not half.
  c2.add(5).tick(w2, 100.5, 100);
  t.same(rates(w2), [5, 5, 5]);
  t.same(w2.history(0, PACKETS, 10), [], 'no second has ended yet');

  const w3 = new RateWindow();
  const c3 = new Counter();
  // No start given: the history starts at the first tick, whose counts go in the second before it.
  c3.add(7).tick(w3, 101);
  t.same(rates(w3), [7, 7, 7]);
});

t.test('fractional ticks spread their delta over the seconds they cover', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  c.add(10).tick(w, 100.5, 100); // (100, 100.5]: all in second 100
  c.add(20).tick(w, 101.5); // (100.5, 101.5]: half in 100, half in 101
  t.same(w.history(0, PACKETS, 10), [20], 'second 100 ended; 101 has not');
  // 2 s window (99.5, 101.5]: seconds 100 and 101 whole (20 + 10), 1.5 s of history.
  t.equal(w.sum(0, PACKETS, 2), 30);
  t.equal(w.rate(0, PACKETS, 2), 20);
  c.add(30).tick(w, 102.5); // 15 to 101, 15 to 102
  // (100.5, 102.5]: half of second 100, all of 101 and of 102 (so far): 10 + 25 + 15 = 50 over 2 s.
  t.equal(w.sum(0, PACKETS, 2), 50);
  t.equal(w.rate(0, PACKETS, 2), 25);
  t.equal(w.rate(0, PACKETS, 10), 60 / 2.5);
});

t.test('a replay ticking across a silent gap leaves it at zero', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  c.add(10).tick(w, 101, 100);
  c.add(10).tick(w, 102);
  // Nothing from 102 to 109; the next packets are in second 109.
  c.tick(w, 109);
  c.add(8).tick(w, 110);
  t.same(w.history(0, PACKETS, 40), [10, 10, 0, 0, 0, 0, 0, 0, 0, 8]);
  t.same(rates(w), [4, 2.8, 28 / 10]);
});

t.test('a skipped tick shares its delta between the seconds it covered', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  c.add(10).tick(w, 101, 100);
  // A live tick ten seconds late: 20 packets over (101, 111].
  c.add(20).tick(w, 111);
  t.same(w.history(0, PACKETS, 40), [10, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  t.same(rates(w), [2, 2, 30 / 11]);
});

t.test('a gap longer than the history keeps only what falls in it', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  c.add(10).tick(w, 101, 100);
  // 100 packets over (101, 201]: one a second, only the last 41 s of them still held.
  c.add(100).tick(w, 201);
  t.same(rates(w), [1, 1, 1]);
  t.same(w.history(0, PACKETS, 40), new Array(40).fill(1));
  // A jump of years: nothing of the old seconds survives, and no loop runs per second.
  const later = 201 + 86400 * 365 * 30;
  c.add(3).tick(w, later);
  t.ok(rates(w).every((r) => r >= 0 && r < 1e-6), '3 packets over 30 years: no rate to speak of');
  c.add(4).tick(w, later + 1);
  near(t, rates(w), [2, 0.4, 0.1]);
});

t.test('time running backwards: never a negative rate or duration', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  c.add(10).tick(w, 101, 100);
  // A packet from the past, counted at a tick whose time went back: it lands in the newest second.
  c.add(6).tick(w, 100.5);
  t.equal(w.time, 101, 'the clock stays at the last tick');
  t.same(w.history(0, PACKETS, 10), [16]);
  t.same(rates(w), [16, 16, 16]);
  c.tick(w, 50);
  t.same(rates(w), [16, 16, 16], 'far back: still the same second, nothing negative');
  c.add(4).tick(w, 102);
  t.same(w.history(0, PACKETS, 10), [16, 4]);
  t.same(rates(w), [10, 10, 10]);

  // A start after the first tick's time is taken as that time.
  const w2 = new RateWindow();
  const c2 = new Counter();
  c2.add(3).tick(w2, 100, 150);
  t.equal(w2.start, 100);
  t.ok(rates(w2).every((r) => r >= 0));
});

t.test('a paused clock: ticks at the same time change nothing, later counts join the newest second', async (t) => {
  const w = new RateWindow();
  const c = new Counter();
  c.add(10).tick(w, 101, 100);
  c.add(10).tick(w, 102);
  const before = rates(w);
  for (let i = 0; i < 5; i++) c.tick(w, 102);
  t.same(rates(w), before);
  c.add(2).tick(w, 102);
  t.same(w.history(0, PACKETS, 10), [10, 12]);
});

t.test('counters that shrink add nothing; growth is counted from the new value', async (t) => {
  const w = new RateWindow();
  const cum = new Float64Array([100, 1000]);
  w.tick(101, cum, 1, 100);
  cum[0] = 40;
  cum[1] = 400;
  w.tick(102, cum, 1);
  t.same(w.history(0, PACKETS, 10), [100, 0]);
  cum[0] = 45;
  w.tick(103, cum, 1);
  t.same(w.history(0, PACKETS, 10), [100, 0, 5]);
  t.ok(rates(w).every((r) => r >= 0));
});

t.test('many series: new ids start from zero, growth keeps the history, sums() equals sum()', async (t) => {
  const w = new RateWindow(40, 2);
  const cum = new Float64Array(2 * 10);
  // Second 100: ids 0 and 1 only.
  cum.set([1, 10, 2, 20]);
  w.tick(101, cum, 2, 100);
  // Second 101: ten ids (beyond the capacity of 2); id k has counted k + 1 more packets.
  for (let k = 0; k < 10; k++) {
    cum[k * 2] += k + 1;
    cum[k * 2 + 1] += (k + 1) * 10;
  }
  w.tick(102, cum, 10);
  t.equal(w.size, 10);
  t.same(w.history(0, PACKETS, 10), [1, 1]);
  t.same(w.history(1, PACKETS, 10), [2, 2]);
  t.same(w.history(9, PACKETS, 10), [0, 10], 'id 9 appeared in second 101');
  const all = w.sums(BYTES, 10, new Float64Array(1));
  t.equal(all.length >= 10, true, 'a short output array is replaced');
  for (let id = 0; id < 10; id++) t.equal(all[id], w.sum(id, BYTES, 10), `id ${id}`);
  t.equal(w.sum(12, PACKETS, 2), 0, 'an id never ticked has no rate');
});

t.test('memory: 344 bytes a series (41 one-second buckets of two Float32, two Float64)', async (t) => {
  const w = new RateWindow(40, 100_000);
  t.equal(w.span, 41);
  t.equal(w.memoryBytes, 100_000 * (41 * 2 * 4 + 2 * 8));
  t.equal(w.memoryBytes, 34_400_000);
});

t.test('windows outside the history are refused', async (t) => {
  const w = new RateWindow(10);
  w.tick(101, new Float64Array(2), 1, 100);
  t.throws(() => w.sum(0, PACKETS, 11), /window of 11 s/);
  t.throws(() => w.sum(0, PACKETS, 0), /window of 0 s/);
  t.throws(() => w.tick(NaN, new Float64Array(2), 1), /not a finite/);
  t.throws(() => w.tick(Infinity, new Float64Array(2), 1), /not a finite/);
  const w2 = new RateWindow();
  w2.tick(101, new Float64Array([4, 400]), 1, -Infinity);
  t.equal(w2.start, 101, 'a start that is no time is the first tick');
  t.same(rates(w2), [4, 4, 4]);
  t.throws(() => new RateWindow(0), /bad window/);
});

t.test('SecondTicker: a tick at each second crossed, two across a gap, none backwards', async (t) => {
  const ticks: number[] = [];
  const k = new SecondTicker();
  const tick = (now: number) => ticks.push(now);
  for (const ts of [100.2, 100.9, 101.0, 101.5, 103.2, 102.9, 250.1, 250.2]) k.before(ts, tick);
  k.finish(tick);
  t.same(ticks, [101, 102, 103, 104, 250, 251]);
  const none = new SecondTicker();
  none.finish(tick);
  t.equal(ticks.length, 6, 'no packets, no tick');
});
