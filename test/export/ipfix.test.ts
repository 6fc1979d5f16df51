/**
 * `report FILE --export ipfix://HOST:PORT` against the tools that read IPFIX: Debian's nfcapd
 * collects what wirestat sends and `nfdump -r` must list every direction of every conversation
 * with the report's packets and bytes; tshark's cflow dissector must decode every message (no
 * malformed packet, no data set without its template) to the same records and sequence numbers.
 * And the encoder's own rules: message size, template refresh, sequence numbers.
 */
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { IpfixWriter, RECORD_V4, TEMPLATE_V4 } from '../../src/export/ipfix.js';
import { looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';
import { ethernet, ipv4, pcapFile, udp } from '../helpers/craft.js';
import { directions, nfdumpDirections, type Row } from '../helpers/flows.js';

const run = promisify(execFile);
const FIXTURES = ['demo.pcap', 'lab-mixed.pcapng', 'lab-v6.pcapng', 'lab-any-sll2.pcap'].map((f) => join(ROOT, 'fixtures/captures', f));
const tmp = mkdtempSync(join(tmpdir(), 'wirestat-ipfix-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

t.test('nfcapd collects every direction of every conversation; nfdump -r lists the report\'s packets and bytes', async (t) => {
  const have = await run('sh', ['-c', 'command -v nfcapd && command -v nfdump']).then(
    () => true,
    () => false,
  );
  if (!have) {
    if (process.env.CI === 'true') t.fail('nfcapd and nfdump are needed: apt-get install nfdump');
    else t.skip('nfcapd/nfdump not installed (apt-get install nfdump)');
    return;
  }
  for (const file of FIXTURES) {
    const name = file.split('/').pop()!;
    const dir = join(tmp, `nfcapd-${name}`);
    rmSync(dir, { recursive: true, force: true });
    await run('mkdir', ['-p', dir]);
    const port = await freePort();
    // -B: a socket buffer for the whole burst; -t: no file rotation during the test.
    const collector = spawn('nfcapd', ['-w', dir, '-b', '127.0.0.1', '-p', String(port), '-t', '3600', '-B', '8000000'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    collector.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await new Promise((r) => setTimeout(r, 500));
    const r = await runCli(['report', file, '--json', '--export', `ipfix://127.0.0.1:${port}`]);
    t.equal(r.code, 0, `${name}: report exits 0`);
    t.equal(r.stderr, '', `${name}: no warning (nothing dropped)`);
    await new Promise((r) => setTimeout(r, 300));
    collector.kill('SIGTERM');
    await new Promise((r) => collector.once('exit', r));
    const files = readdirSync(dir).filter((f) => f.startsWith('nfcapd.'));
    t.ok(files.length > 0, `${name}: nfcapd wrote a file (${log.trim().split('\n').pop()})`);
    const got = await nfdumpDirections(dir);
    const want = directions(JSON.parse(r.stdout).conversations);
    t.ok(want.size > 0);
    t.same(got, want, `${name}: ${want.size} directions, as many in nfdump with the same packets and bytes`);
    t.match(log, /Sequence Errors: 0, Bad Packets: 0/, `${name}: nfcapd saw no sequence errors or bad packets`);
  }
});

/** What a local UDP collector receives while `report FILE --export` runs. */
async function collect(file: string): Promise<{ messages: Buffer[]; report: { conversations: Row[] } }> {
  const sock = createSocket('udp4');
  const messages: Buffer[] = [];
  sock.on('message', (m) => messages.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const r = await runCli(['report', file, '--json', '--export', `ipfix://127.0.0.1:${sock.address().port}`]);
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  if (r.code !== 0) throw new Error(r.stderr);
  return { messages, report: JSON.parse(r.stdout) };
}

t.test('tshark decodes every message: no malformed packet, every data set has its template, the same records', async (t) => {
  for (const file of FIXTURES) {
    const name = file.split('/').pop()!;
    const { messages, report } = await collect(file);
    t.ok(messages.length > 0);
    // Port 4739 is IPFIX's (IANA): tshark's cflow dissector takes it without being told.
    const pcap = join(tmp, `${name}.ipfix.pcap`);
    writeFileSync(pcap, pcapFile(messages.map((m, i) => ({ sec: 1_700_000_000 + i, data: ethernet(0x0800, ipv4(17, '127.0.0.1', '127.0.0.1', udp(40000, 4739, m))) }))));
    const bad = await run('tshark', ['-n', '-r', pcap, '-Y', '_ws.malformed || _ws.expert.severity >= "warning" || !cflow']);
    t.equal(bad.stdout.trim(), '', `${name}: no malformed, warned or undecoded message`);
    const json = JSON.parse((await run('tshark', ['-n', '-r', pcap, '-T', 'json'], { maxBuffer: 256 << 20 })).stdout) as { _source: { layers: { cflow: Record<string, unknown> } } }[];
    const got = new Map<string, [number, number]>();
    let records = 0;
    let dataSets = 0;
    let withTemplate = 0;
    const sequences: number[] = [];
    const walk = (o: Record<string, unknown>): void => {
      if ('cflow.flowset_id' in o && Number(o['cflow.flowset_id']) >= 256) {
        dataSets++;
        if ('cflow.template_frame' in o) withTemplate++;
      }
      if ('cflow.packets' in o) {
        records++;
        const src = (o['cflow.srcaddr'] ?? o['cflow.srcaddrv6']) as string;
        const dst = (o['cflow.dstaddr'] ?? o['cflow.dstaddrv6']) as string;
        const key = `${src} ${Number(o['cflow.srcport'])} ${dst} ${Number(o['cflow.dstport'])}`;
        const have = got.get(key) ?? [0, 0];
        got.set(key, [have[0] + Number(o['cflow.packets']), have[1] + Number(o['cflow.octets'])]);
        return;
      }
      for (const v of Object.values(o)) if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>);
    };
    for (const p of json) {
      const c = p._source.layers.cflow;
      sequences.push(Number(c['cflow.sequence']));
      walk(c);
    }
    t.equal(withTemplate, dataSets, `${name}: ${dataSets} data sets, each with its template`);
    t.same(got, directions(report.conversations), `${name}: ${records} records, the report's directions`);
    // RFC 7011 §3.1: each message's sequence number counts the data records sent before it.
    let before = 0;
    const want: number[] = [];
    const perMessage = json.map((p) => {
      let n = 0;
      const count = (o: Record<string, unknown>): void => {
        if ('cflow.packets' in o) n++;
        else for (const v of Object.values(o)) if (v && typeof v === 'object' && !Array.isArray(v)) count(v as Record<string, unknown>);
      };
      count(p._source.layers.cflow);
      return n;
    });
    for (const n of perMessage) {
      want.push(before);
      before += n;
    }
    t.same(sequences, want, `${name}: sequence numbers`);
  }
});

/** The records tshark decodes from `messages`: one object per record, with its fields. */
async function decodeRecords(messages: Buffer[], name: string): Promise<Record<string, unknown>[]> {
  const pcap = join(tmp, `${name}.ipfix.pcap`);
  writeFileSync(pcap, pcapFile(messages.map((m, i) => ({ sec: 1_700_000_000 + i, data: ethernet(0x0800, ipv4(17, '127.0.0.1', '127.0.0.1', udp(40000, 4739, m))) }))));
  const json = JSON.parse((await run('tshark', ['-n', '-r', pcap, '-T', 'json'], { maxBuffer: 256 << 20 })).stdout) as { _source: { layers: { cflow: Record<string, unknown> } } }[];
  const out: Record<string, unknown>[] = [];
  const walk = (o: Record<string, unknown>): void => {
    if ('cflow.packets' in o) out.push(o);
    else for (const v of Object.values(o)) if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>);
  };
  for (const p of json) walk(p._source.layers.cflow);
  return out;
}

/** Decoded records summed per direction, keyed as `directions` keys the report's. */
function recordDirections(records: Record<string, unknown>[]): Map<string, [number, number]> {
  const got = new Map<string, [number, number]>();
  for (const x of records) {
    const key = `${(x['cflow.srcaddr'] ?? x['cflow.srcaddrv6']) as string} ${Number(x['cflow.srcport'])} ${(x['cflow.dstaddr'] ?? x['cflow.dstaddrv6']) as string} ${Number(x['cflow.dstport'])}`;
    const have = got.get(key) ?? [0, 0];
    got.set(key, [have[0] + Number(x['cflow.packets']), have[1] + Number(x['cflow.octets'])]);
  }
  return got;
}

t.test('timeouts: a long conversation in pieces by the active timeout, a silent one by its idle timeout; the pieces add up', async (t) => {
  const A = '198.18.0.1';
  const B = '198.18.0.2';
  const frame = (src: string, sp: number, dst: string, dp: number, len: number) => ethernet(0x0800, ipv4(17, src, dst, udp(sp, dp, Buffer.alloc(len))));
  const records: { sec: number; data: Buffer }[] = [];
  const T0 = 1_800_000_000;
  // Long: A:5000 → B:53 every 10 s for 200 s, answered every 20 s.
  for (let s = 0; s <= 200; s += 10) {
    records.push({ sec: T0 + s, data: frame(A, 5000, B, 53, 40) });
    if (s % 20 === 0) records.push({ sec: T0 + s, data: frame(B, 53, A, 5000, 100) });
  }
  // Silent: A:6000 → B:123 at 0 and 5 s, then at 150 and 155 s (UDP's idle timeout set to 30 s,
  // so that it runs out before the active timeout would cut the piece).
  for (const s of [0, 5, 150, 155]) records.push({ sec: T0 + s, data: frame(A, 6000, B, 123, 48) });
  records.sort((x, y) => x.sec - y.sec);
  const file = join(tmp, 'timeouts.pcap');
  writeFileSync(file, pcapFile(records));

  const sock = createSocket('udp4');
  const messages: Buffer[] = [];
  sock.on('message', (m) => messages.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const r = await runCli(['report', file, '--json', '--export', `ipfix://127.0.0.1:${sock.address().port}`, '--active-timeout', '60', '--idle-timeout', 'udp=30']);
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { conversations: Row[] };
  const got = await decodeRecords(messages, 'timeouts');
  const pieces = (sp: number, dp: number) =>
    got.filter((x) => Number(x['cflow.srcport']) === sp && Number(x['cflow.dstport']) === dp).map((x) => [Number(x['cflow.packets']), Number(x['cflow.octets']), Number(x['cflow.flow_end_reason'])]);
  const long = pieces(5000, 53);
  // Active timeout 60 s: pieces cut at 60, 120 and 180 s of capture time, then the end.
  t.same(long.map((p) => p[2]), [2, 2, 2, 4], 'the long one: three active-timeout pieces, then forced end');
  const answer = pieces(53, 5000);
  t.same(answer.map((p) => p[2]), [2, 2, 2, 4]);
  const silent = pieces(6000, 123);
  // Idle from 35 s (5 + 30): a piece; back at 150 s, idle again from 185 s, before the end at 200.
  t.same(silent, [
    [2, 2 * (14 + 20 + 8 + 48), 1],
    [2, 2 * (14 + 20 + 8 + 48), 1],
  ], 'the silent one: two idle-timeout pieces');
  // Each direction's pieces add up to the report's count.
  const want = directions(report.conversations);
  const sum = (ps: number[][]) => [ps.reduce((n, p) => n + p[0]!, 0), ps.reduce((n, p) => n + p[1]!, 0)];
  t.same(sum(long), want.get(`${A} 5000 ${B} 53`));
  t.same(sum(answer), want.get(`${B} 53 ${A} 5000`));
  t.same(sum(silent), want.get(`${A} 6000 ${B} 123`));
});

t.test('replay FILE --export: the dashboard\'s replay exports what the report counts', async (t) => {
  const file = join(ROOT, 'fixtures/captures/demo.pcap');
  const sock = createSocket('udp4');
  const messages: Buffer[] = [];
  sock.on('message', (m) => messages.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  // Not a terminal: the replay's text mode; at full speed.
  const r = await runCli(['replay', file, '--speed', 'max', '--export', `ipfix://127.0.0.1:${sock.address().port}`]);
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  t.equal(r.code, 0, r.stderr);
  const report = await runCli(['report', file, '--json']);
  const got = recordDirections(await decodeRecords(messages, 'replay'));
  t.same(got, directions(JSON.parse(report.stdout).conversations));
});

t.test('ipfix+tcp://: one stream of whole messages, templates once at its start; tshark decodes them to the report\'s directions', async (t) => {
  const file = join(ROOT, 'fixtures/captures/demo.pcap');
  const chunks: Buffer[] = [];
  const server = createServer((c) => c.on('data', (d: Buffer) => chunks.push(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const r = await runCli(['report', file, '--json', '--export', `ipfix+tcp://127.0.0.1:${port}`]);
  await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => server.close(r));
  t.equal(r.code, 0, r.stderr);
  // The stream cut at each message's length field (RFC 7011 §10.4.2: messages back to back).
  const stream = Buffer.concat(chunks);
  const messages: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const len = stream.readUInt16BE(at + 2);
    t.equal(stream.readUInt16BE(at), 10, `a message header at byte ${at}`);
    messages.push(stream.subarray(at, at + len));
    at += len;
  }
  t.ok(messages.length > 1);
  t.equal(messages.filter((m) => m.readUInt16BE(16) === 2).length, 1, 'templates once, in the first message');
  t.equal(messages[0]!.readUInt16BE(16), 2);
  const got = recordDirections(await decodeRecords(messages, 'tcp-stream'));
  t.same(got, directions(JSON.parse(r.stdout).conversations));
  // A collector that is not there: one line, exit 2.
  const gone = await runCli(['report', file, '--export', `ipfix+tcp://127.0.0.1:${port}`]);
  t.equal(gone.code, 2);
  t.match(gone.stderr, /^wirestat: ipfix\+tcp:\/\/127\.0\.0\.1:\d+: cannot connect \(ECONNREFUSED\)\n$/);
});

t.test('the encoder: messages within the size limit, templates first and every N messages, sequence numbers', async (t) => {
  const sent: Buffer[] = [];
  const w = new IpfixWriter({ observationDomain: 7, maxMessage: 400, templateEvery: 3, nowSec: () => 1_800_000_000, send: (m) => sent.push(m) });
  const words = [0xc6120001, 0, 0, 0];
  for (let i = 0; i < 50; i++) {
    w.add({ version: 4, src: words, srcOff: 0, dst: words, dstOff: 0, srcPort: i, dstPort: 80, proto: 6, packets: 1, bytes: 60, startMs: 1, endMs: 2, tcpFlags: 2, endReason: 3 });
  }
  w.flush();
  let seq = 0;
  sent.forEach((m, i) => {
    t.ok(m.length <= 400, `message ${i}: ${m.length} bytes`);
    t.equal(m.readUInt16BE(0), 10);
    t.equal(m.readUInt16BE(2), m.length);
    t.equal(m.readUInt32BE(4), 1_800_000_000);
    t.equal(m.readUInt32BE(8), seq, `message ${i}: sequence`);
    t.equal(m.readUInt32BE(12), 7);
    let at = 16;
    let records = 0;
    const sets: number[] = [];
    while (at < m.length) {
      const id = m.readUInt16BE(at);
      const len = m.readUInt16BE(at + 2);
      sets.push(id);
      if (id === TEMPLATE_V4) records += (len - 4) / RECORD_V4;
      at += len;
    }
    t.equal(at, m.length, 'sets fill the message');
    t.same(sets[0] === 2, i % 3 === 0, `message ${i}: templates ${i % 3 === 0 ? 'first' : 'not due'}`);
    seq += records;
  });
  t.equal(seq, 50);
  t.equal(w.records, 50);
});

t.test('--export: a bad target exits 2 with one line', async (t) => {
  for (const bad of ['ipfix://127.0.0.1', 'ipfix://host:0', 'netflow://127.0.0.1:2055', 'ipfix://[nothex]:4739']) {
    const r = await runCli(['report', join(ROOT, 'fixtures/captures/demo.pcap'), '--export', bad]);
    t.equal(r.code, 2, bad);
    t.match(r.stderr, /^wirestat: --export: .*\nTry 'wirestat --help'\.\n$/, r.stderr);
    t.notOk(looksLikeStackTrace(r.stderr));
  }
  // Well-formed targets that cannot be opened: one line naming the target, exit 2.
  for (const [target, cause] of [
    ['ipfix://no.such.host.invalid:4739', /cannot resolve no\.such\.host\.invalid/],
    ['jsonl:/no/such/dir/x', /ENOENT/],
  ] as const) {
    const r = await runCli(['report', join(ROOT, 'fixtures/captures/demo.pcap'), '--export', target]);
    t.equal(r.code, 2, target);
    t.match(r.stderr, new RegExp(`^wirestat: ${target.replace(/[./]/g, '\\$&')}: .*\n$`), r.stderr);
    t.match(r.stderr, cause);
  }
});
