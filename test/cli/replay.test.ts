/**
 * `wirestat replay FILE` with standard output not a terminal: the text mode. The last block
 * counts what `wirestat report` counts; a paced replay takes the recorded time divided by the
 * speed (never less); a filter counts what tcpdump -r prints; bad arguments are one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Report } from '../../src/stats/snapshot.js';
import { looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';

const CAPTURES = join(ROOT, 'fixtures/captures');
const DEMO = join(CAPTURES, 'demo.pcap');
const V4 = join(CAPTURES, 'lab-v4.pcap');

async function report(file: string, extra: string[] = []): Promise<Report> {
  const r = await runCli(['report', file, '--json', ...extra], { plain: true });
  return JSON.parse(r.stdout) as Report;
}

/** The summary line of the last block. */
function lastSummary(stdout: string): string {
  const blocks = stdout.trimEnd().split('\n\n');
  return blocks[blocks.length - 1]!.split('\n')[0]!;
}

const num = (line: string, word: string): number => Number(new RegExp(`${word} ([\\d,]+)`).exec(line)![1]!.replace(/,/g, ''));

t.test('--speed max: the last block counts what the report counts', async (t) => {
  for (const file of [DEMO, V4, join(CAPTURES, 'lab-multi-if.pcapng')]) {
    const want = await report(file);
    const r = await runCli(['replay', file, '--speed', 'max'], { plain: true });
    t.equal(r.code, 0, r.stderr);
    const line = lastSummary(r.stdout);
    t.match(line, /^\S+ \S+ UTC \(finished\)/);
    t.equal(num(line, 'packets'), want.source.packets, `${file}: packets`);
    t.equal(num(line, 'conversations'), want.conversations_total, `${file}: conversations`);
    t.notMatch(r.stdout, /\x1b/, 'no escape sequences when not a terminal');
  }
});

t.test('paced: the recorded time divided by the speed, never less', async (t) => {
  const want = await report(V4);
  const span = want.source.last_ts! - want.source.first_ts!;
  const speed = 4;
  const r = await runCli(['replay', V4, '--speed', String(speed)], { plain: true, timeoutMs: 60_000 });
  t.equal(r.code, 0);
  t.ok(r.ms / 1000 >= (span / speed) * 0.95, `${(r.ms / 1000).toFixed(2)} s for ${span.toFixed(2)} s recorded at ${speed}×`);
  t.equal(num(lastSummary(r.stdout), 'packets'), want.source.packets);
});

t.test('-f: the packets tcpdump -r prints', async (t) => {
  for (const expr of ['tcp port 8080', 'udp or icmp']) {
    const want = spawnSync('tcpdump', ['-n', '-r', DEMO, expr], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
    const r = await runCli(['replay', DEMO, '--speed', 'max', '-f', expr], { plain: true });
    t.equal(num(lastSummary(r.stdout), 'packets'), want, `'${expr}'`);
  }
});

t.test('a file cut off mid-record: everything before the cut replayed, the cut named on stderr, exit 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wirestat-replay-cut-'));
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, readFileSync(DEMO).subarray(0, 3000));
  const want = await report(cut);
  t.equal(want.source.errors.length, 1, 'the report lists the cut');
  const r = await runCli(['replay', cut, '--speed', 'max'], { plain: true });
  t.equal(r.code, 0);
  t.equal(num(lastSummary(r.stdout), 'packets'), want.source.packets, 'every whole record counted');
  t.equal(r.stderr, `wirestat: ${cut}: byte ${want.source.errors[0]!.offset}: ${want.source.errors[0]!.reason}\n`, 'one line: where and why');
});

t.test('bad arguments: one line, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wirestat-replay-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"schema": "something else"}');
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, 'hello\nworld\n');
  for (const [args, re] of [
    [['replay', DEMO, '--speed', '0'], /--speed must be a number above 0, or max/],
    [['replay', DEMO, '--speed', 'fast'], /--speed must be/],
    [['replay', join(dir, 'missing.pcap'), '--speed', 'max'], /missing\.pcap: no such file/],
    [['replay', DEMO, '--host', join(dir, 'none.json')], /none\.json: cannot read/],
    [['replay', DEMO, '--host', bad], /bad\.json/],
    [['replay', DEMO, '--host', notJson], /not\.json: (line 1: )?not JSON/],
    [['replay', DEMO, '-f', 'tcp[0] = 1'], /^wirestat: filter: column 4/],
  ] as const) {
    const r = await runCli([...args], { plain: true });
    t.equal(r.code, 2, `${args.join(' ')}: exit 2 (${r.stderr.trim()})`);
    t.match(r.stderr, re);
    t.equal(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('Try ')).length, 1, 'one line');
    t.notOk(looksLikeStackTrace(r.stderr));
  }
});
