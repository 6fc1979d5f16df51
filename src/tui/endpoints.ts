/**
 * Top endpoints: per address (IP or MAC), what it sent and received, in the view's order.
 * Rates (bits/s over 2, 10, 40 s) or totals per direction, as `t` asks.
 */
import type { ViewEndpoint } from '../stats/dashboard-view.js';
import { bits, bytes, count, grouped } from './format.js';
import { showHost } from './names.js';
import { type ListWindow, listPanel, type PanelContext, titleLine } from './panel.js';
import type { Column } from './table.js';
import type { Line } from './theme.js';

type E = ViewEndpoint;

export function endpointColumns(ctx: PanelContext): Column<E>[] {
  const addr: Column<E> = {
    title: 'Address',
    width: { min: 15, max: 41, weight: 1 },
    align: 'l',
    drop: 0,
    cut: 'middle',
    value: (e) => showHost(e.addr, ctx.modes, ctx.lookup),
  };
  if (ctx.modes.totals) {
    return [
      addr,
      { title: 'Tx pkts', width: 7, align: 'r', drop: 3, value: (e) => count(e.tx.packets) },
      { title: 'Tx', width: 7, align: 'r', drop: 1, value: (e) => bytes(e.tx.bytes) },
      { title: 'Rx pkts', width: 7, align: 'r', drop: 3, value: (e) => count(e.rx.packets) },
      { title: 'Rx', width: 7, align: 'r', drop: 1, value: (e) => bytes(e.rx.bytes) },
    ];
  }
  const rate = (i: 0 | 1 | 2, title: string, drop: number): Column<E> => ({ title, width: 7, align: 'r', drop, value: (e) => bits(e.rates.bps[i]) });
  return [
    addr,
    { title: 'Pkts', width: 6, align: 'r', drop: 4, value: (e) => count(e.tx.packets + e.rx.packets) },
    { title: 'Bytes', width: 7, align: 'r', drop: 3, value: (e) => bytes(e.tx.bytes + e.rx.bytes) },
    rate(0, '2s', 1),
    rate(1, '10s', 2),
    rate(2, '40s', 2),
  ];
}

export function renderEndpoints(ctx: PanelContext, width: number, height: number, win: ListWindow): Line[] {
  const eps = ctx.view.endpoints;
  const title = titleLine(
    'Endpoints',
    win.focused,
    [
      { text: grouped(eps.length), drop: 1 },
      { text: ctx.modes.totals ? 'totals' : 'rates in bits/s', short: ctx.modes.totals ? 'totals' : 'b/s', drop: 2 },
    ],
    width,
    ctx.theme,
  );
  return listPanel({ ctx, title, cols: endpointColumns(ctx), rows: eps, width, height, win, empty: 'No endpoints yet.' });
}
