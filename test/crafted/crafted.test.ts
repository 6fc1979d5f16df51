/**
 * Issue 8's crafted cases (test/crafted/cases.ts) through the real `wirestat report`: each file
 * exits 0 with its problem named in the report, or 2 with one line naming the file, the byte
 * offset and the cause. Beside each run, libpcap (tcpdump) and tshark read the same file: their
 * packet counts must be the ones the table records, and where they differ from ours the table
 * says why. A 0xFFFFFFFF captured length must not cost memory: peak RSS is measured against the
 * same file with a sane length.
 *
 * Run `npm run build` first: the CLI runs from dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { CLI, type CliResult, looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';
import { compareWithTshark, type FileComparison } from '../helpers/differential.js';
import { pool } from '../helpers/pool.js';
import { TCPDUMP } from '../helpers/tcpdump.js';
import { type TsharkResult, tsharkConversations } from '../helpers/tshark.js';
import { CASES, type CraftedCase, type Readable } from './cases.js';
import { craftedReadme } from './readme.js';

const DIR = join(ROOT, 'fixtures/crafted');
/** The path as a user types it in the repository: the one-line message must repeat it. */
const rel = (c: CraftedCase): string => `fixtures/crafted/${c.file}`;

function run(cmd: string, args: string[], opts: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    p.stdin.on('error', () => undefined);
    p.stdin.end(opts.input);
  });
}

