/**
 * `report FILE --export jsonl:OUT` against the report of the same run, field by field, for every
 * capture in fixtures/captures: each conversation of the report is exactly one line (the default
 * table evicts nothing there), with Zeek's conn.log names as literal keys and the row's values
 * (README, "JSON lines", says which field is which). With --host, the labels; with a 3-place
 * table that evicts, the lines of a conversation add up to the roomy report's counts; `jsonl:-`,
 * the stdout conflict, a bad target and a failing file; in process, a slow and a stalled reader.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { ipProtocolName } from '../../src/decode/names.js';
import { FlowExport } from '../../src/export/flow-export.js';
import { JsonlSink } from '../../src/export/jsonl-sink.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { type CliResult, looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';
import { ethernet, ipv4, pcapFile, tcp, TCP_FLAGS, udp } from '../helpers/craft.js';
import { ingestFrames } from '../helpers/ingest.js';
import type { ConversationRow as Row } from '../../src/stats/snapshot.js';

const CAPTURES = join(ROOT, 'fixtures/captures');
const FIXTURES = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
const DEMO = join(CAPTURES, 'demo.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'wirestat-jsonl-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

interface Report {
  conversations: Row[];
  conversations_total: number;
  flow_table: { evicted: number; tracked: number };
}
type Line = Record<string, string | number>;

/** Every key a line may have, in Zeek's order and then wirestat's. */
const KEYS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'duration',
  'conn_state',
  'history',
  'orig_pkts',
  'resp_pkts',
  'ip_proto',
  'orig_wire_bytes',
  'resp_wire_bytes',
  'local',
  'pid',
  'program',
];

/** "198.18.0.1:80", "[2001:db8::1]:443", "198.18.0.9" → address and port (undefined without one). */
function endpoint(e: string): [string, number | undefined] {
  const v6 = /^\[(.+)\]:(\d+)$/.exec(e);
  if (v6) return [v6[1]!, Number(v6[2])];
  const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(e);
  if (v4) return [v4[1]!, Number(v4[2])];
  return [e, undefined];
}

/** An address and port as the report writes an endpoint. */
function reportEndpoint(h: string | number | undefined, p: string | number | undefined): string {
  if (p === undefined) return String(h);
  return String(h).includes(':') ? `[${h}]:${p}` : `${h}:${p}`;
}

/** A line's conversation in the report's terms: "proto a b". */
function lineKey(l: Line): string {
  const proto = l.ip_proto === undefined ? 'fragment' : ipProtocolName(l.ip_proto as number);
  return `${proto} ${reportEndpoint(l['id.orig_h'], l['id.orig_p'])} ${reportEndpoint(l['id.resp_h'], l['id.resp_p'])}`;
}

const micros = (s: number): number => Math.round(s * 1e6) / 1e6;

/**
 * The line a whole conversation (one piece) must be, from its report row: the README's mapping,
 * written out again from the report's side. `ip_proto`: checked through the key (its name is the row's proto).
 */
function expected(r: Row, ipProto: number | undefined, host: boolean): Line {
  const [oh, op] = endpoint(r.a);
  const [rh, rp] = endpoint(r.b);
  const e: Line = {};
  if (r.first_ts !== null) e.ts = r.first_ts;
  e['id.orig_h'] = oh;
  if (op !== undefined) e['id.orig_p'] = op;
  e['id.resp_h'] = rh;
  if (rp !== undefined) e['id.resp_p'] = rp;
  e.proto = r.proto === 'tcp' || r.proto === 'udp' ? r.proto : r.proto === 'icmp' || r.proto === 'icmpv6' ? 'icmp' : 'unknown_transport';
  if (r.first_ts !== null && r.last_ts !== null && micros(r.last_ts - r.first_ts) > 0) e.duration = micros(r.last_ts - r.first_ts);
  // Zeek's conn_state(): TCP's is the report's; UDP by the sides that sent; the rest OTH.
  const [o, s] = [r.a_to_b.packets > 0, r.b_to_a.packets > 0];
  e.conn_state = r.state ?? (r.proto === 'udp' ? (o ? (s ? 'SF' : 'S0') : s ? 'SHR' : 'OTH') : 'OTH');
  if (r.history) e.history = r.history;
  e.orig_pkts = r.a_to_b.packets;
  e.resp_pkts = r.b_to_a.packets;
  if (ipProto !== undefined) e.ip_proto = ipProto;
  e.orig_wire_bytes = r.a_to_b.bytes;
  e.resp_wire_bytes = r.b_to_a.bytes;
  if (host) {
    e.local = r.local!;
    if (r.pid !== null) e.pid = r.pid;
    if (r.program !== null) e.program = r.program;
  }
  return e;
}

