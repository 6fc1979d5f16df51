/**
 * One flow in full (Enter): both directions, rates over the three windows, first and last
 * packet, the TCP state and history spelled out, and whether a socket of this host owns it.
 * Drawn from the view's row for that flow; when the flow has left the view (filtered out, below
 * the row limit, expired), from the last row seen, marked as such.
 */
import type { DashboardView, ViewConversation, ViewSocket } from '../stats/dashboard-view.js';
import { bits, bytes, duration, grouped, perSecond, utc } from './format.js';
import { showEndpoint } from './names.js';
import type { UiModes } from './panel.js';
import type { NameLookup } from './names.js';
import { cell, fitMiddle } from './sanitize.js';
import { clipLine, type Line, type Theme } from './theme.js';

/** Zeek's conn_state values, in a few words (a = originator, b = responder). */
export const STATE_MEANING: Record<string, string> = {
  S0: 'attempt seen, no reply',
  S1: 'established, not closed',
  SF: 'established, closed normally',
  REJ: 'attempt rejected',
  S2: 'established; A closed, no reply from B',
  S3: 'established; B closed, no reply from A',
  RSTO: 'established; A aborted it (RST)',
  RSTR: 'B sent a RST',
  RSTOS0: 'A sent a SYN then a RST; no SYN-ACK',
  RSTRH: 'B sent a SYN-ACK then a RST; no SYN seen',
  SH: 'A sent a SYN then a FIN; no SYN-ACK',
  SHR: 'B sent a SYN-ACK then a FIN; no SYN seen',
  OTH: 'no SYN seen (began before the capture)',
};

/** History letters (Zeek's), by their lower case. */
export const HISTORY_MEANING: Record<string, string> = {
  s: 'SYN',
  h: 'SYN-ACK',
  a: 'ACK',
  d: 'data',
  f: 'FIN',
  r: 'RST',
  t: 'retransmit',
  w: 'zero window',
  i: 'odd flags',
  q: 'SYN+FIN/RST',
  '^': 'A and B swapped',
};

/** The sockets of this host whose two ends are the flow's. */
export function matchingSockets(c: ViewConversation, sockets: readonly ViewSocket[] | null): ViewSocket[] {
  if (!sockets) return [];
  const out: ViewSocket[] = [];
  for (const s of sockets) {
    if (!s.proto.startsWith(c.proto)) continue;
    if ((s.local === c.a && s.remote === c.b) || (s.local === c.b && s.remote === c.a)) out.push(s);
  }
  return out;
}

function legend(history: string): string[] {
  const seen: string[] = [];
  for (const ch of history) {
    const k = ch.toLowerCase();
    if (HISTORY_MEANING[k] && !seen.includes(k)) seen.push(k);
  }
  return seen.map((k) => (k === '^' ? `^ ${HISTORY_MEANING[k]}` : `${k.toUpperCase()}/${k} ${HISTORY_MEANING[k]}`));
}

/** Items joined by two spaces into lines of at most `width`. */
function pack(items: readonly string[], width: number, indent: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const it of items) {
    if (line !== '' && indent.length + line.length + 2 + it.length > width) {
      out.push(indent + line);
      line = '';
    }
    line = line === '' ? it : `${line}  ${it}`;
  }
  if (line !== '') out.push(indent + line);
  return out;
}

export interface DetailInput {
  view: DashboardView;
  flow: ViewConversation;
  /** The capture-clock time of the view the flow was last in, when that is not `view`. */
  staleSince: number | null;
  modes: UiModes;
  lookup: NameLookup;
  theme: Theme;
}

export function detailLines(d: DetailInput, width: number): Line[] {
  const { flow: c, view, theme } = d;
  const g = theme.glyphs;
  const ep = (s: string): string => fitMiddle(cell(showEndpoint(s, c.proto, d.modes, d.lookup)), Math.max(10, Math.floor((width - 12) / 2)), g);
  const out: Line[] = [];
  const text = (s: string, style?: Line[number]['style']): void => {
    out.push([{ text: s, style }]);
  };
  const raw = (s: string): string => cell(s);

  const local = c.local === true ? `this host${c.owner ? `: ${raw(c.owner)}` : ''}` : c.local === false ? 'not this host' : 'host unknown';
  out.push([
    { text: ` ${raw(c.proto)}  `, style: 'header' },
    { text: `${ep(c.a)} ${g.arrow} ${ep(c.b)}` },
    { text: `  ${local}`, style: c.local === true ? 'local' : undefined },
  ]);
  if (d.staleSince !== null) text(` Not in the current view: figures as of ${utc(d.staleSince)} UTC.`, 'alert');
  text('');
  const col = (s: string, w: number): string => s.padStart(w);
  text(` ${''.padEnd(8)}${col('Packets', 14)}${col('Bytes', 16)}`, 'header');
  const dir = (label: string, p: number, b: number): void =>
    text(` ${label.padEnd(8)}${col(grouped(p), 14)}${col(grouped(b), 16)}  ${bytes(b)}`);
  dir(`A ${g.arrow} B`, c.aToB.packets, c.aToB.bytes);
  dir(`B ${g.arrow} A`, c.bToA.packets, c.bToA.bytes);
  dir('Both', c.aToB.packets + c.bToA.packets, c.aToB.bytes + c.bToA.bytes);
  text(` ${'Rates'.padEnd(8)}${col('2 s', 10)}${col('10 s', 10)}${col('40 s', 10)}`, 'header');
  text(` ${'pkt/s'.padEnd(8)}${c.rates.pps.map((v) => col(perSecond(v), 10)).join('')}`);
  text(` ${'bit/s'.padEnd(8)}${c.rates.bps.map((v) => col(bits(v), 10)).join('')}`);
  text('');
  const when = (label: string, ts: number | null): void => {
    if (ts === null) return text(` ${label.padEnd(11)}-`);
    text(` ${label.padEnd(11)}${utc(ts, true)} UTC  (${duration(view.time - ts)} ago)`);
  };
  when('First seen', c.firstTs);
  when('Last seen', c.lastTs);
  if (c.firstTs !== null && c.lastTs !== null) text(` ${'Duration'.padEnd(11)}${duration(c.lastTs - c.firstTs)}`);
  if (c.state !== null || c.history !== null) {
    text('');
    if (c.state !== null) text(` ${'TCP state'.padEnd(11)}${raw(c.state)}  ${STATE_MEANING[c.state] ?? ''}`.trimEnd());
    if (c.history !== null) {
      text(` ${'History'.padEnd(11)}${raw(c.history)}`);
      for (const l of pack([...legend(c.history), 'upper case: from A'], width, ' '.repeat(12))) text(l, 'dim');
    }
  }
  const socks = matchingSockets(c, view.sockets);
  if (socks.length > 0) {
    text('');
    for (const s of socks) {
      text(` ${'Socket'.padEnd(11)}${raw(s.proto)} ${raw(s.local)} ${raw(s.remote)} ${raw(s.state)} ${raw(s.owner)}`);
    }
  }
  return out.map((l) => clipLine(l, width));
}
