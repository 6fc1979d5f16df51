/**
 * The fuzz run: loads the fixture captures (and the frames inside them), mutates them under one
 * seed, and reports what happened. Shared by `npm run fuzz` (scripts/fuzz.ts) and the short run
 * inside `npm test` (test/fuzz/fuzz.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import { type CaptureFile, FileFuzzer } from './file-fuzz.js';
import { type Frame, PacketFuzzer } from './packet-fuzz.js';
import { poison } from './placement.js';
import { Prng } from './prng.js';
import { type Failure, Tally } from './tally.js';
import { fileFields, packetFields } from './targets.js';

export interface FuzzOptions {
  seed: number;
  packets: number;
  files: number;
  /** Wall-clock bound for the whole run; each phase gets its share. Infinity for none. */
  seconds: number;
  /** One file in this many also goes through the CLI (0: none). */
  cliEvery: number;
  /** The repository root (fixtures/, dist/). */
  root: string;
  /** Progress lines, for long runs. */
  progress?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  seconds: number;
  fixtures: number;
  frames: number;
  packets: PacketFuzzer;
  files: FileFuzzer;
  escaped: number;
  outOfRecord: number;
  failures: Failure[];
  failureKinds: [string, number][];
}

const CAPTURE_EXT = /\.(pcap|pcapng)$/;
/** Share of a time-bounded run given to packets when files are fuzzed too. */
const PACKET_SHARE = 0.5;
/** Iterations between clock checks: reading the clock per packet would cost more than it tells. */
const CLOCK_EVERY = 256;
const PROGRESS_EVERY_NS = 10_000_000_000n;

export async function loadFixtures(root: string): Promise<{ files: CaptureFile[]; frames: Frame[] }> {
  const dir = join(root, 'fixtures/captures');
  const names = readdirSync(dir).filter((f) => CAPTURE_EXT.test(f)).sort();
  const files: CaptureFile[] = [];
  const frames: Frame[] = [];
  const s = new PacketSummary();
  for (const name of names) {
    const path = join(dir, name);
    const data = readFileSync(path);
    files.push({ name, data, fields: fileFields(data) });
    await readCapture(path, (rec) => {
      // Copied out: the record is borrowed (src/capture/source.ts).
      const frame = Buffer.from(rec.data);
      const clean = { ...rec, buf: frame, offset: 0 } as typeof rec;
      poison(s);
      decodePacket(clean, s);
      frames.push({ data: frame, linktype: rec.linktype, wirelen: rec.wirelen, littleEndian: rec.littleEndian, fields: packetFields(frame, rec.linktype, s) });
    });
  }
  return { files, frames };
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = process.hrtime.bigint();
  const { files, frames } = await loadFixtures(opts.root);
  const rng = new Prng(opts.seed);
  const cli = join(opts.root, 'dist/cli/main.js');
  const pf = new PacketFuzzer();
  const ff = new FileFuzzer(existsSync(cli) ? cli : null, opts.seed);
  const budgetNs = Number.isFinite(opts.seconds) ? BigInt(Math.round(opts.seconds * 1e9)) : null;
  const packetBudget = budgetNs === null ? null : opts.files > 0 ? (budgetNs * BigInt(Math.round(PACKET_SHARE * 100))) / 100n : budgetNs;
  let nextProgress = started + PROGRESS_EVERY_NS;
  const tick = (now: bigint, what: () => string): void => {
    if (opts.progress && now >= nextProgress) {
      nextProgress = now + PROGRESS_EVERY_NS;
      opts.progress(what());
    }
  };

  for (let i = 0; i < opts.packets && frames.length > 0; i++) {
    pf.run(rng, rng.pick(frames));
    if (i % CLOCK_EVERY === 0) {
      const now = process.hrtime.bigint();
      if (packetBudget !== null && now - started > packetBudget) break;
      tick(now, () => `packets: ${pf.packets}, ${pf.failures.list.length} failures`);
    }
  }
  try {
    for (let i = 0; i < opts.files && files.length > 0; i++) {
      await ff.run(rng, rng.pick(files), opts.cliEvery > 0 && i % opts.cliEvery === 0);
      const now = process.hrtime.bigint();
      if (budgetNs !== null && now - started > budgetNs) break;
      tick(now, () => `files: ${ff.files}, ${ff.failures.list.length} failures`);
    }
  } finally {
    ff.cleanup();
  }

  const kinds = new Tally();
  for (const f of [pf.failures, ff.failures]) for (const [k, n] of f.byKind.counts) kinds.add(k, n);
  return {
    seed: opts.seed,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    fixtures: files.length,
    frames: frames.length,
    packets: pf,
    files: ff,
    escaped: kinds.counts.get('escaped-exception') ?? 0,
    outOfRecord: (kinds.counts.get('out-of-record-read') ?? 0) + (kinds.counts.get('record-outside-buffer') ?? 0),
    failures: [...pf.failures.list, ...ff.failures.list],
    failureKinds: kinds.sorted(),
  };
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const msOf = (ns: bigint): string => (Number(ns) / 1e6).toFixed(3);

function table(title: string, t: Tally): string[] {
  const rows = t.sorted();
  if (rows.length === 0) return [`${title}: none`];
  const width = Math.max(...rows.map(([, n]) => fmt(n).length));
  return [`${title}:`, ...rows.map(([k, n]) => `  ${fmt(n).padStart(width)}  ${k}`)];
}

export function formatReport(r: FuzzReport): string {
  const p = r.packets;
  const f = r.files;
  const lines = [
    `wirestat fuzz: seed ${r.seed} (replay with --seed ${r.seed}), ${r.seconds.toFixed(1)} s`,
    `inputs: ${r.fixtures} fixture captures, ${fmt(r.frames)} frames taken out of them`,
    `packets: ${fmt(p.packets)} mutated (${fmt(p.malformed)} counted malformed, ${fmt(p.packets - p.malformed)} decoded); WireStats saw ${fmt(p.stats.packets)}, ${fmt(p.stats.protocols.malformedPackets)} malformed`,
    `files: ${fmt(f.files)} mutated (${fmt(f.records)} records read), ${fmt(f.cliRuns)} of them through the CLI`,
    `escaped exceptions: ${r.escaped}`,
    `out-of-record reads: ${r.outOfRecord}`,
    `slowest packet: ${msOf(p.slowestNs)} ms on retry (${msOf(p.slowestRawNs)} ms first time, pauses included; ${p.slow} over 10 ms); slowest file: ${msOf(f.slowestNs)} ms (${f.slow} over 1 s); slowest CLI run: ${f.slowestCliMs} ms`,
    ...table('packets by reason', p.reasons),
    ...table('packets by layer', p.layers),
    ...table('mutations applied to packets', p.mutations),
    ...table('files by outcome', f.outcomes),
    ...table('file errors by reason', f.errorReasons),
    ...table('CLI exits', f.cliExits),
  ];
  if (r.failureKinds.length === 0) lines.push('failures: none');
  else {
    lines.push('failures by kind:', ...r.failureKinds.map(([k, n]) => `  ${fmt(n)}  ${k}`), 'kept failures:');
    for (const x of r.failures) {
      lines.push(`  #${x.iteration} ${x.kind}: ${x.detail}`);
      if (x.hex) lines.push(`    linktype ${x.linktype} wirelen ${x.wirelen} frame ${x.hex}`);
    }
  }
  return lines.join('\n');
}
