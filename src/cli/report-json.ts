/**
 * The report as JSON, written in pieces: the same text `JSON.stringify(report, null, indent)`
 * gives, but each conversation and endpoint row is made, stringified and written in batches, so
 * a capture of a million conversations never holds a million row objects, nor one string of
 * hundreds of megabytes (measured: 175,642 conversations took the peak RSS from 148 MB to
 * 434 MB when the whole report was built first).
 */
import { jsonForTerminal } from '../host/sanitize.js';
import type { ReportParts, Rows } from '../stats/snapshot.js';

/** Write when a batch reaches this many characters. */
const BATCH_CHARS = 1 << 20;

/** Stands for a list in the head's text; a control character, so data can only show it escaped. */
const PLACEHOLDER = '\u0001rows';

export function writeReportJson(p: ReportParts, out: (text: string) => void, indent?: number): void {
  // Every piece is JSON.stringify's text, each escape whole inside it: safe to rewrite piecewise.
  const write = (text: string): void => out(jsonForTerminal(text));
  const text = JSON.stringify({ ...p.head, conversations: PLACEHOLDER, endpoints: PLACEHOLDER }, null, indent);
  const value = JSON.stringify(PLACEHOLDER);
  const sep = indent ? ': ' : ':';
  let from = 0;
  const list = <T>(key: string, rows: Rows<T>): void => {
    // Only the top level has these keys with this value: inside a string, quotes are escaped.
    const marker = `${JSON.stringify(key)}${sep}${value}`;
    const at = text.indexOf(marker, from);
    if (at < 0) throw new Error(`report JSON: no ${key} placeholder`);
    const start = at + marker.length - value.length;
    write(text.slice(from, start));
    writeRows(rows, write, indent);
    from = start + value.length;
  };
  list('conversations', p.conversations);
  list('endpoints', p.endpoints);
  write(text.slice(from));
}

/** A top-level list as JSON.stringify would write it at depth 1. */
function writeRows<T>(rows: Rows<T>, write: (text: string) => void, indent: number | undefined): void {
  if (rows.length === 0) {
    write('[]');
    return;
  }
  const pad = indent ? ' '.repeat(indent) : '';
  const open = indent ? `[\n` : '[';
  const between = indent ? ',\n' : ',';
  const close = indent ? `\n${pad}]` : ']';
  let batch = open;
  for (let i = 0; i < rows.length; i++) {
    const row = JSON.stringify(rows.at(i), null, indent);
    // Each line of the row one level deeper than the list (two levels below the top).
    batch += (i > 0 ? between : '') + (indent ? pad + pad + row.replace(/\n/g, `\n${pad}${pad}`) : row);
    if (batch.length >= BATCH_CHARS) {
      write(batch);
      batch = '';
    }
  }
  write(batch + close);
}
