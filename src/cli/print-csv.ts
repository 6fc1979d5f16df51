/**
 * CSV (RFC 4180) of one report table, for spreadsheets and scripts that prefer it to JSON.
 *
 * CSV has no escape for a control character: a raw ESC or U+009B in a process name would reach
 * the terminal of whoever runs `--csv` without a redirect (or `cat`s the file), and many readers
 * take a lone CR or NUL badly. So every string field is shown as `printable` shows it (`\x1b`,
 * `\u202e`); ordinary names are unchanged, and the exact bytes are in the JSON.
 */
import { printable } from '../host/sanitize.js';
import { type ConversationRow, type EndpointRow, type Report, type Rows, rowsOf } from '../stats/snapshot.js';

/** A report whose lists may be made on demand (snapshot.ts Rows; an array is one too). */
export type CsvSource = Omit<Report, 'conversations' | 'endpoints'> & { conversations: Rows<ConversationRow>; endpoints: Rows<EndpointRow> };

/** Write when a batch reaches this many characters. */
const BATCH_CHARS = 1 << 20;

export const CSV_TABLES = ['conversations', 'endpoints', 'protocols', 'malformed'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

function field(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'string' ? printable(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function line(r: readonly (string | number | null)[]): string {
  return r.map(field).join(',') + '\r\n';
}

/** The header, then a line per row, written in batches. */
function rows<T>(write: (text: string) => void, header: string[], data: Rows<T>, cells: (row: T) => (string | number | null)[]): void {
  let batch = line(header);
  for (let i = 0; i < data.length; i++) {
    batch += line(cells(data.at(i)));
    if (batch.length >= BATCH_CHARS) {
      write(batch);
      batch = '';
    }
  }
  write(batch);
}

export function printCsv(r: CsvSource, table: CsvTable): string {
  let out = '';
  writeCsv(r, table, (t) => (out += t));
  return out;
}

export function writeCsv(r: CsvSource, table: CsvTable, write: (text: string) => void): void {
  switch (table) {
    case 'conversations': {
      // With a host view (--host), each row's label and owner as the JSON has them.
      const local = r.local !== null;
      return rows(
        write,
        ['proto', 'a', 'b', 'a_to_b_packets', 'a_to_b_bytes', 'b_to_a_packets', 'b_to_a_bytes', 'first_ts', 'last_ts', 'state', 'history', ...(local ? ['local', 'pid', 'program', 'reason'] : [])],
        r.conversations,
        (c) => [
          c.proto,
          c.a,
          c.b,
          c.a_to_b.packets,
          c.a_to_b.bytes,
          c.b_to_a.packets,
          c.b_to_a.bytes,
          c.first_ts,
          c.last_ts,
          c.state,
          c.history,
          ...(local ? [c.local, c.pid, c.program, c.reason] : []),
        ],
      );
    }
    case 'endpoints':
      return rows(write, ['addr', 'tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes'], r.endpoints, (e) => [e.addr, e.tx.packets, e.tx.bytes, e.rx.packets, e.rx.bytes]);
    case 'protocols':
      return rows(write, ['protocol', 'packets', 'bytes'], rowsOf(Object.entries(r.protocols)), ([k, c]) => [k, c.packets, c.bytes]);
    case 'malformed':
      return rows(write, ['reason', 'packets'], rowsOf(Object.entries(r.malformed)), (x) => x);
  }
}
