/**
 * The report written in pieces (report-json.ts, print-csv.ts) is the very text the whole report
 * gives to JSON.stringify, indented or not, with and without a host view, for every fixture;
 * a source name that spells the placeholder cannot move it; rows are made once each.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { analyzeFile } from '../../src/cli/analyze.js';
import { printCsv, CSV_TABLES } from '../../src/cli/print-csv.js';
import { writeReportJson } from '../../src/cli/report-json.js';
import { hostJoin } from '../../src/cli/report.js';
import { type ReportParts } from '../../src/stats/snapshot.js';
import { ROOT } from '../helpers/cli.js';

const CAPTURES = join(ROOT, 'fixtures/captures');
const files = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f));

function streamed(p: ReportParts, indent?: number): { text: string; writes: number } {
  let text = '';
  let writes = 0;
  writeReportJson(p, (s) => ((text += s), writes++), indent);
  return { text, writes };
}

t.test('every fixture: the streamed JSON = JSON.stringify of the whole report', async (t) => {
  t.ok(files.length >= 9, `${files.length} fixtures`);
  for (const f of files) {
    const a = await analyzeFile(join(CAPTURES, f));
    for (const indent of [undefined, 2]) {
      t.equal(streamed(a.parts, indent).text, JSON.stringify(a.report, null, indent), `${f}, indent ${indent ?? 'none'}`);
    }
    for (const table of CSV_TABLES) {
      const fromParts = printCsv({ ...a.parts.head, conversations: a.parts.conversations, endpoints: a.parts.endpoints }, table);
      t.equal(fromParts, printCsv(a.report, table), `${f}: CSV ${table}`);
    }
  }
});

t.test('with a host view; --top; the lists empty', async (t) => {
  const host = await hostJoin([join(CAPTURES, 'demo-host.json')]);
  const demo = join(CAPTURES, 'demo.pcap');
  for (const opts of [{ host }, { host, top: 3 }, { top: 0 }]) {
    const a = await analyzeFile(demo, opts);
    for (const indent of [undefined, 2]) t.equal(streamed(a.parts, indent).text, JSON.stringify(a.report, null, indent), `${JSON.stringify({ ...opts, host: !!opts.host })} indent ${indent}`);
  }
});

t.test('a name that spells the placeholder; rows made once', async (t) => {
  const a = await analyzeFile(join(CAPTURES, 'lab-v4.pcap'));
  let made = 0;
  const counted = { length: a.parts.conversations.length, at: (i: number) => (made++, a.parts.conversations.at(i)) };
  const p: ReportParts = {
    ...a.parts,
    conversations: counted,
    head: { ...a.parts.head, source: { ...a.parts.head.source, name: '"conversations":"\u0001rows" "endpoints": "\u0001rows"' } },
  };
  const want = JSON.stringify({ ...p.head, conversations: a.report.conversations, endpoints: a.report.endpoints });
  made = 0;
  const { text, writes } = streamed(p);
  t.equal(text, want, 'the source name is left alone');
  t.equal(made, counted.length, `each of ${counted.length} rows made once`);
  t.ok(writes >= 5, `${writes} writes: head, lists and tail in pieces`);
});
