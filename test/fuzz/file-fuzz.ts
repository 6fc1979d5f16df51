/**
 * File level: whole mutated capture files through the reader (src/capture/reader.ts) with the
 * pipeline's per-record work behind it, and a sample of them through the real CLI. A file may be
 * unreadable (CaptureOpenError, exit 2) or read with errors listed; it may not throw anything
 * else, hand out a record outside its buffer, or take long.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFrom } from '../../src/capture/reader.js';
import { CaptureOpenError, type CaptureRecord, MAX_RECORD_BYTES } from '../../src/capture/source.js';
import { BufferInput } from '../helpers/buffer-input.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { looksLikeStackTrace } from '../helpers/cli.js';
import { type Field, mutate, type Mutation } from './mutate.js';
import { firstLines } from './packet-fuzz.js';
import type { Prng } from './prng.js';
import { Failures, Tally } from './tally.js';

export interface CaptureFile {
  name: string;
  data: Buffer;
  fields: Field[];
}

/** The brief's bound for one file (the largest fixture reads in ~20 ms). */
export const SLOW_FILE_NS = 1_000_000_000n;
const RETIME_RUNS = 2;
/** Mutations per file: a file has thousands of records, so it can take more than a frame. */
const MAX_STEPS = 8;
/** Read sizes: the reader's default, and small ones so records straddle reads (the carry). */
const CHUNKS = [undefined, 65536, 4093, 509] as const;
/** A CLI run that has not ended by then hangs (a report of the largest fixture takes ~0.3 s). */
const CLI_TIMEOUT_MS = 30000;
const EXIT_OK = 0;
const UNREADABLE = 'unreadable: ';
const EXIT_UNREADABLE = 2;

/** FNV-1a (32-bit) over the records a read yields: cheap, and enough to tell two reads apart. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** The second read's size: from a few bytes (a record header straddles reads) up to a page or
 *  two; but not so small that a large file takes more than MAX_READS reads. */
const MIN_OTHER_CHUNK = 16;
const MAX_OTHER_CHUNK = 8192;
const MAX_READS = 20000;

function otherChunk(rng: Prng, len: number): number {
  return Math.max(rng.between(MIN_OTHER_CHUNK, MAX_OTHER_CHUNK), Math.ceil(len / MAX_READS));
}

/** Error texts with their numbers taken out, so "byte 123: caplen 70000" and "byte 9: caplen 1"
 *  count as one reason. */
export function reasonOf(text: string): string {
  return text
    .replace(/^.*?: (byte \d+: )?/, '')
    .replace(/0x[0-9a-f]+/gi, 'X')
    .replace(/\d+/g, 'N');
}

export class FileFuzzer {
  private readonly summary = new PacketSummary();
  private readonly used: Mutation[] = [];
  private dir: string | null = null;
  /** What the last counted read yielded (see read). */
  private lastDigest = '';

  files = 0;
  records = 0;
  cliRuns = 0;
  readonly outcomes = new Tally();
  readonly errorReasons = new Tally();
  readonly cliExits = new Tally();
  readonly failures = new Failures();
  slowestNs = 0n;
  slow = 0;
  slowestCliMs = 0;

  constructor(
    private readonly cli: string | null,
    private readonly seed: number,
  ) {}

  async run(rng: Prng, file: CaptureFile, viaCli: boolean): Promise<void> {
    const data = mutate(rng, file.data, file.fields, MAX_STEPS, this.used);
    const chunkSize = rng.pick(CHUNKS);
    const n = this.files++;
    const keep = (kind: string, detail: string): void =>
      this.failures.add({ kind, detail: `${this.keepFile(data, n, file.name)} (${data.length} bytes, chunk ${chunkSize ?? 'default'}): ${detail}`, hex: '', iteration: n });

    const t0 = process.hrtime.bigint();
    await this.read(data, chunkSize, true, keep);
    let took = process.hrtime.bigint() - t0;
    if (took > SLOW_FILE_NS) {
      for (let i = 0; i < RETIME_RUNS; i++) {
        const t1 = process.hrtime.bigint();
        await this.read(data, chunkSize, false, () => undefined);
        const again = process.hrtime.bigint() - t1;
        if (again < took) took = again;
      }
    }
    if (took > this.slowestNs) this.slowestNs = took;
    if (took > SLOW_FILE_NS) {
      this.slow++;
      keep('slow-file', `${Number(took) / 1e6} ms`);
    }
    // The reader's own differential: how the input arrives in reads must not change what it
    // yields (records, their bytes, errors). The carry between reads is where framing breaks.
    const other = chunkSize === undefined ? otherChunk(rng, data.length) : undefined;
    const again = await this.read(data, other, false, keep);
    if (again !== this.lastDigest) keep('chunking-changes-result', `chunk ${other ?? 'default'} gives ${again}, not ${this.lastDigest}`);
    // Unreadable files are rare (a few in a thousand) and are the CLI's other exit path (2, one
    // line on stderr): every one goes through the CLI, beside the sample.
    if ((viaCli || this.lastDigest.startsWith(UNREADABLE)) && this.cli) this.runCli(data, file.name, keep);
  }

