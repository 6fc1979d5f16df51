/**
 * A short fixed-seed fuzz run inside `npm test`, so every change meets a few thousand hostile
 * packets and files (the long run is `npm run fuzz`). Also checks the oracle itself: a
 * placement must change every byte just outside the record and none inside it, or the
 * out-of-record check would prove nothing.
 */
import t from 'tap';
import { CaptureRecord } from '../../src/capture/source.js';
import { ROOT } from '../helpers/cli.js';
import { JUNK, Placements } from './placement.js';
import { Prng } from './prng.js';
import { formatReport, fuzz } from './run.js';

/** Fixed so that CI runs the same inputs every time; a failure names it for replay. */
const SEED = 20261126;
/** Enough to pass every mutation and most reasons (a run of 200k finds the same reasons),
 *  bounded by SECONDS on a slow or instrumented machine. */
const PACKETS = 30000;
const FILES = 40;
const SECONDS = 4;
const CLI_EVERY = 20;

t.test('placements differ just outside the record and nowhere inside it', async (t) => {
  const rng = new Prng(1);
  const place = new Placements(64);
  const data = Buffer.from('00112233445566778899', 'hex');
  const a = new CaptureRecord();
  const b = new CaptureRecord();
  const c = new CaptureRecord();
  place.placeA(rng, data, a);
  const aBytes = Buffer.from(a.buf);
  const aOff = a.offset;
  place.placeB(rng, data, b);
  place.placeC(data, c);
  t.same(a.data, data);
  t.same(b.data, data);
  t.same(c.data, data);
  t.not(b.offset, aOff, 'B sits at another alignment');
  const same: string[] = [];
  for (let k = 1; k <= JUNK; k++) {
    if (aBytes[aOff - k] === b.buf[b.offset - k]) same.push(`${k} before`);
    if (aBytes[aOff + data.length + k - 1] === b.buf[b.offset + data.length + k - 1]) same.push(`${k} after`);
  }
  t.same(same, [], `all ${JUNK} junk bytes on each side differ between A and B`);
  t.equal(c.buf.length, data.length);
  t.equal(c.buf.buffer.byteLength, data.length, 'C has no pool slab behind it');
});

t.test(`fuzz seed ${SEED}: nothing escapes, nothing reads outside a record, nothing stalls`, async (t) => {
  const r = await fuzz({ seed: SEED, packets: PACKETS, files: FILES, seconds: SECONDS, cliEvery: CLI_EVERY, root: ROOT });
  t.comment(formatReport(r));
  t.ok(r.packets.packets > 0 && r.files.files > 0, 'some packets and files were fuzzed');
  t.equal(r.escaped, 0, 'escaped exceptions');
  t.equal(r.outOfRecord, 0, 'out-of-record reads');
  t.equal(r.packets.stats.packets, r.packets.packets, 'WireStats counted every packet');
  t.equal(r.packets.stats.protocols.malformedPackets, r.packets.malformed, 'the report counts every malformed packet');
  t.same(r.failureKinds, [], 'no failure of any kind');
});
