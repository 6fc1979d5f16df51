/**
 * The offline pipeline: capture file → records → decodePacket → WireStats → Report. One reused
 * record and one reused summary for the whole file; nothing allocated per packet.
 */
import { readCapture, type ReadOptions } from '../capture/reader.js';
import type { CaptureRecord, SourceSummary } from '../capture/source.js';
import { decodePacket } from '../decode/packet.js';
import { PacketSummary } from '../decode/summary.js';
import { buildReport, type Report, type ReportOptions } from '../stats/snapshot.js';
import { type StatsOptions, WireStats } from '../stats/wire-stats.js';

export interface AnalyzeOptions extends StatsOptions, ReportOptions, ReadOptions {}

export interface Analysis {
  stats: WireStats;
  source: SourceSummary;
  report: Report;
}

/** Reads all of `name` (`-` for standard input). Rejects with CaptureOpenError if unreadable. */
export async function analyzeFile(name: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const stats = new WireStats(opts);
  const summary = new PacketSummary();
  const sink = (rec: CaptureRecord): void => {
    decodePacket(rec, summary);
    stats.ingest(summary);
  };
  const source = await readCapture(name, sink, opts);
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
