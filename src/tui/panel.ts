/**
 * What every panel gets, and the shape of a list panel: a title line, a column header, then
 * the rows from `from` that fit. A panel is a pure function of the view and the UI state to
 * lines of at most its width; the app puts the lines on the screen.
 */
import type { DashboardView } from '../stats/dashboard-view.js';
import { type NameLookup, showEndpoint } from './names.js';
import { type Column, type Flex, headerLine, placeColumns, rowLine, type TableMetrics } from './table.js';
import { fitSegments, type Line, padLine, type Segment, type Theme } from './theme.js';

export interface UiModes {
  /** `t`: totals (true) or rates (false). */
  totals: boolean;
  /** `n`: host names (true) or numbers. */
  names: boolean;
  /** `p`: service names (true) or port numbers. */
  services: boolean;
}

export interface PanelContext {
  view: DashboardView;
  theme: Theme;
  modes: UiModes;
  lookup: NameLookup;
  metrics: TableMetrics;
}

/** The part of a list a panel draws. */
export interface ListWindow {
  /** Index of the first row drawn. */
  from: number;
  /** Index of the selected row, or -1. */
  selected: number;
  focused: boolean;
}

/** A panel's title bar: the focus mark, the name, then what fits of the segments. */
/**
 * A column of endpoints ("198.18.0.1:80", "[2001:db8::1]:443") shown with names and services as
 * the modes ask (`n`, `p`), cut in the middle when too long so both the host and the port stay.
 */
export function endpointColumn<R extends { proto: string }>(ctx: PanelContext, title: string, width: Flex, endpoint: (row: R) => string): Column<R> {
  return {
    title,
    width,
    align: 'l',
    drop: 0,
    cut: 'middle',
    value: (r) => showEndpoint(endpoint(r), r.proto, ctx.modes, ctx.lookup),
  };
}

export function titleLine(name: string, focused: boolean, segments: readonly Segment[], width: number, theme: Theme): Line {
  const mark = focused ? theme.glyphs.focus : ' ';
  const line = fitSegments([{ text: `${mark}${name}`, drop: 0 }, ...segments], width, theme);
  const style = focused ? 'titleFocus' : 'title';
  return padLine([{ text: line.map((s) => s.text).join(''), style }], width, style);
}

/** A panel body that is only a message (no data yet, no local view, ...). */
export function messageLines(title: Line, message: string, width: number, height: number, theme: Theme): Line[] {
  const out: Line[] = [title];
  if (height > 1) out.push(fitSegments([{ text: ` ${message}`, drop: 0, style: 'dim' }], width, theme));
  return out.slice(0, Math.max(0, height));
}

export function listPanel<R>(o: {
  ctx: PanelContext;
  title: Line;
  cols: readonly Column<R>[];
  rows: readonly R[];
  width: number;
  height: number;
  win: ListWindow;
  empty: string;
}): Line[] {
  if (o.height <= 0) return [];
  if (o.rows.length === 0) return messageLines(o.title, o.empty, o.width, o.height, o.ctx.theme);
  const placed = placeColumns(o.cols, o.width);
  const out: Line[] = [o.title];
  if (o.height > 1) out.push(headerLine(placed, o.width));
  const visible = Math.max(0, o.height - 2);
  const end = Math.min(o.rows.length, o.win.from + visible);
  for (let i = o.win.from; i < end; i++) {
    out.push(rowLine(placed, o.rows[i]!, o.width, i === o.win.selected, o.ctx.theme, o.ctx.metrics));
  }
  return out;
}

/** "12 of 340" or "340" when all are shown. */
export function shownOf(shown: number, total: number, grouped: (n: number) => string): string {
  return shown < total ? `${grouped(shown)} of ${grouped(total)}` : grouped(total);
}