/** Packets libpcap reads before it stops; 0 when tcpdump refuses the file. */
async function tcpdumpPackets(file: string): Promise<number> {
  const r = await run(TCPDUMP, ['--count', '-r', file]);
  const m = /^(\d+) packets?\b/m.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

/** tshark's reading of the file (its frames, conversations, endpoints); null when it refuses it. */
function tsharkRead(file: string): Promise<TsharkResult | null> {
  return tsharkConversations(file).catch(() => null);
}

interface Outcome {
  c: CraftedCase;
  json: CliResult;
  text: CliResult;
  tcpdump: number;
  tshark: number;
  diff: FileComparison | null;
}

/** Times are µs-precision floats in the report: compare numbers to within a microsecond. */
function near(a: unknown, b: unknown): boolean {
  return typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-6 : JSON.stringify(a) === JSON.stringify(b);
}

t.test('the fixture files are what the table builds (npm run crafted writes them)', async (t) => {
  const names = new Set(CASES.map((c) => c.file));
  t.equal(names.size, CASES.length, 'file names are unique');
  t.same(readdirSync(DIR).filter((f) => f !== 'README.md').sort(), [...names].sort(), 'no file missing, none left over');
  for (const c of CASES) {
    t.ok(readFileSync(join(DIR, c.file)).equals(c.build()), `${c.file} is current`);
  }
  t.equal(readFileSync(join(DIR, 'README.md'), 'utf8'), craftedReadme(CASES), 'README.md is current');
});

t.test('every crafted case through wirestat report, tcpdump and tshark', async (t) => {
  const outcomes: Outcome[] = await pool(CASES, 2, async (c) => {
    const file = join(DIR, c.file);
    const json = await runCli(['report', rel(c), '--json'], { plain: true });
    const text = await runCli(['report', rel(c)], { plain: true });
    const tcpdump = await tcpdumpPackets(file);
    const read = await tsharkRead(file);
    const tshark = read?.frames ?? 0;
    const e = c.expect;
    const diff = read && e.exit === 0 && tshark === e.packets ? await compareWithTshark(file, read) : null;
    return { c, json, text, tcpdump, tshark, diff };
  });

  for (const { c, json, text, tcpdump, tshark, diff } of outcomes) {
    t.test(c.file, async (t) => {
      const e = c.expect;
      for (const [form, r] of [['--json', json], ['text', text]] as const) {
        t.notOk(r.timedOut, `${form}: finished`);
        t.equal(r.code, e.exit, `${form}: exit ${e.exit}`);
        t.notOk(looksLikeStackTrace(r.stderr), `${form}: no stack trace`);
        if (e.exit === 2) {
          t.equal(r.stderr, `wirestat: ${rel(c)}: byte ${e.offset}: ${e.cause}\n`, `${form}: one line naming the file, the offset and the cause`);
          t.equal(r.stdout, '', `${form}: no report`);
        } else {
          t.equal(r.stderr, '', `${form}: nothing on stderr`);
        }
      }
      if (e.exit === 0) {
        checkReport(t, e, json.stdout);
        // The text report names each problem too.
        for (const err of e.errors) t.ok(text.stdout.includes(`error at byte ${err.offset}: ${err.reason}`), `text names the error at byte ${err.offset}`);
        for (const reason of Object.keys(e.malformed)) t.match(text.stdout, new RegExp(`\\n${reason} +\\d+\\n`), `text names ${reason}`);
      }

      // The reference readers say what the table records; where they differ from us, it says why.
      const ours = e.exit === 0 ? e.packets : 0;
      t.equal(tcpdump, c.oracle.tcpdump, `tcpdump reads ${c.oracle.tcpdump} packets`);
      t.equal(tshark, c.oracle.tshark, `tshark reads ${c.oracle.tshark} frames`);
      const agree = tcpdump === ours && tshark === ours;
      if (agree) t.notOk(c.oracle.why, 'no explanation for a difference that is not there');
      else t.ok(c.oracle.why, `tcpdump ${tcpdump}, tshark ${tshark}, wirestat ${ours}: the table says why`);

      // Conversations and endpoints, where tshark read what we read.
      const known = c.oracle.tsharkDiffers;
      if (diff && !diff.skipped) {
        t.same(diff.mismatches, known?.mismatches ?? [], known ? `tshark differs as listed: ${known.why}` : `tshark agrees on ${diff.conversations} conversations and ${diff.endpoints} endpoints`);
      } else {
        t.notOk(known, 'tsharkDiffers only where tshark is compared');
      }
    });
  }
});

function checkReport(t: Test, e: Readable, stdout: string): void {
  const j = JSON.parse(stdout);
  t.equal(j.schema, 'wirestat.report/1');
  t.equal(j.source.packets, e.packets, `${e.packets} packets`);
  t.same(j.source.errors, e.errors, 'source.errors: offset and reason');
  t.equal(j.source.errors_not_listed, 0);
  t.same(j.malformed, e.malformed, 'malformed reasons');
  const convs: Record<string, number> = {};
  for (const c of j.conversations) convs[`${c.proto} ${c.a} ${c.b}`] = c.a_to_b.packets + c.b_to_a.packets;
  t.same(convs, e.conversations, 'conversations');
  for (const [k, n] of Object.entries(e.protocols ?? {})) t.equal(j.protocols[k]?.packets, n, `protocol ${k}: ${n} packets`);
  for (const [k, v] of Object.entries(e.source ?? {})) t.ok(near(j.source[k], v), `source.${k} is ${JSON.stringify(v)} (got ${JSON.stringify(j.source[k])})`);
}

// --- memory ----------------------------------------------------------------------------------

const MAXRSS = fileURLToPath(new URL('../helpers/maxrss.mjs', import.meta.url));
/** The bound: a 0xFFFFFFFF captured length may raise peak RSS by less than this. */
const RSS_BOUND_KB = 16 * 1024;

/** Peak RSS (KB) of `wirestat report ARGS --json`, without tap's hooks in the measured process. */
async function peakRss(file: string, how: 'file' | 'stdin' | 'worker'): Promise<{ kb: number; code: number | null; stdout: string }> {
  const tmp = mkdtempSync(join(tmpdir(), 'wirestat-rss-'));
  const out = join(tmp, 'maxrss');
  try {
    const r = await run('env', ['-u', 'NODE_OPTIONS', process.execPath, '--import', MAXRSS, CLI, 'report', how === 'stdin' ? '-' : file, '--json'], {
      env: { WIRESTAT_TEST_MAXRSS: out, WIRESTAT_WORKER: how === 'worker' ? '1' : '0' },
      ...(how === 'stdin' ? { input: readFileSync(file) } : {}),
    });
    return { kb: Number(readFileSync(out, 'utf8')), code: r.code, stdout: r.stdout };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

t.test('a 0xFFFFFFFF captured length raises peak RSS by less than 16 MB', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'wirestat-crafted-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  for (const name of ['pcap-caplen-4294967295.pcap', 'pcapng-caplen-4294967295.pcapng']) {
    const c = CASES.find((x) => x.file === name)!;
    const e = c.expect as Readable;
    // The same file with the captured length set to the wire length beside it (the field after).
    const field = e.errors[0]!.offset;
    const bad = c.build();
    const sane = Buffer.from(bad);
    sane.writeUInt32LE(sane.readUInt32LE(field + 4), field);
    const badFile = join(DIR, name);
    const saneFile = join(tmp, `sane-${name}`);
    writeFileSync(saneFile, sane);
    const hows = name.endsWith('.pcap') ? (['file', 'stdin', 'worker'] as const) : (['file'] as const);
    for (const how of hows) {
      const b = await peakRss(badFile, how);
      const s = await peakRss(saneFile, how);
      t.equal(b.code, 0, `${name} (${how}): exit 0`);
      t.equal(s.code, 0, `sane twin (${how}): exit 0`);
      t.match(JSON.parse(b.stdout).source.errors[0].reason, /4294967295/, `${name} (${how}): the length is named`);
      t.ok(b.kb - s.kb < RSS_BOUND_KB, `${name} (${how}): peak RSS ${b.kb} KB against ${s.kb} KB with a sane length (+${b.kb - s.kb} KB < ${RSS_BOUND_KB} KB)`);
      t.comment(`${name} (${how}): maxRSS ${b.kb} KB, sane twin ${s.kb} KB`);
    }
  }
});
