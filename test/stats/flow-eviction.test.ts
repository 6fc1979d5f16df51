/**
 * The flow table when full (README, "Flow table"): which conversations leave first, what
 * `refuse` turns away, and that evicting conversations never changes a total: endpoints against
 * tshark's -z endpoints, protocols and packet counts against the same file read with room for all.
 */
import { join } from 'node:path';
import t from 'tap';
import { analyzeFile } from '../../src/cli/analyze.js';
import { buildReport } from '../../src/stats/snapshot.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import type { FlowTableOptions } from '../../src/stats/flow-policy.js';
import { looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';
import { ethernet, ipv4, tcp, TCP_FLAGS, udp } from '../helpers/craft.js';
import { compareEndpoints, type FileComparison } from '../helpers/differential.js';
import { ingestFrames } from '../helpers/ingest.js';
import { tsharkConversations } from '../helpers/tshark.js';

const FILES = ['demo.pcap', 'lab-mixed.pcapng', 'lab-v6.pcap'].map((f) => join(ROOT, 'fixtures/captures', f));

t.test('a full table changes no total: endpoints = tshark, protocols and source as with room for all', async (t) => {
  for (const file of FILES) {
    const oracle = await tsharkConversations(file);
    const roomy = await analyzeFile(file);
    for (const whenFull of ['evict', 'refuse'] as const) {
      for (const capacity of [1, 5, 12]) {
        const { report: r } = await analyzeFile(file, { flows: { capacity, whenFull } });
        const name = `${file.split('/').pop()}, ${whenFull}, room for ${capacity}`;
        const out: FileComparison = { file, skipped: null, conversations: 0, framesOnly: 0, endpoints: 0, mismatches: [] };
        compareEndpoints(r.endpoints, oracle, roomy.source.linktypes, out);
        t.same(out.mismatches, [], `${name}: ${out.endpoints} endpoints as tshark counts them`);
        t.ok(out.endpoints > 0);
        // The same counts; ties in the order by bytes may fall otherwise (endpoints met in another order).
        const byAddr = (es: typeof r.endpoints) => [...es].sort((x, y) => (x.addr < y.addr ? -1 : 1));
        t.same(byAddr(r.endpoints), byAddr(roomy.report.endpoints), `${name}: endpoints as with room for all`);
        t.same(r.protocols, roomy.report.protocols);
        t.same(r.source, roomy.report.source);
        const ft = r.flow_table;
        t.equal(ft.tracked, ft.active + ft.evicted);
        t.equal(r.conversations.length, ft.active);
        if (whenFull === 'evict') {
          // A full table frees a batch (an eighth of its places, at least one) at once.
          t.ok(ft.evicted > 0 && ft.active <= capacity && ft.active > capacity - Math.ceil(capacity / 8) - 1, `${name}: ${ft.evicted} evicted, ${ft.active} held`);
          t.equal(ft.refused, 0, 'evict never refuses');
        } else {
          // Only expired conversations leave (here closed TCP ones, after 5 s).
          t.ok(ft.refused > 0 && ft.evicted === ft.expired && ft.active <= capacity, `${name}: ${ft.refused} refused, ${ft.evicted} expired and evicted, ${ft.active} held`);
        }
        // A held conversation may have been evicted and come back: never more than the whole.
        const whole = new Map(roomy.report.conversations.map((c) => [[c.proto, ...[c.a, c.b].sort()].join(' '), c]));
        let over = 0;
        for (const c of r.conversations) {
          const w = whole.get([c.proto, ...[c.a, c.b].sort()].join(' '));
          const sum = (x: typeof c) => x.a_to_b.packets + x.b_to_a.packets;
          if (!w || sum(c) > sum(w)) over++;
        }
        t.equal(over, 0, `${name}: every held conversation is part of one in the whole`);
      }
    }
  }
});

const H1 = '198.18.0.1';
const H2 = '198.18.0.2';
const udpFrame = (sport: number): Buffer => ethernet(0x0800, ipv4(17, H1, H2, udp(sport, 53, Buffer.alloc(4))));
const tcpFrame = (from1: boolean, flags: number, seq: number, ack = 0): Buffer =>
  ethernet(0x0800, from1 ? ipv4(6, H1, H2, tcp(40000, 80, flags, { seq, ack })) : ipv4(6, H2, H1, tcp(80, 40000, flags, { seq: ack, ack: seq })));

function run(opts: FlowTableOptions, frames: [number, Buffer][]) {
  const stats = new WireStats({ flows: opts });
  ingestFrames(stats, frames.map((f) => f[1]), frames.map((f) => f[0]));
  const r = buildReport(stats, { name: 'crafted', format: 'pcap', linktypes: [1], errors: [], errorsNotListed: 0 });
  return { r, held: r.conversations.map((c) => `${c.proto} ${c.a}`).sort() };
}

t.test('evict: the conversation whose idle timeout runs out first leaves first', async (t) => {
  const { SYN, ACK, FIN } = TCP_FLAGS;
  const { r, held } = run({ capacity: 2, whenFull: 'evict' }, [
    [0, udpFrame(1)], // udp 1: deadline 0 + 60
    // A TCP connection opened and closed by both sides by t=12: deadline 12 + 5.
    [10, tcpFrame(true, SYN, 100)],
    [10.1, tcpFrame(false, SYN | ACK, 101, 500)],
    [10.2, tcpFrame(true, ACK, 101, 501)],
    [12, tcpFrame(true, FIN | ACK, 101, 501)],
    [12, tcpFrame(false, FIN | ACK, 102, 501)],
    [12, tcpFrame(true, ACK, 102, 502)],
    // Full: udp 2 comes at 13. The closed connection (17) goes, though udp 1 (60) is older.
    [13, udpFrame(2)],
    // udp 3 at 100: udp 1 (60) goes before udp 2 (73); it had expired.
    [100, udpFrame(3)],
  ]);
  t.same(held, [`udp ${H1}:2`, `udp ${H1}:3`]);
  t.match(r.flow_table, { capacity: 2, active: 2, evicted: 2, expired: 1, refused: 0, tracked: 4, when_full: 'evict' });
  // The evicted ones still count for their endpoints.
  const h1 = r.endpoints.find((e) => e.addr === H1)!;
  t.equal(h1.tx.packets, 7);
});

t.test('evict: --idle-timeout changes the order', async (t) => {
  // With TCP after a close kept 100 s, udp 1 (deadline 60) goes first instead.
  const { SYN, ACK, RST } = TCP_FLAGS;
  const { held } = run({ capacity: 2, whenFull: 'evict', timeouts: { tcpClosed: 100 } }, [
    [0, udpFrame(1)],
    [10, tcpFrame(true, SYN, 100)],
    [10.1, tcpFrame(false, RST | ACK, 0, 101)],
    [13, udpFrame(2)],
  ]);
  t.same(held, [`tcp ${H1}:40000`, `udp ${H1}:2`]);
});

t.test('refuse: only expired conversations leave; new ones are turned away until one has', async (t) => {
  const { r, held } = run({ capacity: 2, whenFull: 'refuse' }, [
    [0, udpFrame(1)],
    [1, udpFrame(2)],
    [2, udpFrame(3)], // full, nothing expired: refused
    [3, udpFrame(3)], // again
    [30, udpFrame(1)], // udp 1 is active again: deadline 90
    [61.5, udpFrame(4)], // udp 2 expired at 61: it leaves, udp 4 takes its place
    [62, udpFrame(5)], // nothing else expired
  ]);
  t.same(held, [`udp ${H1}:1`, `udp ${H1}:4`]);
  t.match(r.flow_table, { active: 2, evicted: 1, expired: 1, refused: 3, tracked: 3, when_full: 'refuse' });
  // Refused packets still count in the totals and for their endpoints.
  t.equal(r.source.packets, 7);
  t.equal(r.endpoints.find((e) => e.addr === H1)!.tx.packets, 7);
});

t.test('refuse: a connection that closes expires after its shorter timeout, though a pass found nothing before', async (t) => {
  const { SYN, ACK, FIN } = TCP_FLAGS;
  const { r, held } = run({ capacity: 2 }, [
    [0, tcpFrame(true, SYN, 100)],
    [0.1, tcpFrame(false, SYN | ACK, 101, 500)],
    [1, udpFrame(1)],
    [2, udpFrame(2)], // full; the pass finds the soonest deadline at 61 (udp 1)
    [3, tcpFrame(true, FIN | ACK, 101, 501)],
    [3, tcpFrame(false, FIN | ACK, 501, 102)], // closed at 3: its deadline is now 8
    [9, udpFrame(3)], // the connection has expired: it leaves, udp 3 comes in
  ]);
  t.same(held, [`udp ${H1}:1`, `udp ${H1}:3`]);
  t.match(r.flow_table, { evicted: 1, expired: 1, refused: 1, when_full: 'refuse' });
});

t.test('a conversation without timestamps goes first', async (t) => {
  const stats = new WireStats({ flows: { capacity: 2, whenFull: 'evict' } });
  ingestFrames(stats, [udpFrame(1), udpFrame(2)], [5, 6]);
  // A record without a time (hasTs false) is what a source without clocks delivers.
  stats.conversations.table.f64[0 * 24 + 11] = -Infinity;
  ingestFrames(stats, [udpFrame(3)], [7]);
  const held = buildReport(stats, { name: 'x', format: 'pcap', linktypes: [1], errors: [], errorsNotListed: 0 }).conversations.map((c) => c.a);
  t.same(held.sort(), [`${H1}:2`, `${H1}:3`]);
});

t.test('CLI: --max-flows, --when-full and --idle-timeout; bad values exit 2 with one line', async (t) => {
  const demo = join(ROOT, 'fixtures/captures/demo.pcap');
  // Refusing is the default.
  const ok = await runCli(['report', demo, '--json', '--max-flows', '20', '--idle-timeout', 'udp=30,tcp-closed=1']);
  t.equal(ok.code, 0, ok.stderr);
  const ft = JSON.parse(ok.stdout).flow_table;
  t.match(ft, { capacity: 20, active: 20, when_full: 'refuse', idle_timeouts: { tcp: 300, tcp_closed: 1, udp: 30, icmp: 60, other: 60 } });
  t.ok(ft.refused > 0);
  const text = await runCli(['report', demo, '--max-flows', '5', '--when-full', 'evict']);
  t.match(text.stdout, /Flow table full \(5\): \d+ conversations evicted \(\d+ past their idle timeout\), not listed above/);
  for (const bad of [
    ['--idle-timeout', 'udp=x'],
    ['--idle-timeout', 'quic=3'],
    ['--when-full', 'drop'],
    ['--max-flows', '0'],
  ]) {
    const r = await runCli(['report', demo, ...bad]);
    t.equal(r.code, 2, bad.join(' '));
    // One line naming the problem, then usage errors' usual hint.
    t.match(r.stderr, /^wirestat: .*(idle-timeout|when-full|max-flows).*\nTry 'wirestat --help'\.\n$/, r.stderr);
    t.notOk(looksLikeStackTrace(r.stderr));
  }
});
