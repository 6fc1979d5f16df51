/**
 * Every file of both corpora (captures, deliberately malformed captures, and the README/licence
 * files beside them) through the real CLI: exit 0 with a report, or exit 2 with one line on
 * stderr naming the file; never a stack trace, never a hang.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CORPUS } from '../helpers/corpus.js';
import { looksLikeStackTrace, runCli } from '../helpers/cli.js';
import { pool } from '../helpers/pool.js';

/** Far above any file's real time (the largest takes well under a second). */
const HANG_MS = 30000;

for (const set of ['tcpdump-tests', 'zeek-traces']) {
  t.test(`${set}: every file exits 0 or 2 with no stack trace`, async (t) => {
    const dir = join(CORPUS, set);
    t.ok(existsSync(dir), `${dir} exists`);
    const files = readdirSync(dir)
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile())
      .sort();
    const results = await pool(files, 2, async (file) => ({ file, r: await runCli(['report', file, '--json'], { timeoutMs: HANG_MS, plain: true }) }));
    const counts = { ok: 0, partial: 0, unreadable: 0 };
    const problems: string[] = [];
    for (const { file, r } of results) {
      const name = file.slice(dir.length + 1);
      if (r.timedOut) problems.push(`${name}: hung (killed after ${HANG_MS} ms)`);
      else if (r.code === 0) {
        let report;
        try {
          report = JSON.parse(r.stdout);
        } catch {
          problems.push(`${name}: exit 0 but stdout is not JSON`);
          continue;
        }
        if (report.schema !== 'wirestat.report/1') problems.push(`${name}: wrong schema ${report.schema}`);
        if (report.source.errors.length > 0) counts.partial++;
        else counts.ok++;
        if (r.stderr !== '') problems.push(`${name}: exit 0 with stderr: ${r.stderr.slice(0, 200)}`);
      } else if (r.code === 2) {
        counts.unreadable++;
        const lines = r.stderr.trimEnd().split('\n');
        if (lines.length !== 1) problems.push(`${name}: exit 2 with ${lines.length} stderr lines`);
        if (!lines[0]!.startsWith(`wirestat: ${file}: `)) problems.push(`${name}: message does not name the file: ${lines[0]}`);
      } else {
        problems.push(`${name}: exit ${r.code} signal ${r.signal}: ${r.stderr.slice(0, 300)}`);
      }
      if (looksLikeStackTrace(r.stderr)) problems.push(`${name}: stack trace on stderr`);
    }
    t.same(problems, [], `${files.length} files, no crash, hang or stack trace`);
    t.comment(`${set}: ${files.length} files: ${counts.ok} read cleanly, ${counts.partial} read with errors listed, ${counts.unreadable} unreadable (exit 2)`);
  });
}
