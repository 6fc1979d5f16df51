/**
 * Differential test against tshark over every fixture capture and every tcpdump regression
 * capture with a link type wirestat decodes.
 */
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CORPUS } from '../helpers/corpus.js';
import { compareWithTshark, type FileComparison } from '../helpers/differential.js';
import { pool } from '../helpers/pool.js';

import { ROOT } from '../helpers/cli.js';

function captures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng|cap|trace|dmp)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

const sets: [string, string[]][] = [
  ['fixtures', captures(join(ROOT, 'fixtures/captures'))],
  ['tcpdump-tests', captures(join(CORPUS, 'tcpdump-tests'))],
  ['zeek-traces', captures(join(CORPUS, 'zeek-traces'))],
];

for (const [name, files] of sets) {
  t.test(`tshark agrees on ${name}`, async (t) => {
    const only = process.env.WIRESTAT_DIFF_ONLY;
    const list = only ? files.filter((f) => f.includes(only)) : files;
    t.ok(list.length > 0, `${name}: captures found`);
    const results: FileComparison[] = await pool(list, 2, (f) =>
      compareWithTshark(f).catch((err: Error) => ({ file: f, skipped: null, conversations: 0, framesOnly: 0, endpoints: 0, mismatches: [`comparison failed: ${err.message}`] })),
    );
    // For investigating differences: WIRESTAT_DIFF_OUT=file collects every result as JSON lines.
    const dump = process.env.WIRESTAT_DIFF_OUT;
    if (dump) for (const r of results) appendFileSync(dump, JSON.stringify(r) + '\n');
    let compared = 0;
    let conversations = 0;
    let framesOnly = 0;
    let endpoints = 0;
    for (const r of results) {
      if (r.skipped) continue;
      compared++;
      conversations += r.conversations;
      framesOnly += r.framesOnly;
      endpoints += r.endpoints;
      if (r.mismatches.length > 0) t.fail(`${r.file}`, { diagnostic: true, mismatches: r.mismatches.slice(0, 20) });
    }
    t.pass(`${name}: ${compared} files compared, ${conversations} conversations, ${results.length - compared} skipped`);
    t.comment(`${name}: ${compared} files, ${conversations} TCP/UDP conversations compared with tshark (${framesOnly} by frames only), ${endpoints} endpoints`);
  });
}
