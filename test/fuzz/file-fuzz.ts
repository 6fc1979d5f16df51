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
import type { ByteInput } from '../../src/capture/stream.js';
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
const EXIT_UNREADABLE = 2;

/** A file already in memory, handed to the reader in pieces of at most `chunk` bytes. */
class MemoryInput implements ByteInput {
  private at = 0;
  constructor(private readonly data: Buffer) {}
  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    const n = Math.min(length, this.data.length - this.at);
    this.data.copy(buf, offset, this.at, this.at + n);
    this.at += n;
    return n;
  }
  async close(): Promise<void> {}
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
    if (viaCli && this.cli) this.runCli(data, file.name, keep);
  }

  /** The reader with the pipeline's sink; everything it does counted under `outcomes`. */
  private async read(data: Buffer, chunkSize: number | undefined, count: boolean, keep: (k: string, d: string) => void): Promise<void> {
    const s = this.summary;
    const stats = new WireStats();
    let records = 0;
    const sink = (rec: CaptureRecord): void => {
      records++;
      // The reader's half of the borrow contract: the record lies inside the buffer it lends.
      if (rec.offset < 0 || rec.caplen < 0 || rec.caplen > MAX_RECORD_BYTES || rec.offset + rec.caplen > rec.buf.length) {
        keep('record-outside-buffer', `offset ${rec.offset} caplen ${rec.caplen} buffer ${rec.buf.length}`);
        return;
      }
      try {
        decodePacket(rec, s);
        stats.ingest(s);
      } catch (err) {
        keep('escaped-exception', `decode in file: ${firstLines(err)}`);
      }
    };
    try {
      const summary = await readFrom(new MemoryInput(data), 'fuzz', sink, { chunkSize });
      if (!count) return;
      this.records += records;
      const listed = summary.errors.length + summary.errorsNotListed;
      this.outcomes.add(listed === 0 ? 'read cleanly' : summary.stoppedEarly ? 'read, then stopped (framing lost)' : 'read with errors listed');
      for (const e of summary.errors) this.errorReasons.add(reasonOf(e.reason));
      if (summary.errorsNotListed > 0) this.errorReasons.add('(errors beyond the listed 1000)', summary.errorsNotListed);
    } catch (err) {
      if (!count) return;
      if (err instanceof CaptureOpenError) {
        this.outcomes.add('unreadable (exit 2)');
        this.errorReasons.add(`unreadable: ${reasonOf(err.cause_)}`);
      } else {
        keep('escaped-exception', `reader: ${firstLines(err)}`);
      }
    }
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
