/**
 * The local netstat: this host's own sockets (the view's `sockets`, refreshed by the owner each
 * second) with the wire bytes of the conversation each was matched to. A socket the capture
 * never saw traffic for shows `-`: that is the point of putting the two views side by side.
 * Above the table, the comparison of the two (local-summary.ts).
 */
import type { ViewSocket } from '../stats/dashboard-view.js';
import { bytes, grouped } from './format.js';
import { summaryHeight, summaryLines } from './local-summary.js';
import { endpointColumn, type ListWindow, listPanel, messageLines, type PanelContext, titleLine } from './panel.js';
import type { Column } from './table.js';
import type { Line } from './theme.js';

type S = ViewSocket;

/** Narrower than the flows' (the panel shares the screen with them in the wide layout). */
const ENDPOINT_WIDTH = { min: 15, max: 47, weight: 3 };

export function socketColumns(ctx: PanelContext): Column<S>[] {
  const addr = (title: string, side: 'local' | 'remote'): Column<S> => endpointColumn<S>(ctx, title, ENDPOINT_WIDTH, (s) => s[side]);
  return [
    { title: 'Proto', width: 5, align: 'l', drop: 1, value: (s) => s.proto },
    addr('Local', 'local'),
    addr('Remote', 'remote'),
    { title: 'State', width: 11, align: 'l', drop: 2, value: (s) => s.state },
    { title: 'PID/Program', width: { min: 10, max: 30, weight: 2 }, align: 'l', drop: 3, value: (s) => s.owner },
    { title: 'Wire', width: 7, align: 'r', drop: 4, value: (s) => (s.wireBytes === null ? '-' : bytes(s.wireBytes)) },
  ];
}

export function renderSockets(ctx: PanelContext, width: number, height: number, win: ListWindow): Line[] {
  const sockets = ctx.view.sockets;
  if (sockets === null) {
    const title = titleLine('Local netstat', win.focused, [], width, ctx.theme);
    return messageLines(title, 'No local view (a replay without a host snapshot).', width, height, ctx.theme);
  }
  let seen = 0;
  for (const s of sockets) if (s.wireBytes !== null) seen++;
  const title = titleLine(
    'Local netstat',
    win.focused,
    [
      { text: `${grouped(sockets.length)} sockets`, drop: 1 },
      { text: `${grouped(seen)} seen on the wire`, short: `${grouped(seen)} on wire`, drop: 2 },
    ],
    width,
    ctx.theme,
  );
  const local = ctx.view.local;
  const block = summaryHeight(local, height);
  const out = listPanel({ ctx, title, cols: socketColumns(ctx), rows: sockets, width, height: height - block, win, empty: 'No sockets.' });
  if (block > 0) out.splice(1, 0, ...summaryLines(local!, width, block, ctx.theme));
  return out;
}

/** Rows of the socket table a panel of `height` shows under its title, header and comparison. */
export function socketRows(ctx: Pick<PanelContext, 'view'>, height: number): number {
  return Math.max(0, height - 2 - summaryHeight(ctx.view.local, height));
}
