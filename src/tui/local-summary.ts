/**
 * The comparison at the top of the Local netstat panel: how much of the wire is this host's,
 * how much of that its sockets explain, what they do not, and which of its connections the
 * wire never showed (the view's `local`, counted as the report's `local` section counts).
 *
 *   this host 66.5% · * explained 60.1% of host · wire 2,080 pkts
 *   ! unexplained 3 flows/120 pkts · third-party 40 flows/690 pkts
 *   quiet: 2 established connections with no wire traffic
 *
 * Shares are of packets, as the report's first figures are. The marks are the flows panel's
 * (`*`, `!`): without colour the labels still read. A line's first segment stays longest (the
 * fitting keeps a line's first segment), so each line starts with what it is for.
 */
import type { ViewLocal } from '../stats/dashboard-view.js';
import { count, grouped, percent } from './format.js';
import { fitSegments, type Line, padLine, type Segment, type Theme } from './theme.js';

/** Lines of the block when there is room: figures, labels, quiet sockets. */
export const SUMMARY_LINES = 3;
/** Rows the socket table keeps before the block gives up lines: its title, header and three rows. */
const TABLE_MIN_ROWS = 5;

/** How many lines the block takes in a panel of `height` rows (0 without a host view). */
export function summaryHeight(local: ViewLocal | null, height: number): number {
  if (local === null) return 0;
  return Math.max(0, Math.min(SUMMARY_LINES, height - TABLE_MIN_ROWS));
}

const share = (x: number | null): string => (x === null ? '-' : percent(x, 1));

function lines(l: ViewLocal): Segment[][] {
  const u = l.unexplained;
  const tp = l.thirdParty;
  const quiet = l.quietSockets;
  return [
    [
      { text: `this host ${share(l.share.hostPackets)}`, short: `host ${share(l.share.hostPackets)}`, drop: 0 },
      { text: `* explained ${share(l.share.explainedOfHostPackets)} of host`, short: `* ${share(l.share.explainedOfHostPackets)} of host`, drop: 1, style: 'local' },
      { text: `wire ${grouped(l.wire.packets)} pkts`, short: `wire ${count(l.wire.packets)}`, drop: 2 },
    ],
    [
      {
        text: `! unexplained ${grouped(u.conversations)} flows/${grouped(u.packets)} pkts`,
        short: `! unexplained ${count(u.conversations)}/${count(u.packets)} pkts`,
        drop: 0,
        style: u.conversations > 0 ? 'error' : undefined,
      },
      { text: `third-party ${grouped(tp.conversations)} flows/${grouped(tp.packets)} pkts`, short: `third-party ${count(tp.conversations)} flows`, drop: 1 },
    ],
    [
      {
        text: `quiet: ${grouped(quiet)} established connection${quiet === 1 ? '' : 's'} with no wire traffic`,
        short: `quiet: ${grouped(quiet)} established, not on the wire`,
        drop: 0,
        style: quiet > 0 ? undefined : 'dim',
      },
    ],
  ];
}

/** The block's lines, each fitted to `width`, at most `height` of them (see summaryHeight). */
export function summaryLines(l: ViewLocal, width: number, height: number, theme: Theme): Line[] {
  const sep = theme.unicode ? ' · ' : ' | ';
  // One column of margin, as the panels' messages have.
  const indent = (s: Segment, i: number): Segment => (i > 0 ? s : { ...s, text: ` ${s.text}`, short: s.short === undefined ? undefined : ` ${s.short}` });
  return lines(l)
    .slice(0, height)
    .map((segs) => padLine(fitSegments(segs.map(indent), width, theme, sep), width));
}
