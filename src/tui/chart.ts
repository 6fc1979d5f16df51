/**
 * Packets/s and bits/s over the last minutes: one column per second, newest at the right, bars
 * in eighths of a row (block characters, `#` and friends on an ASCII terminal). Drawn here rather
 * than with blessed-contrib: its line chart is deterministic but braille (the Linux console has
 * no such glyphs), cannot take our units on its axis, and builds a canvas per frame; its
 * sparkline is one row that does not fit itself to the width.
 */
import { bitsRaw, perSecond } from './format.js';
import { messageLines, type PanelContext, titleLine } from './panel.js';
import { clipLine, type Line, type Theme } from './theme.js';

const AXIS = 7; // "12.3Mb " : the y label and a space

/** Rows of bars for `values` (the last `width` of them, right-aligned), top row first. */
export function bars(values: readonly number[], width: number, rows: number, peak: number, theme: Theme): string[] {
  const out: string[] = [];
  const shown = values.slice(Math.max(0, values.length - width));
  const blank = width - shown.length;
  const levels = shown.map((v) => (peak > 0 && v > 0 ? Math.max(1, Math.round((v / peak) * rows * 8)) : 0));
  for (let r = rows - 1; r >= 0; r--) {
    let line = ' '.repeat(blank);
    for (const l of levels) line += theme.glyphs.blocks[Math.max(0, Math.min(8, l - r * 8))]!;
    out.push(line);
  }
  return out;
}

function peakOf(values: readonly number[], width: number): number {
  let p = 0;
  for (let i = Math.max(0, values.length - width); i < values.length; i++) if (values[i]! > p) p = values[i]!;
  return p;
}

function ageLabel(s: number): string {
  if (s % 60 === 0) return `-${s / 60}m`;
  if (s < 60) return `-${s}s`;
  return `-${Math.floor(s / 60)}m${s % 60}s`;
}

/** The time axis under the bars: a label every so many seconds, `now` at the right. */
export function timeAxis(width: number): string {
  // At most about six labels.
  const step = [10, 30, 60, 120, 300, 600, 1800, 3600].find((s) => width / s <= 6) ?? 3600;
  const chars = Array.from({ length: width }, () => ' ');
  const put = (end: number, text: string): void => {
    const start = end - text.length + 1;
    if (start < 0) return;
    for (let i = 0; i < text.length; i++) chars[start + i] = text[i]!;
  };
  put(width - 1, 'now');
  for (let age = step; age < width; age += step) {
    const col = width - 1 - age;
    const label = ageLabel(age);
    // Keep a space between labels (the one to the right is already placed).
    if (col + 1 < width && chars.slice(col - label.length, col + 2).some((c) => c !== ' ')) continue;
    put(col, label);
  }
  return chars.join('');
}

function series(label: string, values: readonly number[], fmt: (n: number) => string, plot: number, rows: number, theme: Theme): Line[] {
  const peak = peakOf(values, plot);
  const now = values.length > 0 ? values[values.length - 1]! : 0;
  const out: Line[] = [[{ text: `${label}  now ${fmt(now)}  peak ${fmt(peak)}`, style: 'header' }]];
  const b = bars(values, plot, rows, peak, theme);
  b.forEach((row, i) => {
    const y = i === 0 ? fmt(peak) : i === b.length - 1 ? '0' : '';
    out.push([{ text: `${y.padStart(AXIS - 1)} ` }, { text: row, style: 'bar' }]);
  });
  return out;
}

export function renderChart(ctx: PanelContext, width: number, height: number, focused: boolean): Line[] {
  const h = ctx.view.history;
  const title = titleLine('Chart', focused, [{ text: 'one column per second', drop: 1 }], width, ctx.theme);
  if (height <= 0) return [];
  if (h.pps.length === 0 && h.bps.length === 0) return messageLines(title, 'No history yet.', width, height, ctx.theme);
  const plot = Math.max(1, width - AXIS);
  const room = height - 2; // title, time axis
  const out: Line[] = [title];
  if (room >= 4) {
    const ppsRows = Math.floor(room / 2) - 1;
    const bpsRows = room - 2 - ppsRows;
    out.push(...series('packets/s', h.pps, perSecond, plot, ppsRows, ctx.theme));
    out.push(...series('bits/s', h.bps, bitsRaw, plot, bpsRows, ctx.theme));
  } else if (room >= 1) {
    out.push(...series('packets/s', h.pps, perSecond, plot, room - 1, ctx.theme).slice(0, room));
  }
  if (height > out.length) out.push([{ text: ' '.repeat(AXIS) + timeAxis(plot), style: 'dim' }]);
  return out.slice(0, height).map((l) => clipLine(l, width));
}
