/**
 * The shared ring between the decode worker and the counting thread: every field the flow
 * tables read survives the trip, and a report made on two threads equals the one made on one.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { generate } from '../../bench/gen.js';
import { drainRing, FLOW_FIELDS, FlowRing, RING_UNITS, RingWriter } from '../../src/decode/flow-ring.js';
import { PacketSummary } from '../../src/decode/summary.js';
import { ROOT, runCli } from '../helpers/cli.js';

/**
 * A summary whose carried fields hold distinct values within their ranges, from `seed`, and are
 * consistent as a decoder leaves them: IPv4 addresses in word 0, ports only with hasPorts.
 */
function filled(seed: number): PacketSummary {
  const s = new PacketSummary();
  let v = seed;
  const next = (mod: number): number => (v = (v * 1103515245 + 12345) >>> 0) % mod;
  s.ts = 1.7e9 + next(1e6) / 1e6;
  s.hasTs = next(2) === 1;
  s.wirelen = next(0x100000000);
  s.hasSrcMac = next(2) === 1;
  s.hasDstMac = next(2) === 1;
  s.srcMacHi = next(0x10000);
  s.srcMacLo = next(0x100000000);
  s.dstMacHi = next(0x10000);
  s.dstMacLo = next(0x100000000);
  s.ipVersion = [0, 4, 6][next(3)]!;
  s.ipProto = next(257) - 1;
  s.laterFragment = next(2) === 1;
  s.hasPorts = s.ipVersion !== 0 && next(2) === 1;
  s.srcPort = s.hasPorts ? next(65536) : 0;
  // Equal addresses now and then, so the ports decide the direction.
  s.dstPort = s.hasPorts ? next(65536) : 0;
  const words = s.ipVersion === 6 ? 4 : s.ipVersion === 4 ? 1 : 0;
  for (let i = 0; i < words; i++) {
    s.src[i] = next(0x100000000);
    s.dst[i] = next(0x100000000);
  }
  s.tcpFlags = next(512);
  s.tcpSeq = next(0x100000000);
  s.tcpAck = next(0x100000000);
  s.tcpWindow = next(65536);
  s.payloadLen = next(65536);
  return s;
}

/** The carried fields; without an IP header the addresses mean nothing. */
function carried(s: PacketSummary): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of FLOW_FIELDS) {
    if (s.ipVersion === 0 && (k === 'src' || k === 'dst')) continue;
    const v = s[k];
    o[k] = v instanceof Uint32Array ? [...v] : v;
  }
  return o;
}

t.test('every carried field round-trips, at every position, extremes included', (t) => {
  const ring = new FlowRing();
  const out = new PacketSummary();
  const units = { 4: 0, 6: 0, 0: 0 } as Record<number, number>;
  for (let i = 0; i < 300; i++) {
    const s = filled(i + 1);
    // Positions near the wrap (a two-unit record in the last unit uses the spare one).
    const pos = i % 3 === 0 ? RING_UNITS - 1 : i * 7919;
    const n = ring.put(pos, s);
    t.equal(ring.get(pos, out), n, `summary ${i}: units`);
    t.same(carried(out), carried(s), `summary ${i}`);
    units[s.ipVersion] = n;
  }
  t.same(units, { 0: 1, 4: 1, 6: 2 }, 'IPv4 and non-IP take one unit, IPv6 two');
  // A record without an IP header written where one with ports was: nothing of the old one shows.
  const withPorts = filled(7);
  withPorts.ipVersion = 4;
  withPorts.hasPorts = true;
  withPorts.srcPort = 80;
  withPorts.dstPort = 443;
  ring.put(5, withPorts);
  const noIp = new PacketSummary();
  ring.put(5, noIp);
  ring.get(5, out);
  t.same(carried(out), carried(noIp), 'a non-IP record over an IP one');
  const fresh = new PacketSummary();
  ring.put(-1, fresh);
  ring.get(-1, out);
  t.same(carried(out), carried(fresh), 'a reset summary (the -1 sentinels) at a wrapped position');
  t.end();
});

t.test('writer and reader in one thread: order kept, end seen', async (t) => {
  const ring = new FlowRing();
  const w = new RingWriter(ring);
  const n = RING_UNITS - 1; // the writer would block past this with nobody reading
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
  // The captures only: demo-host.json (a host snapshot) lives beside them.
  const captures = readdirSync(join(ROOT, 'fixtures/captures')).filter((f) => /\.pcap(ng)?$/.test(f));
  const files = [big, ...captures.map((f) => join(ROOT, 'fixtures/captures', f))];
  for (const f of files) {
    const one = await runCli(['report', f, '--json'], { env: { WIRESTAT_WORKER: '0' }, plain: true });
    const two = await runCli(['report', f, '--json'], { env: { WIRESTAT_WORKER: '1' }, plain: true });
    t.equal(two.code, one.code, `${f}: exit code`);
    t.equal(two.stderr, one.stderr, `${f}: stderr`);
    t.ok(one.stdout.length > 100 && two.stdout === one.stdout, `${f}: same report`);
  }
  // main.ts starts the decoding thread on a guess before yargs parses: a wrong guess (here an
  // option's value) must neither hang the process nor change the outcome.
  const guessed = await runCli(['report', '--top', big, big, '--json'], { plain: true });
  t.equal(guessed.code, 2, 'a usage error still exits 2 with a thread started on a guess');
  t.match(guessed.stderr, /--top must be a whole number/);
  const picked = await runCli(['report', '--top', '3', big, '--json'], { plain: true });
  t.equal(JSON.parse(picked.stdout).conversations.length, 3, 'options before the file');
  const missing = await runCli(['report', join(dir, 'nope.pcap')], { env: { WIRESTAT_WORKER: '1' } });
  t.equal(missing.code, 2, 'an unreadable file still gives exit 2 from the worker path');
  t.match(missing.stderr, /nope\.pcap/);
  t.equal(missing.stderr.trim().split('\n').length, 1, 'one line');
});