  /**
   * The reader with the pipeline's sink; with `count`, what it did is counted under `outcomes`.
   * Returns a digest of what it yielded (records, a hash of their fields and bytes, errors) and
   * keeps it as lastDigest when counting.
   */
  private async read(data: Buffer, chunkSize: number | undefined, count: boolean, keep: (k: string, d: string) => void): Promise<string> {
    const s = this.summary;
    const stats = new WireStats();
    let records = 0;
    let hash = FNV_OFFSET;
    const mix = (v: number): void => {
      hash = Math.imul(hash ^ (v >>> 0), FNV_PRIME) >>> 0;
    };
    const sink = (rec: CaptureRecord): void => {
      records++;
      mix(rec.caplen);
      mix(rec.wirelen);
      mix(rec.tsSec);
      mix(rec.tsNsec);
      mix(rec.linktype);
      mix(rec.ifIndex);
      mix(rec.fileOffset);
      // The reader's half of the borrow contract: the record lies inside the buffer it lends.
      if (rec.offset < 0 || rec.caplen < 0 || rec.caplen > MAX_RECORD_BYTES || rec.offset + rec.caplen > rec.buf.length) {
        keep('record-outside-buffer', `offset ${rec.offset} caplen ${rec.caplen} buffer ${rec.buf.length}`);
        return;
      }
      for (let i = rec.offset, end = rec.offset + rec.caplen; i < end; i++) mix(rec.buf[i]!);
      try {
        decodePacket(rec, s);
        stats.ingest(s);
      } catch (err) {
        keep('escaped-exception', `decode in file: ${firstLines(err)}`);
      }
    };
    let digest: string;
    try {
      const summary = await readFrom(new BufferInput(data), 'fuzz', sink, { chunkSize });
      digest = `${records} records #${hash.toString(16)}, errors ${JSON.stringify([summary.errors, summary.errorsNotListed, summary.stoppedEarly])}`;
      if (!count) return digest;
      this.lastDigest = digest;
      this.records += records;
      const listed = summary.errors.length + summary.errorsNotListed;
      this.outcomes.add(listed === 0 ? 'read cleanly' : summary.stoppedEarly ? 'read, then stopped (framing lost)' : 'read with errors listed');
      for (const e of summary.errors) this.errorReasons.add(reasonOf(e.reason));
      if (summary.errorsNotListed > 0) this.errorReasons.add('(errors beyond the listed 1000)', summary.errorsNotListed);
    } catch (err) {
      if (err instanceof CaptureOpenError) {
        digest = `${UNREADABLE}${err.message}`;
        if (count) {
          this.outcomes.add('unreadable (exit 2)');
          this.errorReasons.add(`unreadable: ${reasonOf(err.cause_)}`);
        }
      } else {
        digest = `threw: ${firstLines(err)}`;
        keep('escaped-exception', `reader: ${firstLines(err)}`);
      }
      if (count) this.lastDigest = digest;
    }
    return digest;
  }

  /** `wirestat report FILE --json` as a user runs it: exit 0 or 2, one clean line on stderr. */
  private runCli(data: Buffer, base: string, keep: (k: string, d: string) => void): void {
    this.dir ??= mkdtempSync(join(tmpdir(), 'wirestat-fuzz-'));
    const path = join(this.dir, base);
    writeFileSync(path, data);
    // Without NODE_OPTIONS: tap's coverage hooks would triple the start of each run.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [this.cli!, 'report', path, '--json'], { env, encoding: 'utf8', timeout: CLI_TIMEOUT_MS, maxBuffer: 1 << 28 });
    const ms = Date.now() - t0;
    this.cliRuns++;
    if (ms > this.slowestCliMs) this.slowestCliMs = ms;
    const stderr = r.stderr ?? '';
    this.cliExits.add(r.status === null ? `signal ${r.signal}` : `exit ${r.status}`);
    if (r.status === EXIT_OK) {
      if (stderr !== '') keep('cli-stderr-on-success', stderr.slice(0, 200));
    } else if (r.status === EXIT_UNREADABLE) {
      const lines = stderr.trimEnd().split('\n');
      if (lines.length !== 1) keep('cli-stderr-not-one-line', `${lines.length} lines: ${stderr.slice(0, 300)}`);
      else if (!lines[0]!.startsWith(`wirestat: ${path}: `)) keep('cli-message-without-file', lines[0]!.slice(0, 300));
    } else {
      keep('cli-bad-exit', `status ${r.status} signal ${r.signal}: ${stderr.slice(0, 300)}`);
    }
    if (looksLikeStackTrace(stderr)) keep('cli-stack-trace', stderr.slice(0, 300));
  }

  /** A failing file is too long to print: it is kept on disk for replay and for a fixture. */
  private keepFile(data: Buffer, n: number, base: string): string {
    const dir = join(tmpdir(), 'wirestat-fuzz-failures');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${this.seed}-${n}-${base}`);
    if (!existsSync(path)) writeFileSync(path, data);
    return path;
  }

  cleanup(): void {
    if (this.dir && existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}
