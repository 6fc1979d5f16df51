/**
 * The offline pipeline: capture file → records → decodePacket → WireStats → Report. One reused
 * record and one reused summary for the whole file; nothing allocated per packet.
 *
 * A large regular file is replayed on two threads: a worker reads and decodes
 * (decode-worker.ts) and counts totals and protocols, while this thread keeps the flow tables;
 * what they need of each packet passes through a shared ring (src/decode/flow-ring.ts). Small
 * files and standard input stay on one thread: starting a worker costs more than it saves there.
 * WIRESTAT_WORKER=0 or 1 forces the choice (tests compare both).
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { readCapture, type ReadOptions } from '../capture/reader.js';
import { CaptureOpenError, type CaptureRecord, type SourceSummary } from '../capture/source.js';
import { decodePacket } from '../decode/packet.js';
import { drainRing, FlowRing } from '../decode/flow-ring.js';
import { PacketSummary } from '../decode/summary.js';
import { buildReport, type Report, type ReportOptions } from '../stats/snapshot.js';
import { type StatsOptions, WireStats } from '../stats/wire-stats.js';
import type { DecodeJob, DecodeResult } from './decode-worker.js';

export interface AnalyzeOptions extends StatsOptions, ReportOptions, ReadOptions {}

export interface Analysis {
  stats: WireStats;
  source: SourceSummary;
  report: Report;
}

/** Files from this size on are decoded in a worker (about 50,000 packets of bench traffic). */
const WORKER_MIN_BYTES = 16 * 1024 * 1024;

/** Reads all of `name` (`-` for standard input). Rejects with CaptureOpenError if unreadable. */
export async function analyzeFile(name: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const stats = new WireStats(opts);
  const source = useWorker(name) ? await readInWorker(name, stats, opts) : await readHere(name, stats, opts);
  const report = buildReport(
    stats,
    {
      name,
      format: source.format,
      linktypes: source.linktypes,
      errors: source.errors,
      errorsNotListed: source.errorsNotListed,
    },
    opts,
  );
  return { stats, source, report };
}

function useWorker(name: string): boolean {
  if (name === '-') return false;
  const forced = process.env.WIRESTAT_WORKER;
  if (forced === '0' || forced === '1') return forced === '1';
  try {
    const st = statSync(name);
    return st.isFile() && st.size >= WORKER_MIN_BYTES;
  } catch {
    // Let the reader name the problem.
    return false;
  }
}

function readHere(name: string, stats: WireStats, opts: ReadOptions): Promise<SourceSummary> {
  const summary = new PacketSummary();
  const sink = (rec: CaptureRecord): void => {
    decodePacket(rec, summary);
    stats.ingest(summary);
  };
  return readCapture(name, sink, opts);
}

async function readInWorker(name: string, stats: WireStats, opts: ReadOptions): Promise<SourceSummary> {
  const ring = new FlowRing();
  const job: DecodeJob = { name, ring: ring.buffer, read: { chunkSize: opts.chunkSize, blocking: true } };
  const worker = new Worker(new URL('./decode-worker.js', import.meta.url), { workerData: job });
  let failure: Error | null = null;
  const result = new Promise<DecodeResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', (err) => {
      failure = err;
      reject(err);
    });
    worker.once('exit', (code) => {
      failure ??= new Error(`decode worker exited (${code}) without a result`);
      reject(failure);
    });
  });
  // Keep an early rejection from being reported as unhandled while the ring drains.
  result.catch(() => undefined);
  await drainRing(ring, (s) => stats.ingestFlows(s), () => failure !== null);
  const r = await result;
  await worker.terminate();
  if (r.kind === 'open-error') throw new CaptureOpenError(r.file, r.offset, r.cause);
  stats.adoptTotals(r.totals);
  return r.summary;
}
