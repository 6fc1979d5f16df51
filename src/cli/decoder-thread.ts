/**
 * The decode worker (decode-worker.ts) as the counting thread sees it: started for one file,
 * then drained into the flow tables (see analyze.ts for why a large file is read on two threads).
 *
 * A new thread takes ~50 ms to boot (its own V8 isolate, then its modules), about as long as the
 * main thread takes to load the command-line parser. So for `wirestat report FILE`, main.ts calls
 * `prestartReport` before loading yargs; when analyze.ts later asks for the same file, it gets
 * the thread that has been reading all along. A guess that does not match is terminated unused.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ReadOptions } from '../capture/reader.js';
import { CaptureOpenError, type SourceSummary } from '../capture/source.js';
import { drainRing, FlowRing } from '../decode/flow-ring.js';
import type { WireStats } from '../stats/wire-stats.js';
import { FilterError } from '../decode/filter.js';
import type { DecodeJob, DecodeResult } from './decode-worker.js';

/** Files from this size on are decoded in a worker (about 50,000 packets of bench traffic). */
export const WORKER_MIN_BYTES = 16 * 1024 * 1024;

/** Whether `name` is read on two threads. WIRESTAT_WORKER=0 or 1 forces the choice (tests compare both). */
function wantsWorker(name: string): boolean {
  if (name === '-') return false;
  const forced = process.env.WIRESTAT_WORKER;
  if (forced === '0' || forced === '1') return forced === '1';
  return isLargeFile(name);
}

function isLargeFile(name: string): boolean {
  try {
    const st = statSync(name);
    return st.isFile() && st.size >= WORKER_MIN_BYTES;
  } catch {
    // Let the reader name the problem.
    return false;
  }
}

export class DecoderThread {
  private readonly ring = new FlowRing();
  private readonly worker: Worker;
  private readonly result: Promise<DecodeResult>;
  private failure: Error | null = null;

  constructor(
    readonly name: string,
    readonly chunkSize: number | undefined,
    readonly filter: string | undefined,
  ) {
    const job: DecodeJob = { name, ring: this.ring.buffer, read: { chunkSize, blocking: true }, ...(filter !== undefined ? { filter } : {}) };
    this.worker = new Worker(new URL('./decode-worker.js', import.meta.url), { workerData: job });
    this.result = new Promise<DecodeResult>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', (err) => {
        this.failure = err;
        reject(err);
      });
      this.worker.once('exit', (code) => {
        this.failure ??= new Error(`decode worker exited (${code}) without a result`);
        reject(this.failure);
      });
    });
    // Keep an early rejection from being reported as unhandled while the ring drains.
    this.result.catch(() => undefined);
  }

  /** Counts every packet of the file into `stats`; rejects with CaptureOpenError if unreadable. */
  async drain(stats: WireStats): Promise<SourceSummary> {
    this.worker.ref();
    await drainRing(this.ring, (s) => stats.ingestFlows(s), () => this.failure !== null);
    const r = await this.result;
    await this.worker.terminate();
    if (r.kind === 'open-error') throw new CaptureOpenError(r.file, r.offset, r.cause);
    if (r.kind === 'filter-error') throw new FilterError(r.column, r.cause);
    stats.adoptTotals(r.totals);
    return r.summary;
  }

  /** A thread started on a guess: it must not keep the process alive, and nobody waits for it. */
  detach(): void {
    this.worker.unref();
  }

  cancel(): void {
    void this.worker.terminate();
  }
}

let early: DecoderThread | null = null;

/**
 * Starts the decoder for `wirestat report`'s file before the command line is parsed: the first
 * word after `report` that names a large regular file (an option's value may be taken for it;
 * then the thread is simply not used).
 */
export function prestartReport(args: readonly string[]): void {
  if (process.env.WIRESTAT_WORKER === '0') return;
  const name = args.find((a) => !a.startsWith('-') && isLargeFile(a));
  if (name === undefined) return;
  early = new DecoderThread(name, undefined, undefined);
  early.detach();
}

/**
 * The decoder for `name` when it is read on two threads: the one already started for it, or a
 * new one; null when it is read on one. A thread started for anything else is stopped.
 */
export function decoderFor(name: string, read: ReadOptions, filter: string | undefined): DecoderThread | null {
  const d = early;
  early = null;
  const two = wantsWorker(name);
  // The early thread was started before the command line was read: it has no filter.
  if (d && two && d.name === name && d.chunkSize === read.chunkSize && filter === undefined) return d;
  d?.cancel();
  return two ? new DecoderThread(name, read.chunkSize, filter) : null;
}
