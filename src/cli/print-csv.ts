/**
 * CSV (RFC 4180) of one report table, for spreadsheets and scripts that prefer it to JSON.
 */
import type { Report } from '../stats/snapshot.js';

export const CSV_TABLES = ['conversations', 'endpoints', 'protocols', 'malformed'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

function field(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function rows(header: string[], data: (string | number | null)[][]): string {
  return [header, ...data].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

export function printCsv(r: Report, table: CsvTable): string {
  switch (table) {
    case 'conversations': {
      // With a host view (--host), each row's label and owner as the JSON has them.
      const local = r.local !== null;
      return rows(
        ['proto', 'a', 'b', 'a_to_b_packets', 'a_to_b_bytes', 'b_to_a_packets', 'b_to_a_bytes', 'first_ts', 'last_ts', 'state', 'history', ...(local ? ['local', 'pid', 'program', 'reason'] : [])],
        r.conversations.map((c) => [
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
        ]),
      );
    }
    case 'endpoints':
      return rows(
        ['addr', 'tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes'],
        r.endpoints.map((e) => [e.addr, e.tx.packets, e.tx.bytes, e.rx.packets, e.rx.bytes]),
      );
    case 'protocols':
      return rows(['protocol', 'packets', 'bytes'], Object.entries(r.protocols).map(([k, c]) => [k, c.packets, c.bytes]));
    case 'malformed':
      return rows(['reason', 'packets'], Object.entries(r.malformed));
  }
}
