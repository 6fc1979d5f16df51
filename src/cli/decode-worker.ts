/**
 * The decoding half of a two-thread replay (see analyze.ts): reads the capture file named in
 * `workerData`, decodes each record, counts totals and protocols, and hands what the flow
 * tables need to the main thread through the shared ring. Ends with one message: the source
 * summary, or why the file could not be read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCapture, type ReadOptions } from '../capture/reader.js';
import { CaptureOpenError, type CaptureRecord } from '../capture/source.js';
import { FlowRing, RingWriter } from '../decode/flow-ring.js';
import { compileFilter, FilterError } from '../decode/filter.js';
import { decodePacket } from '../decode/packet.js';
import { PacketSummary } from '../decode/summary.js';
import { WireStats, type TotalsState } from '../stats/wire-stats.js';

export interface DecodeJob {
  name: string;
  ring: SharedArrayBuffer;
  read: ReadOptions;
  /** A capture filter: only matching packets are counted and passed on. */
  filter?: string;
}

/** The worker's one message. */
export type DecodeResult =
  | { kind: 'done'; summary: Awaited<ReturnType<typeof readCapture>>; totals: TotalsState }
  | { kind: 'open-error'; file: string; offset: number | null; cause: string }
  | { kind: 'filter-error'; column: number | null; cause: string };

async function run(job: DecodeJob): Promise<DecodeResult> {
  const writer = new RingWriter(new FlowRing(job.ring));
  const summary = new PacketSummary();
  // Totals and protocols are counted here; the main thread keeps only the flow tables.
  const totals = new WireStats({ flows: { capacity: 1 }, maxEndpoints: 1 });
  const filter = job.filter !== undefined ? compileFilter(job.filter) : null;
  const sink = (rec: CaptureRecord): void => {
    if (filter !== null && !filter.matches(rec)) return;
    decodePacket(rec, summary);
    totals.ingestTotals(summary);
    writer.push(summary);
  };
  try {
    const source = await readCapture(job.name, sink, job.read);
    return { kind: 'done', summary: source, totals: totals.totalsState() };
  } catch (err) {
    if (err instanceof CaptureOpenError) return { kind: 'open-error', file: err.file, offset: err.offset, cause: err.cause_ };
    if (err instanceof FilterError) return { kind: 'filter-error', column: err.column, cause: err.cause_ };
    throw err;
  } finally {
    // Whatever happened, the main thread must see the end of the stream.
    writer.finish();
  }
}

const result = await run(workerData as DecodeJob);
parentPort!.postMessage(result);