/** The lines of a JSON-lines text: each one JSON object, with only known keys, no null, no empty line. */
function parseLines(t: Test, text: string, what: string): Line[] {
  t.ok(text === '' || text.endsWith('\n'), `${what}: ends with a newline`);
  const lines: Line[] = [];
  let bad = 0;
  for (const raw of text.split('\n').slice(0, -1)) {
    let l: Line;
    try {
      l = JSON.parse(raw) as Line;
    } catch {
      bad++;
      continue;
    }
    const keys = Object.keys(l);
    // Zeek's dotted names are literal keys, not nested objects; keys in the documented order.
    const order = keys.map((k) => KEYS.indexOf(k));
    if (order.includes(-1) || order.some((x, i) => i > 0 && x < order[i - 1]!)) t.fail(`${what}: keys ${keys.join(',')}`);
    if (keys.some((k) => l[k] === null || (typeof l[k] !== 'string' && typeof l[k] !== 'number'))) t.fail(`${what}: a null or nested value: ${raw}`);
    if (!/^C[0-9A-Za-z]{17}$/.test(String(l.uid))) t.fail(`${what}: uid ${l.uid}`);
    lines.push(l);
  }
  t.equal(bad, 0, `${what}: every line is a JSON object`);
  return lines;
}

/** A few runs at once: two cores, and a CI run may be going on. */
async function pool<T, R>(items: readonly T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}

interface Run {
  r: CliResult;
  report: Report;
  jsonl: string;
}

async function reportWithJsonl(file: string, name: string, extra: string[] = []): Promise<Run> {
  const out = join(tmp, `${name}.jsonl`);
  const r = await runCli(['report', file, '--json', '--export', `jsonl:${out}`, ...extra], { plain: true });
  if (r.code !== 0) throw new Error(`${name}: exit ${r.code}: ${r.stderr}`);
  return { r, report: JSON.parse(r.stdout) as Report, jsonl: readFileSync(out, 'utf8') };
}

/** Every report row is exactly one line, equal to it field by field. */
function sameConversations(t: Test, name: string, run: Run, host: boolean): Line[] {
  const lines = parseLines(t, run.jsonl, name);
  const rows = run.report.conversations;
  t.equal(run.report.flow_table.evicted, 0, `${name}: nothing evicted`);
  t.equal(rows.length, run.report.conversations_total, `${name}: every conversation listed`);
  t.equal(lines.length, rows.length, `${name}: one line per conversation`);
  t.equal(new Set(lines.map((l) => l.uid)).size, lines.length, `${name}: uids distinct`);
  const byKey = new Map<string, Line[]>();
  for (const l of lines) byKey.set(lineKey(l), [...(byKey.get(lineKey(l)) ?? []), l]);
  let matched = 0;
  for (const row of rows) {
    const key = `${row.proto} ${row.a} ${row.b}`;
    const found = byKey.get(key) ?? [];
    if (found.length !== 1) {
      t.fail(`${name}: ${key}: ${found.length} lines`);
      continue;
    }
    const { uid: _, ...line } = found[0]!;
    const want = expected(row, line.ip_proto as number | undefined, host);
    if (row.proto !== 'fragment' && line.ip_proto === undefined) t.fail(`${name}: ${key}: no ip_proto`);
    t.strictSame(line, want, `${name}: ${key}`, { diagnostic: false });
    matched++;
  }
  t.equal(matched, rows.length, `${name}: every conversation matched`);
  return lines;
}

const runs = new Map<string, Run>();

t.before(async () => {
  const got = await pool(FIXTURES, 2, (f) => reportWithJsonl(join(CAPTURES, f), f));
  FIXTURES.forEach((f, i) => runs.set(f, got[i]!));
});

