/**
 * `wirestat report FILE`: reads a capture file (or `-`) and prints its conversations, endpoints,
 * protocols and malformed counts as text, JSON (`wirestat.report/1`) or CSV.
 */
import type { LocalJoin } from '../stats/local-join.js';
import type { FlowTableOptions } from '../stats/flow-policy.js';
import type { FlowExport } from '../export/flow-export.js';
import type { WireStats } from '../stats/wire-stats.js';
import { materialize, partsOf, type Report, type ReportParts } from '../stats/snapshot.js';
import { analyzeFile } from './analyze.js';
import { type CsvTable, writeCsv } from './print-csv.js';
import { writeReportJson } from './report-json.js';
import { printText } from './print-text.js';

export interface ReportArgs {
  file: string;
  json?: boolean;
  csv?: CsvTable;
  top?: number;
  flows?: FlowTableOptions;
  filter?: string;
  /** A host snapshot: labels every conversation and adds the local section. */
  host?: string;
  /** Flow export targets: ipfix://HOST:PORT, jsonl:FILE, jsonl:- (then no report on stdout). */
  export?: readonly string[];
  /** Seconds after which a running conversation is exported in a piece. */
  activeTimeout?: number;
  /** Where warnings go (the exporters' drops). */
  warn?: (line: string) => void;
}

/** Side effects enter here: the CLI passes process.stdout, tests pass a collector. */
export interface Output {
  write(text: string): void;
  /** A terminal reads JSON indented; a pipe or file gets it on one line (as `gh --json` does). */
  isTTY?: boolean;
}

export async function runReport(args: ReportArgs, out: Output): Promise<number> {
  const host = args.host !== undefined ? await hostJoin([args.host]) : null;
  const exporting = args.export?.length ? await openExport(args.export, host) : null;
  let flows: FlowExport | null = null;
  const { parts } = await analyzeFile(args.file, {
    ...(exporting ? { onStats: (stats: WireStats) => void (flows = new exporting.FlowExport(stats.conversations, exporting.sinks, { activeTimeout: args.activeTimeout })) } : {}),
    ...(host ? { host } : {}),
    ...(args.top !== undefined ? { top: args.top } : {}),
    ...(args.flows ? { flows: args.flows } : {}),
    ...(args.filter !== undefined ? { filter: args.filter } : {}),
  });
  if (flows !== null) for (const line of await (flows as FlowExport).finish()) args.warn?.(line);
  // `jsonl:-` took standard output (as `-w -` does live): the report would break its lines.
  if (!exporting?.stdoutTaken) printParts(parts, args, out);
  return 0;
}

/** The sinks of `--export` targets, opened before the capture is read (a bad target fails first). */
async function openExport(targets: readonly string[], host: LocalJoin | null) {
  const [{ FlowExport }, { openSinks }, { writesStdout }] = await Promise.all([
    import('../export/flow-export.js'),
    import('../export/targets.js'),
    import('../export/jsonl-sink.js'),
  ]);
  const sinks = await openSinks(targets, { host });
  return { FlowExport, sinks, stdoutTaken: sinks.some((s) => writesStdout(s.target)) };
}

/** The host view from snapshot files (wirestat.snapshot/1); throws SnapshotError (one line). */
export async function hostJoin(files: readonly string[]): Promise<LocalJoin> {
  const [{ loadHostSnapshots }, { LocalJoin }] = await Promise.all([import('./dashboard-cmd.js'), import('../stats/local-join.js')]);
  return new LocalJoin(files.flatMap(loadHostSnapshots));
}

/** The report in the form asked for: JSON, one CSV table, or text. */
export function printReport(report: Report, form: { json?: boolean; csv?: CsvTable }, out: Output): void {
  printParts(partsOf(report), form, out);
}

/** The same, its lists written row by row as they are made (JSON and CSV; the text lists them all). */
export function printParts(p: ReportParts, form: { json?: boolean; csv?: CsvTable }, out: Output): void {
  const write = (text: string): void => out.write(text);
  if (form.json) {
    writeReportJson(p, write, out.isTTY ? 2 : undefined);
    out.write('\n');
  } else if (form.csv) writeCsv({ ...p.head, conversations: p.conversations, endpoints: p.endpoints }, form.csv, write);
  else out.write(printText(materialize(p)));
}
