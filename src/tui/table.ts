/**
 * Tables of a fixed width: columns fixed or flexible, dropped by priority when the panel is
 * narrow, one space between them. Widths depend on the panel's width only, never on the data,
 * so columns stay put from one tick to the next. Only the rows drawn are formatted: a view of
 * 100,000 conversations costs as much as one of 20.
 */
import { cell, fitEnd, fitMiddle, pad } from './sanitize.js';
import type { Line, Style, Theme } from './theme.js';

export interface Flex {
  min: number;
  max: number;
  weight: number;
}

export interface Column<R> {
  title: string;
  width: number | Flex;
  align: 'l' | 'r';
  /** Lower stays longer: when the columns do not fit, the highest `drop` goes first. */
  drop: number;
  /** The raw cell (sanitised by the table); called only for rows that are drawn. */
  value(row: R, width: number): string;
  /** How a cell too long for its column is cut (default: at the end). */
  cut?: 'end' | 'middle';
  /** A style for this cell of a row that is not selected. */
  style?(row: R): Style | undefined;
}

export interface Placed<R> {
  col: Column<R>;
  width: number;
}

const GAP = 1;

function minWidth(c: Column<unknown>): number {
  return typeof c.width === 'number' ? c.width : c.width.min;
}

/** The columns that fit in `width`, in their order, with their widths. */
export function placeColumns<R>(cols: readonly Column<R>[], width: number): Placed<R>[] {
  const kept = [...cols];
  const need = (): number => kept.reduce((n, c) => n + minWidth(c as Column<unknown>), 0) + GAP * Math.max(0, kept.length - 1);
  while (kept.length > 1 && need() > width) {
    let worst = 0;
    for (let i = 1; i < kept.length; i++) if (kept[i]!.drop >= kept[worst]!.drop) worst = i;
    kept.splice(worst, 1);
  }
  const placed = kept.map((col) => ({ col, width: minWidth(col as Column<unknown>) }));
  let extra = width - need();
  for (;;) {
    const open = placed.filter((p) => typeof p.col.width !== 'number' && p.width < p.col.width.max);
    if (extra <= 0 || open.length === 0) break;
    const weights = open.reduce((n, p) => n + (p.col.width as Flex).weight, 0);
    let given = 0;
    for (const p of open) {
      const f = p.col.width as Flex;
      const share = Math.min(Math.floor((extra * f.weight) / weights), f.max - p.width);
      p.width += share;
      given += share;
    }
    if (given === 0) {
      // Less room left than flexible columns: one column each, in order.
      for (const p of open) {
        if (extra - given <= 0) break;
        p.width++;
        given++;
      }
    }
    extra -= given;
  }
  // A single column wider than the panel is cut to it.
  if (placed.length === 1 && placed[0]!.width > width) placed[0]!.width = Math.max(0, width);
  return placed;
}

export interface TableMetrics {
  /** Rows formatted since the app started (the render-cost tests read it). */
  rowsFormatted: number;
}

function cutCell(s: string, width: number, how: 'end' | 'middle' | undefined, theme: Theme): string {
  return how === 'middle' ? fitMiddle(s, width, theme.glyphs) : fitEnd(s, width, theme.glyphs);
}

/** The column titles, styled as a header. */
export function headerLine<R>(placed: readonly Placed<R>[], width: number): Line {
  const text = placed.map((p) => pad(p.col.title.slice(0, p.width), p.width, p.col.align)).join(' ');
  return [{ text: text.length < width ? text + ' '.repeat(width - text.length) : text.slice(0, width), style: 'header' }];
}

/** One row as a line: cells sanitised, cut and padded; a selected row is one inverse span. */
export function rowLine<R>(placed: readonly Placed<R>[], row: R, width: number, selected: boolean, theme: Theme, metrics: TableMetrics): Line {
  metrics.rowsFormatted++;
  const line: Line = [];
  let used = 0;
  placed.forEach((p, i) => {
    if (i > 0) {
      line.push({ text: ' ' });
      used++;
    }
    const text = pad(cutCell(cell(p.col.value(row, p.width)), p.width, p.col.cut, theme), p.width, p.col.align);
    line.push({ text, style: selected ? undefined : p.col.style?.(row) });
    used += text.length;
  });
  if (selected) {
    const text = line.map((s) => s.text).join('');
    return [{ text: used < width ? text + ' '.repeat(width - used) : text, style: 'selected' }];
  }
  return line;
}

/** The index of the first row drawn so that `selected` is visible, given the previous one. */
export function follow(from: number, selected: number, visible: number, total: number): number {
  if (visible <= 0) return 0;
  let f = from;
  if (selected >= 0) {
    if (selected < f) f = selected;
    if (selected >= f + visible) f = selected - visible + 1;
  }
  return clampFrom(f, visible, total);
}

export function clampFrom(from: number, visible: number, total: number): number {
  return Math.max(0, Math.min(from, total - visible));
}
