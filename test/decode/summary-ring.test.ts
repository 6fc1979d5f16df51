/**
 * The shared ring between the decode worker and the counting thread: every summary field
 * survives the trip, and a report made on two threads equals the one made on one.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { generate } from '../../bench/gen.js';
import { drainRing, RING_SLOTS, RingWriter, SummaryRing } from '../../src/decode/summary-ring.js';
import { PacketSummary } from '../../src/decode/summary.js';
import { ROOT, runCli } from '../helpers/cli.js';

/** Fields that point into the capture buffer and are deliberately not carried. */
const BUFFER_OFFSETS = ['l4Offset', 'l4WireEnd'];

/** A summary whose every field holds a distinct value within its range, from `seed`. */
function filled(seed: number): PacketSummary {
  const s = new PacketSummary();
  let v = seed;
  const next = (mod: number): number => (v = (v * 1103515245 + 12345) >>> 0) % mod;
  for (const k of Object.keys(s) as (keyof PacketSummary)[]) {
    const cur = s[k];
    if (cur instanceof Uint32Array) for (let i = 0; i < 4; i++) cur[i] = next(0x100000000);
    else if (typeof cur === 'boolean') (s as unknown as Record<string, unknown>)[k] = next(2) === 1;
  }
  s.ts = 1.7e9 + next(1e6) / 1e6;
  s.caplen = next(262145);
  s.wirelen = next(0x100000000);
  s.linktype = next(300);
  s.ifIndex = next(65536);
  s.layers = next(1 << 22);
  s.reason = next(64);
  s.srcMacHi = next(0x10000);
  s.srcMacLo = next(0x100000000);
  s.dstMacHi = next(0x10000);
  s.dstMacLo = next(0x100000000);
  s.vlanDepth = next(65);
  s.vlanId = next(4097) - 1;
  s.etherType = next(0x10001) - 1;
  s.ipVersion = [0, 4, 6][next(3)]!;
  s.ipProto = next(257) - 1;
  s.srcPort = next(65536);
  s.dstPort = next(65536);
  s.tcpFlags = next(512);
  s.tcpSeq = next(0x100000000);
  s.tcpAck = next(0x100000000);
  s.tcpWindow = next(65536);
  s.payloadLen = next(65536);
  s.icmpType = next(257) - 1;
  s.icmpCode = next(257) - 1;
  return s;
}

function plain(s: PacketSummary): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!BUFFER_OFFSETS.includes(k)) o[k] = v instanceof Uint32Array ? [...v] : v;
  return o;
}

t.test('every field but the buffer offsets round-trips, extremes included', (t) => {
  const ring = new SummaryRing();
  const out = new PacketSummary();
  for (let i = 0; i < 200; i++) {
    const s = filled(i + 1);
    ring.put(i * 7919, s);
    ring.get(i * 7919, out);
    t.same(plain(out), plain(s), `summary ${i}`);
  }
  const fresh = new PacketSummary();
  ring.put(-1, fresh);
  ring.get(-1, out);
  t.same(plain(out), plain(fresh), 'a reset summary (the -1 sentinels) at a wrapped position');
  // A new PacketSummary field must be carried or listed here: this names it.
  t.same(Object.keys(out).filter((k) => !(k in plain(out))), BUFFER_OFFSETS);
  t.end();
});

t.test('writer and reader in one thread: order kept, end seen', async (t) => {
  const ring = new SummaryRing();
  const w = new RingWriter(ring);
  const n = RING_SLOTS - 1; // the writer would block past this with nobody reading
  for (let i = 0; i < n; i++) {
    const s = new PacketSummary();
    s.wirelen = i;
    w.push(s);
  }
  w.finish();
  const seen: number[] = [];
  await drainRing(ring, (s) => seen.push(s.wirelen), () => false);
  t.equal(seen.length, n);
  t.ok(seen.every((x, i) => x === i), 'in order');
});

t.test('two threads and one give the same report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wirestat-ring-'));
  // Many times the ring's size, so positions wrap and the writer waits for the reader.
  const big = join(dir, 'gen.pcap');
  generate(big, { packets: 60_000, flows: 700 });
  const files = [big, ...readdirSync(join(ROOT, 'fixtures/captures')).map((f) => join(ROOT, 'fixtures/captures', f))];
  for (const f of files) {
    const one = await runCli(['report', f, '--json'], { env: { WIRESTAT_WORKER: '0' }, plain: true });
    const two = await runCli(['report', f, '--json'], { env: { WIRESTAT_WORKER: '1' }, plain: true });
    t.equal(two.code, one.code, `${f}: exit code`);
    t.equal(two.stderr, one.stderr, `${f}: stderr`);
    t.ok(one.stdout.length > 100 && two.stdout === one.stdout, `${f}: same report`);
  }
  const missing = await runCli(['report', join(dir, 'nope.pcap')], { env: { WIRESTAT_WORKER: '1' } });
  t.equal(missing.code, 2, 'an unreadable file still gives exit 2 from the worker path');
  t.match(missing.stderr, /nope\.pcap/);
  t.equal(missing.stderr.trim().split('\n').length, 1, 'one line');
});
