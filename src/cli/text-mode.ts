/**
 * The dashboard when standard output is not a terminal (`wirestat live -i IF | tee log`): one
 * block per tick, as `iftop -t` prints one per interval. A block is a summary line; with a host
 * view, a line comparing the wire with the host's sockets (the TUI's Local netstat panel's
 * figures); then the first conversations of the view (in its sort: by rate unless asked
 * otherwise) with their rates over 2, 10 and 40 s, as iftop's three columns; then an empty line.
 * No colour, no cursor movement; every string from the wire passes `cell` (src/tui/sanitize.ts:
 * no control code point, one column a character), so the padding lines up and the cut to
 * `width` columns is exact.
 *
 *   2026-11-26 12:00:05 UTC  1,234 pkt/s  5.61 Mbit/s  (10 s: 1,100 pkt/s 4.90 Mbit/s)  packets 12,345  conversations 99  e0
 *   local: this host 66.5% of packets, explained 60.1% of host; unexplained 3 flows/120 pkts; third-party 40 flows/690 pkts; quiet sockets 2
 *     tcp      198.18.0.1:41284         -> 198.18.0.2:8080          3.20 Mbit/s  2.90 Mbit/s  1.20 Mbit/s    1.10 MB  SF ShADadFf
 */
import type { DashboardView, ViewConversation, ViewLocal } from '../stats/dashboard-view.js';
import { cell } from '../tui/sanitize.js';
import { formatTime } from './print-text.js';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** Bits per second as iftop shows them: three significant digits, SI prefixes. */
export function formatBits(bitsPerSecond: number): string {
  let v = bitsPerSecond;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${SI[i]}bit/s`;
}

/** Bytes with SI prefixes (kB = 1000 B), as tshark's conversation tables count them. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${SI[i]}B`;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

function cut(line: string, width: number): string {
  return line.length > width ? line.slice(0, width) : line;
}

function flowLine(c: ViewConversation): string {
  const bytes = c.aToB.bytes + c.bToA.bytes;
  const proto = cell(c.proto).padEnd(9);
  const a = cell(c.a).padEnd(24);
  const b = cell(c.b).padEnd(24);
  const extra = [c.state, c.history].filter((x): x is string => x !== null).map(cell).join(' ');
  const rates = c.rates.bps.map((r) => formatBits(r * 8).padStart(12)).join(' ');
  return `  ${proto}${a} -> ${b} ${rates} ${formatBytes(bytes).padStart(9)}${extra ? `  ${extra}` : ''}`;
}

/** A share (0..1) as a percentage with one decimal, `-` when there is no whole. */
const percent = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/** The wire beside the host's sockets: the figures of the report's `local` section, on one line. */
export function localLine(l: ViewLocal): string {
  const u = l.unexplained;
  const tp = l.thirdParty;
  return (
    `  local: this host ${percent(l.share.hostPackets)} of packets, explained ${percent(l.share.explainedOfHostPackets)} of host; ` +
    `unexplained ${count(u.conversations)} flows/${count(u.packets)} pkts; third-party ${count(tp.conversations)} flows/${count(tp.packets)} pkts; ` +
    `quiet sockets ${count(l.quietSockets)}`
  );
}

/** One tick's block of text (ends with an empty line). */
export function formatTick(view: DashboardView, opts: { rows?: number; width?: number } = {}): string {
  const rows = opts.rows ?? 10;
  const width = opts.width ?? 160;
  const t = view.totals;
  const when = Number.isFinite(view.time) ? `${formatTime(view.time).slice(0, 19)} UTC` : '-';
  const src = view.source;
  // The state first: a long file name must not push it past the cut.
  const state = src.paused ? ' (paused)' : src.finished ? ' (finished)' : '';
  const head =
    `${when}${state}  ${count(t.rates.pps[0])} pkt/s  ${formatBits(t.rates.bps[0] * 8)}  ` +
    `(10 s: ${count(t.rates.pps[1])} pkt/s ${formatBits(t.rates.bps[1] * 8)})  packets ${count(t.packets)}  ` +
    `conversations ${count(view.conversationsTotal)}` +
    (view.flowTable.evicted > 0 ? ` (evicted ${count(view.flowTable.evicted)})` : '') +
    (view.flowTable.refused > 0 ? `  refused ${count(view.flowTable.refused)}` : '') +
    (t.lost !== null ? `  lost ${count(t.lost)}` : '') +
    `  ${cell(src.name)}`;
  const lines = [cut(head, width)];
  if (view.local !== null) lines.push(cut(localLine(view.local), width));
  for (const c of view.conversations.slice(0, rows)) lines.push(cut(flowLine(c), width));
  return lines.join('\n') + '\n\n';
}
