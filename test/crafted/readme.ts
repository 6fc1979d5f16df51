/**
 * fixtures/crafted/README.md, made from the case table so that the list a person reads is the
 * list the test checks.
 */
import type { CraftedCase } from './cases.js';

function outcome(c: CraftedCase): string {
  const e = c.expect;
  if (e.exit === 2) return `exit 2: \`byte ${e.offset}: ${e.cause}\``;
  const parts = [`exit 0, ${e.packets} packet${e.packets === 1 ? '' : 's'}`];
  for (const err of e.errors) parts.push(`error at byte ${err.offset}: \`${err.reason}\``);
  for (const [reason, n] of Object.entries(e.malformed)) parts.push(`malformed \`${reason}\` × ${n}`);
  for (const [proto, n] of Object.entries(e.protocols ?? {})) parts.push(`counted as \`${proto}\` × ${n}`);
  if (e.errors.length === 0 && Object.keys(e.malformed).length === 0 && !e.protocols) parts.push('decoded cleanly');
  return parts.join('; ');
}

/** Pipes and newlines would break a Markdown table cell. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function craftedReadme(cases: readonly CraftedCase[]): string {
  const rows = cases.map((c) => `| \`${c.file}\` | ${cell(c.issue)} | ${cell(outcome(c))} | ${cell(c.why)} |`);
  return [
    '# Crafted captures (issue 8)',
    '',
    'Written by `npm run crafted` from the table in `test/crafted/cases.ts`; do not edit by hand.',
    '`test/crafted/crafted.test.ts` checks that each file is still what the table builds, runs',
    '`wirestat report FILE` on it (JSON and text), and reads it with `tcpdump --count -r FILE` and',
    '`tshark -r FILE`: their packet counts, and where they differ from ours the reason, are in the',
    'table; where tshark read the same packets, its conversations and endpoints must agree with ours.',
    'It also measures peak RSS on the 0xFFFFFFFF captured lengths against the same files with a sane one.',
    '',
    'Try one: `node dist/cli/main.js report fixtures/crafted/pcap-caplen-4294967295.pcap`.',
    '',
    '| file | case | `wirestat report` | why |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
