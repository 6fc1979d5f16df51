/**
 * `wirestat report FILE`: reads a capture file (or `-`) and prints its conversations, endpoints,
 * protocols and malformed counts as text, JSON (`wirestat.report/1`) or CSV.
 */
import type { LocalJoin } from '../stats/local-join.js';
import type { Report } from '../stats/snapshot.js';
import { analyzeFile } from './analyze.js';
import type { CsvTable } from './print-csv.js';
import { printCsv } from './print-csv.js';
import { printText } from './print-text.js';

export interface ReportArgs {
  file: string;
  json?: boolean;
  csv?: CsvTable;
  top?: number;
  maxFlows?: number;
  filter?: string;
  /** A host snapshot: labels every conversation and adds the local section. */
  host?: string;
}

/** Side effects enter here: the CLI passes process.stdout, tests pass a collector. */
export interface Output {
  write(text: string): void;
  /** A terminal reads JSON indented; a pipe or file gets it on one line (as `gh --json` does). */
  isTTY?: boolean;
}

export async function runReport(args: ReportArgs, out: Output): Promise<number> {
  const host = args.host !== undefined ? await hostJoin([args.host]) : null;
  const { report } = await analyzeFile(args.file, {
    ...(host ? { host } : {}),
    ...(args.top !== undefined ? { top: args.top } : {}),
    ...(args.maxFlows !== undefined ? { maxConversations: args.maxFlows } : {}),
    ...(args.filter !== undefined ? { filter: args.filter } : {}),
  });
  printReport(report, args, out);
  return 0;
}

/** The host view from snapshot files (wirestat.snapshot/1); throws SnapshotError (one line). */
export async function hostJoin(files: readonly string[]): Promise<LocalJoin> {
  const [{ loadHostSnapshots }, { LocalJoin }] = await Promise.all([import('./dashboard-cmd.js'), import('../stats/local-join.js')]);
  return new LocalJoin(files.flatMap(loadHostSnapshots));
}

/** The report in the form asked for: JSON, one CSV table, or text. */
export function printReport(report: Report, form: { json?: boolean; csv?: CsvTable }, out: Output): void {
  if (form.json) out.write(JSON.stringify(report, null, out.isTTY ? 2 : undefined) + '\n');
  else if (form.csv) out.write(printCsv(report, form.csv));
  else out.write(printText(report));
}