t.test('every fixture: one line per report conversation, field by field', async (t) => {
  t.ok(FIXTURES.length >= 9, `${FIXTURES.length} captures`);
  for (const f of FIXTURES) {
    const run = runs.get(f)!;
    t.equal(run.r.stderr, '', `${f}: nothing on stderr`);
    sameConversations(t, f, run, false);
    // The names are the literal dotted keys jq's .["id.orig_h"] reads.
    t.match(run.jsonl, /^\{"ts":[\d.]+,"uid":"C[0-9A-Za-z]{17}","id\.orig_h":"/, `${f}: Zeek's keys first`);
  }
});

t.test('--host: local, pid and program are the report\'s', async (t) => {
  const run = await reportWithJsonl(DEMO, 'demo-host', ['--host', join(CAPTURES, 'demo-host.json')]);
  const lines = sameConversations(t, 'demo.pcap --host', run, true);
  t.ok(lines.some((l) => l.local === 'explained' && typeof l.pid === 'number' && typeof l.program === 'string'), 'some explained, with an owner');
  t.ok(lines.some((l) => l.local !== 'explained'), 'some not explained');
  // The same conversations get the same uids with or without the labels (and run to run).
  const plain = parseLines(t, runs.get('demo.pcap')!.jsonl, 'demo.pcap');
  t.strictSame(lines.map((l) => l.uid), plain.map((l) => l.uid), 'uids are deterministic');
});

t.test('--max-flows 3 --when-full evict: the lines of each conversation add up to the roomy report', async (t) => {
  const run = await reportWithJsonl(DEMO, 'demo-evict', ['--max-flows', '3', '--when-full', 'evict']);
  const lines = parseLines(t, run.jsonl, 'evicting');
  const ft = run.report.flow_table;
  t.ok(ft.evicted > 50, `${ft.evicted} evictions`);
  t.equal(lines.length, ft.tracked, 'one line per conversation the table held (a returning one is a new row)');
  t.equal(new Set(lines.map((l) => l.uid)).size, lines.length, 'a returning conversation gets a new uid');
  // Per direction "proto from to": the sum over lines against the roomy report's row.
  const sum = new Map<string, [number, number]>();
  const add = (key: string, packets: number, bytes: number): void => {
    if (packets === 0) return;
    const have = sum.get(key) ?? [0, 0];
    sum.set(key, [have[0] + packets, have[1] + bytes]);
  };
  for (const l of lines) {
    const proto = l.ip_proto === undefined ? 'fragment' : ipProtocolName(l.ip_proto as number);
    const o = reportEndpoint(l['id.orig_h'], l['id.orig_p']);
    const r = reportEndpoint(l['id.resp_h'], l['id.resp_p']);
    add(`${proto} ${o} ${r}`, l.orig_pkts as number, l.orig_wire_bytes as number);
    add(`${proto} ${r} ${o}`, l.resp_pkts as number, l.resp_wire_bytes as number);
  }
  const want = new Map<string, [number, number]>();
  for (const row of runs.get('demo.pcap')!.report.conversations) {
    if (row.a_to_b.packets > 0) want.set(`${row.proto} ${row.a} ${row.b}`, [row.a_to_b.packets, row.a_to_b.bytes]);
    if (row.b_to_a.packets > 0) want.set(`${row.proto} ${row.b} ${row.a}`, [row.b_to_a.packets, row.b_to_a.bytes]);
  }
  t.strictSame(Object.fromEntries([...sum].sort()), Object.fromEntries([...want].sort()), 'packets and bytes per direction');
});

t.test('jsonl:- writes the same lines to standard output, and no report after them', async (t) => {
  const r = await runCli(['report', DEMO, '--export', 'jsonl:-'], { plain: true });
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.equal(r.stdout, runs.get('demo.pcap')!.jsonl, 'the file\'s lines, byte for byte');
});

t.test('jsonl:- with --json or --csv: exit 2 with one line', async (t) => {
  for (const form of [['--json'], ['--csv']]) {
    const r = await runCli(['report', DEMO, ...form, '--export', 'jsonl:-'], { plain: true });
    t.equal(r.code, 2, form[0]);
    t.equal(r.stdout, '');
    t.match(r.stderr, /^wirestat: --export jsonl:- writes the conversations to standard output: the report cannot go there too\nTry 'wirestat --help'\.\n$/, r.stderr);
  }
  const bad = await runCli(['report', DEMO, '--export', 'jsonl:'], { plain: true });
  t.equal(bad.code, 2, 'jsonl: without a file');
  t.match(bad.stderr, /^wirestat: --export: "jsonl:" is not jsonl:FILE or jsonl:- .*\nTry 'wirestat --help'\.\n$/, bad.stderr);
});

t.test('a file that fails mid-way: the report still comes, and one warning line says what was lost', async (t) => {
  const r = await runCli(['report', DEMO, '--json', '--export', 'jsonl:/dev/full'], { plain: true });
  t.equal(r.code, 0);
  t.equal((JSON.parse(r.stdout) as Report).conversations.length, 102);
  t.match(r.stderr, /^wirestat: jsonl:\/dev\/full: ENOSPC[^\n]*; 102 of 102 lines not written\n$/, r.stderr);
  t.notOk(looksLikeStackTrace(r.stderr));
});

t.test('what the fixtures lack: another IP protocol, one-way UDP, a TCP header that cannot be read', async (t) => {
  const frames = [
    ethernet(0x0800, ipv4(47, '198.18.0.1', '198.18.0.2', Buffer.alloc(24))), // GRE
    ethernet(0x0800, ipv4(17, '198.18.0.1', '198.18.0.3', udp(5353, 53, Buffer.from('query')))),
    ethernet(0x0800, ipv4(17, '198.18.0.1', '198.18.0.3', udp(5353, 53, Buffer.from('again')))),
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.4', tcp(40000, 80, TCP_FLAGS.SYN, { dataOffset: 2 }))), // bad data offset
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.5', tcp(40001, 80, TCP_FLAGS.SYN))),
  ];
  const file = join(tmp, 'crafted.pcap');
  writeFileSync(file, pcapFile(frames.map((data, i) => ({ sec: 1700000000 + i, frac: 250000, data }))));
  const run = await reportWithJsonl(file, 'crafted');
  const lines = sameConversations(t, 'crafted', run, false);
  const by = (h: string): Line => lines.find((l) => l['id.resp_h'] === h)!;
  t.match(by('198.18.0.2'), { proto: 'unknown_transport', ip_proto: 47, conn_state: 'OTH' }, 'GRE');
  t.notOk('id.orig_p' in by('198.18.0.2'), 'no ports for GRE');
  t.match(by('198.18.0.3'), { proto: 'udp', conn_state: 'S0', orig_pkts: 2, resp_pkts: 0, duration: 1 }, 'one-way UDP: S0');
  t.notOk('history' in by('198.18.0.3'), 'no history for UDP');
  t.notOk('id.orig_p' in by('198.18.0.4'), 'an unreadable TCP header: no ports');
  t.match(by('198.18.0.4'), { proto: 'tcp', conn_state: 'OTH' });
  t.match(by('198.18.0.5'), { proto: 'tcp', conn_state: 'S0', history: 'S' }, 'a lone SYN');
  t.notOk('duration' in by('198.18.0.5'), 'one packet: no duration (Zeek sets it only above 0)');
});

/** `n` UDP conversations (distinct source ports), one packet each, one second apart. */
function udpStats(n: number): WireStats {
  const stats = new WireStats();
  const frames = Array.from({ length: n }, (_, i) => ethernet(0x0800, ipv4(17, '198.18.0.1', '198.18.0.2', udp(10000 + i, 53, Buffer.from('q')))));
  ingestFrames(stats, frames, frames.map((_, i) => 1700000000 + i));
  return stats;
}

/** A writer that takes `hwm` characters before it asks to wait, and completes writes only when released. */
class SlowWriter extends Writable {
  text = '';
  private held: Array<() => void> = [];
  private auto: boolean;
  constructor(hwm: number, auto: boolean) {
    super({ highWaterMark: hwm, decodeStrings: false });
    this.auto = auto;
  }
  override _write(chunk: string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const done = (): void => {
      this.text += chunk;
      cb();
    };
    if (this.auto) setTimeout(done, 1);
    else this.held.push(done);
  }
  release(): void {
    this.auto = true;
    for (const d of this.held.splice(0)) d();
  }
}

t.test('a slow reader: batches wait for drain, in order, none lost', async (t) => {
  const stats = udpStats(3000);
  const out = new SlowWriter(16 * 1024, true);
  const sink = await JsonlSink.open({ kind: 'jsonl', text: 'jsonl:-', path: '-' }, { stdout: out });
  await new FlowExport(stats.conversations, [sink]).finish();
  const lines = out.text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as Line);
  t.equal(lines.length, 3000);
  t.strictSame(lines.map((l) => l['id.orig_p']), Array.from({ length: 3000 }, (_, i) => 10000 + i), 'in order');
  t.equal(sink.written, 3000);
  t.equal(sink.problems(), null);
});

t.test('a stalled reader: past the queue bound whole batches are dropped and counted, capture goes on', async (t) => {
  const stats = udpStats(3000);
  const out = new SlowWriter(16 * 1024, false);
  const sink = await JsonlSink.open({ kind: 'jsonl', text: 'jsonl:-', path: '-' }, { stdout: out, maxQueued: 128 * 1024 });
  const exp = new FlowExport(stats.conversations, [sink]);
  // finish() waits for the sink's close, which waits for the reader: release it once lines were dropped.
  const finished = exp.finish();
  await new Promise((r) => setTimeout(r, 50));
  t.ok(sink.dropped > 0, `${sink.dropped} dropped while stalled`);
  out.release();
  await finished;
  const lines = out.text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as Line);
  t.equal(lines.length + sink.dropped, 3000, 'every line written or counted');
  t.equal(sink.written, lines.length);
  t.match(sink.problems(), new RegExp(`^${sink.dropped} of 3000 lines dropped`));
});
