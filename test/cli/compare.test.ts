/**
 * `wirestat compare FILE --host SNAPSHOT` on the demo capture and the snapshot of the host that
 * recorded it (h1): the share of the wire that involves the host equals what tshark counts for
 * the host's addresses; the labels partition the conversations; explained rows carry their
 * owner; third-party rows have no end on the host; `report --host` labels the same way.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Report } from '../../src/stats/snapshot.js';
import { looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const HOST = join(ROOT, 'fixtures/captures/demo-host.json');

const endIp = (e: string): string => /^\[(.+)\]:\d+$/.exec(e)?.[1] ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(e)?.[1] ?? e;

t.test('the host share equals tshark on the host addresses; labels partition the wire', async (t) => {
  const r = await runCli(['compare', DEMO, '--host', HOST, '--json'], { plain: true });
  t.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as Report;
  const l = rep.local!;
  t.ok(l.addresses.includes('198.18.0.1') && l.addresses.includes('2001:db8::1'), 'h1 addresses from the snapshot');

  const v4 = l.addresses.filter((a) => !a.includes(':'));
  const v6 = l.addresses.filter((a) => a.includes(':'));
  const filter = [...v4.map((a) => `ip.addr == ${a}`), ...v6.map((a) => `ipv6.addr == ${a}`)].join(' or ');
  const ts = spawnSync('tshark', ['-n', '-r', DEMO, '-Y', filter, '-T', 'fields', '-e', 'frame.len'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  t.equal(ts.status, 0, 'tshark ran');
  const lens = ts.stdout.split('\n').filter(Boolean).map(Number);
  const bytes = lens.reduce((s, x) => s + x, 0);
  t.equal(l.host.packets, lens.length, `host packets = tshark's (${lens.length})`);
  t.equal(l.host.bytes, bytes, `host bytes = tshark's (${bytes})`);
  t.equal(l.share.host_packets, lens.length / rep.source.packets, 'share of packets');
  t.equal(l.share.host_bytes, bytes / rep.source.bytes, 'share of bytes');

  const all = rep.conversations;
  t.equal(all.length, rep.conversations_total, 'every conversation listed');
  t.equal(l.explained.conversations + l.unexplained.conversations + l.third_party.conversations, all.length, 'the labels partition the conversations');
  for (const c of all) {
    const local = l.addresses.includes(endIp(c.a)) || l.addresses.includes(endIp(c.b));
    if (c.local === 'third-party') t.notOk(local, `${c.a} ${c.b}: third party has no end on the host`);
    else t.ok(local, `${c.a} ${c.b}: ${c.local} has an end on the host`);
    if (c.local !== 'explained') t.equal(c.pid, null);
  }
  const explained = all.filter((c) => c.local === 'explained');
  t.ok(explained.length > 0, `${explained.length} explained`);
  // The two long sessions to h1's line server (port 9000, one dual-stack listener) and the paced download.
  const server = explained.filter((c) => c.b.endsWith(':9000'));
  t.equal(server.length, 2, 'both sessions to the :9000 listener explained (IPv4 through the dual-stack socket too)');
  t.ok(server.every((c) => c.program !== null && c.pid !== null), 'with the listener\'s PID and program');

  // report --host: the same labels.
  const rr = JSON.parse((await runCli(['report', DEMO, '--host', HOST, '--json'], { plain: true })).stdout) as Report;
  t.same(
    rr.conversations.map((c) => [c.a, c.b, c.local, c.pid]),
    all.map((c) => [c.a, c.b, c.local, c.pid]),
  );
  t.same(rr.local, l);
  // --csv: the label, PID and program columns, row for row as the JSON.
  const csv = (await runCli(['report', DEMO, '--host', HOST, '--csv'], { plain: true })).stdout.trimEnd().split('\r\n');
  t.match(csv[0], /,state,history,local,pid,program,reason$/);
  t.same(
    csv.slice(1).map((l) => l.split(',').slice(-4)),
    all.map((c) => [c.local ?? '', c.pid === null ? '' : String(c.pid), c.program ?? '', c.reason ?? '']),
    'CSV labels = JSON labels',
  );
  const plain = JSON.parse((await runCli(['report', DEMO, '--json'], { plain: true })).stdout) as Report;
  t.equal(plain.local, null, 'without --host: no local section');
  t.ok(plain.conversations.every((c) => c.local === null && c.pid === null), 'and no labels');
});

t.test("the reconciliation: h1's counters over the demo against the wire, tshark's count of it", async (t) => {
  const rep = JSON.parse((await runCli(['compare', DEMO, '--host', HOST, '--json'], { plain: true })).stdout) as Report;
  const l = rep.local!;
  t.equal(l.interface, 'eth0', "the interface holding h1's addresses");
  const k = l.counters!;
  t.ok(k, 'three snapshots: counters over their span');
  const count = (filter: string): number =>
    spawnSync('tshark', ['-n', '-r', DEMO, '-Y', filter], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout.split('\n').filter(Boolean).length;
  const from = l.addresses.map((a) => (a.includes(':') ? `ipv6.src == ${a}` : `ip.src == ${a}`)).join(' or ');
  const to = l.addresses.map((a) => (a.includes(':') ? `ipv6.dst == ${a}` : `ip.dst == ${a}`)).join(' or ');
  t.equal(k.tcp.wire.sent, count(`tcp && (${from})`), "TCP segments from h1 = tshark's");
  t.equal(k.tcp.wire.received, count(`tcp && (${to})`), "TCP segments to h1 = tshark's");
  t.equal(k.tcp.wire.resets_sent, count(`tcp.flags.reset == 1 && (${from})`), "RSTs from h1 = tshark's");
  t.equal(k.udp.wire.sent, count(`udp && (${from})`), "UDP datagrams from h1 = tshark's");
  t.equal(k.udp.wire.received, count(`udp && (${to})`), "UDP datagrams to h1 = tshark's");
  // All of h1's traffic crossed eth0 while tcpdump recorded it there, so its own counters agree.
  t.equal(k.interface!.rx_packets + k.interface!.tx_packets, k.captured.packets, 'eth0 counted every packet captured');
  t.equal(k.tcp.kernel.out_segs! + k.tcp.kernel.retrans_segs!, k.tcp.wire.sent, 'OutSegs + RetransSegs = segments sent');
  t.equal(k.tcp.kernel.in_segs, k.tcp.wire.received, 'InSegs = segments received');
  t.equal(k.tcp.kernel.out_rsts, k.tcp.wire.resets_sent, 'OutRsts = RSTs sent');
  t.same([k.udp.kernel.out_datagrams, k.udp.kernel.in_datagrams], [k.udp.wire.sent, k.udp.wire.received], 'UDP in and out');
  const text = (await runCli(['compare', DEMO, '--host', HOST], { plain: true })).stdout;
  t.match(text, new RegExp(`^TCP segments sent +${k.tcp.wire.sent} +${k.tcp.wire.sent} +Tcp OutSegs \\+ RetransSegs$`, 'm'), 'the text table');

  // One snapshot (the first line alone): no growth to compare.
  const one = join(t.testdir(), 'one.json');
  writeFileSync(one, readFileSync(HOST, 'utf8').split('\n')[0]!);
  const single = JSON.parse((await runCli(['compare', DEMO, '--host', one, '--json'], { plain: true })).stdout) as Report;
  t.equal(single.local!.counters, null, 'one snapshot: counters null');
});

t.test('a host file of hostile bytes: one line, nothing a terminal would obey', async (t) => {
  const bad = join(t.testdir(), 'bad.json');
  writeFileSync(bad, Buffer.from('\x1b]52;c;aGk=\x07\x1b[2J\u009b31m\n{', 'utf8'));
  const r = await runCli(['compare', DEMO, '--host', bad], { plain: true });
  t.equal(r.code, 2);
  t.equal(r.stderr.split('\n').filter(Boolean).length, 1, 'one line');
  t.notMatch(r.stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'no control character reaches stderr');
  t.match(r.stderr, /not JSON/);
});

t.test('text, and usage errors', async (t) => {
  const r = await runCli(['compare', DEMO, '--host', HOST], { plain: true });
  t.equal(r.code, 0);
  t.match(r.stdout, /involve this host \(\d+\.\d%: what netstat could ever see\)/);
  t.match(r.stdout, /^Unexplained: \d+ conversations/m);
  for (const [args, re] of [
    [['compare', DEMO], /needs --host/],
    [['compare'], /name a capture file/],
    [['compare', DEMO, '--host', HOST, '-i', 'lo'], /not both/],
    [['report', '-i', 'lo', '--host', HOST], /--host labels a capture file/],
    [['compare', DEMO, '--host', join(ROOT, 'nosuch.json')], /nosuch\.json: cannot read/],
  ] as const) {
    const x = await runCli([...args], { plain: true });
    t.equal(x.code, 2, `${args.join(' ')}: exit 2`);
    t.match(x.stderr, re);
    t.notOk(looksLikeStackTrace(x.stderr));
  }
});
