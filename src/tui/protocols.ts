/**
 * The protocol breakdown: packets and bytes per layer present (a packet counts in every layer
 * it carries, so shares add up to more than 100%), with each share of all wire bytes as a bar.
 */
import type { ViewProtocol } from '../stats/dashboard-view.js';
import { bytes, count, percent } from './format.js';
import { type ListWindow, listPanel, type PanelContext, titleLine } from './panel.js';
import type { Column } from './table.js';
import type { Line, Theme } from './theme.js';

type P = ViewProtocol;

/** A horizontal bar of `fraction` (0..1) in `width` columns, in eighths of a column. */
export function shareBar(fraction: number, width: number, theme: Theme): string {
  if (width <= 0) return '';
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const rest = eighths - full * 8;
  const partial = theme.unicode ? ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][rest]! : rest >= 4 ? '-' : '';
  return (theme.unicode ? '█' : '#').repeat(full) + partial;
}

export function protocolColumns(ctx: PanelContext): Column<P>[] {
  const all = ctx.view.totals.bytes;
  return [
    { title: 'Protocol', width: { min: 8, max: 16, weight: 1 }, align: 'l', drop: 0, value: (p) => p.name },
    { title: 'Packets', width: 7, align: 'r', drop: 1, value: (p) => count(p.packets) },
    { title: 'Bytes', width: 7, align: 'r', drop: 1, value: (p) => bytes(p.bytes) },
    { title: 'Share', width: 6, align: 'r', drop: 2, value: (p) => percent(p.bytes, all) },
    {
      title: '',
      width: { min: 4, max: 30, weight: 2 },
      align: 'l',
      drop: 3,
      value: (p, w) => shareBar(all > 0 ? p.bytes / all : 0, w, ctx.theme),
      style: () => 'bar',
    },
  ];
}

export function renderProtocols(ctx: PanelContext, width: number, height: number, win: ListWindow): Line[] {
  const title = titleLine('Protocols', win.focused, [{ text: 'share of wire bytes', short: 'of bytes', drop: 1 }], width, ctx.theme);
  return listPanel({ ctx, title, cols: protocolColumns(ctx), rows: ctx.view.protocols, width, height, win, empty: 'Nothing counted yet.' });
}
