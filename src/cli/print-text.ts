/**
 * The human-readable report: a header about the source, then conversations (like
 * `tshark -q -z conv`), endpoints, protocols and malformed counts.
 *
 * Strings from outside (the file or interface name, the filter, a reader's error) pass
 * `printable` in the header lines; table cells are sanitised by `formatTable` (one column a
 * character, so the columns stay aligned).
 */
import type { SourceError } from '../capture/source.js';
import { printable } from '../host/sanitize.js';
import type { Report } from '../stats/snapshot.js';
import { formatTable } from './table.js';

/** UTC, microseconds: deterministic whatever the reader's time zone. Times outside years
 *  0000-9999 (files from "another century" and beyond) print as plain seconds. */
export function formatTime(t: number | null): string {
  if (t === null) return '-';
  const whole = Math.floor(t);
  const d = new Date(whole * 1000);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return t.toFixed(6);
  const iso = d.toISOString(); // 2026-11-01T12:00:00.000Z
  const micros = Math.min(999999, Math.round((t - whole) * 1e6));
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros).padStart(6, '0')}`;
}

function duration(first: number | null, last: number | null): string {
  return first === null || last === null ? '-' : (last - first).toFixed(6);
}

/** What the reader found wrong in the input (a cut-off last record, a bad block), a line each. */
export function sourceErrorLines(errors: readonly SourceError[], notListed: number): string[] {
  const out = errors.map((e) => `  error at byte ${e.offset}: ${printable(e.reason)}`);
  if (notListed > 0) out.push(`  … and ${notListed} more errors`);
  return out;
}

/** A share (0..1) as a percentage with one decimal; "-" when there is none. */
export function percent(x: number | null): string {
  return x === null ? '-' : `${(100 * x).toFixed(1)}%`;
}

/** The interface's side of a live capture: what it received and dropped, and what we missed. */
function liveLine(s: Report['source']): string {
  const parts = [`${(s.duration ?? 0).toFixed(3)} s`];
  if (s.nic) {
    parts.push(`interface received ${s.nic.rx_packets} packets, dropped ${s.nic.rx_dropped + s.nic.rx_missed_errors + s.nic.rx_fifo_errors}, sent ${s.nic.tx_packets}`);
  } else {
    parts.push('no interface counters');
  }
  const lost = s.capture_loss?.packets ?? null;
  if (lost !== null) parts.push(`capture loss about ${lost} packets (estimated)`);
  else if (s.nic && s.filter !== null) parts.push('capture loss not estimated behind a filter');
  return parts.join('; ');
}

export function printText(r: Report): string {
  const s = r.source;
  const out: string[] = [];
  out.push(`wirestat report: ${printable(s.kind === 'live' ? `live capture on ${s.name}` : s.name)}`);
  out.push(
    `  ${s.format ?? 'live'}, link type ${s.linktypes.join(', ') || 'none'}; ${s.packets} packets, ` +
      `${s.bytes} bytes on the wire, ${s.captured_bytes} captured`,
  );
  if (s.filter !== null) out.push(`  filter: ${printable(s.filter)}`);
  if (s.kind === 'live') out.push(`  ${liveLine(s)}`);
  const l = r.local;
  if (l !== null) {
    out.push(
      `  host view (${l.snapshots} snapshot${l.snapshots === 1 ? '' : 's'}): ${percent(l.share.host_packets)} of packets involve this host, ` +
        `${percent(l.share.explained_of_host_packets)} of those explained by its sockets; ${l.unexplained.conversations} conversations unexplained, ` +
        `${l.third_party.conversations} third-party (wirestat compare lists them)`,
    );
  }
  if (s.first_ts !== null) {
    out.push(`  ${formatTime(s.first_ts)} to ${formatTime(s.last_ts)} UTC (${duration(s.first_ts, s.last_ts)} s)`);
  }
  out.push(...sourceErrorLines(s.errors, s.errors_not_listed));

  out.push('', `Conversations: ${r.conversations_total}${shown(r.conversations.length, r.conversations_total)}`);
  if (r.conversations.length > 0) {
    out.push(
      formatTable(
        ['Proto', 'A', 'B', 'A>B pkts', 'A>B bytes', 'B>A pkts', 'B>A bytes', 'Start', 'Duration', 'State', 'History'],
        r.conversations.map((c) => [
          c.proto,
          c.a,
          c.b,
          String(c.a_to_b.packets),
          String(c.a_to_b.bytes),
          String(c.b_to_a.packets),
          String(c.b_to_a.bytes),
          c.first_ts === null || s.first_ts === null ? '-' : (c.first_ts - s.first_ts).toFixed(6),
          duration(c.first_ts, c.last_ts),
          c.state ?? '',
          c.history ?? '',
        ]),
        ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
      ),
    );
  }

  out.push('', `Endpoints: ${r.endpoints_total}${shown(r.endpoints.length, r.endpoints_total)}`);
  if (r.endpoints.length > 0) {
    out.push(
      formatTable(
        ['Address', 'Tx pkts', 'Tx bytes', 'Rx pkts', 'Rx bytes'],
        r.endpoints.map((e) => [e.addr, String(e.tx.packets), String(e.tx.bytes), String(e.rx.packets), String(e.rx.bytes)]),
        ['l', 'r', 'r', 'r', 'r'],
      ),
    );
  }

  out.push('', 'Protocols');
  out.push(
    formatTable(
      ['Protocol', 'Packets', 'Bytes'],
      Object.entries(r.protocols).map(([name, c]) => [name, String(c.packets), String(c.bytes)]),
      ['l', 'r', 'r'],
    ),
  );

  const malformed = Object.entries(r.malformed);
  if (malformed.length > 0) {
    out.push('', 'Malformed');
    out.push(formatTable(['Reason', 'Packets'], malformed.map(([k, n]) => [k, String(n)]), ['l', 'r']));
  }
  const ft = r.flow_table;
  if (ft.evicted > 0) {
    out.push('', `Flow table full (${ft.capacity}): ${ft.evicted} conversations evicted (${ft.expired} past their idle timeout), not listed above; their packets stay in every total`);
  }
  if (ft.refused > 0) out.push('', `Flow table full (${ft.capacity}): ${ft.refused} packets of new conversations not tracked`);
  return out.join('\n') + '\n';
}

function shown(n: number, total: number): string {
  return n < total ? ` (top ${n} by bytes)` : '';
}
