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
import type { ReadOptions } from '../capture/reader.js';
import type { CaptureRecord, SourceSummary } from '../capture/source.js';
import { materialize, type Report, type ReportOptions, type ReportParts, reportParts } from '../stats/snapshot.js';
import { type StatsOptions, WireStats } from '../stats/wire-stats.js';
import { decoderFor } from './decoder-thread.js';

export interface AnalyzeOptions extends StatsOptions, ReportOptions, ReadOptions {
  /** A capture filter (pcap-filter(7) subset, src/decode/filter.ts): only matching packets count. */
  filter?: string;
  /** Called with the tables before the first packet (a flow exporter watches them). */
  onStats?: (stats: WireStats) => void;
}

export interface Analysis {
  stats: WireStats;
  source: SourceSummary;
  /** The report with its lists made on demand (write it with printParts, or materialize it). */
  parts: ReportParts;
  /** The whole report (its lists made on first use). */
  readonly report: Report;
}

/** Reads all of `name` (`-` for standard input). Rejects with CaptureOpenError if unreadable. */
export async function analyzeFile(name: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const stats = new WireStats(opts);
  opts.onStats?.(stats);
  const filter = opts.filter?.trim() ? opts.filter : undefined;
  // A malformed or unsupported expression fails here, before any thread starts reading.
  if (filter !== undefined) (await import('../decode/filter.js')).compileFilter(filter);
  const decoder = decoderFor(name, opts, filter);
  const source = decoder ? await decoder.drain(stats) : await readHere(name, stats, opts, filter);
  const parts = reportParts(
    stats,
    {
      name,
      format: source.format,
      linktypes: source.linktypes,
      errors: source.errors,
      errorsNotListed: source.errorsNotListed,
      filter: filter ?? null,
    },
    opts,
  );
  let report: Report | null = null;
  return {
    stats,
    source,
    parts,
    get report(): Report {
      return (report ??= materialize(parts));
    },
  };
}

/** The reader and decoder load only here: with a worker, this thread never needs them (12 ms of start-up). */
async function readHere(name: string, stats: WireStats, opts: ReadOptions, filter: string | undefined): Promise<SourceSummary> {
  const [{ readCapture }, { decodePacket }, { PacketSummary }, { compileFilter }] = await Promise.all([
    import('../capture/reader.js'),
    import('../decode/packet.js'),
    import('../decode/summary.js'),
    import('../decode/filter.js'),
  ]);
  const summary = new PacketSummary();
  const f = filter !== undefined ? compileFilter(filter) : null;
  // The filter reads the record's bytes as libpcap's program would: packets it rejects are
  // neither decoded nor counted, as if the capture had never seen them.
  const sink = f
    ? (rec: CaptureRecord): void => {
        if (!f.matches(rec)) return;
        decodePacket(rec, summary);
        stats.ingest(summary);
      }
    : (rec: CaptureRecord): void => {
        decodePacket(rec, summary);
        stats.ingest(summary);
      };
  return readCapture(name, sink, opts);
}
