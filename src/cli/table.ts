/**
 * Plain-text tables: columns sized to their widest cell, numbers right-aligned, two spaces
 * between columns, no trailing spaces.
 *
 * Every cell passes `cell()` (src/tui/sanitize.ts) here, whatever it holds: no control code
 * point, and exactly one column per character, so padding by length lines the columns up on
 * any terminal (a wide or zero-width character in a process name would shift every column right
 * of it). A cell is cut at MAX_CELL columns: a process name is up to 511 bytes of argv[0] (four
 * columns a byte once escaped) and a crafted host snapshot's strings have no limit, and either
 * would push the table off every screen. Nothing the report itself makes comes near it (an IPv6
 * endpoint with its port is 47); JSON and CSV keep the whole string.
 */
import { cell, fitEnd } from '../tui/sanitize.js';

export type Align = 'l' | 'r';

/** Widest cell, in columns. */
export const MAX_CELL = 64;
const GLYPHS = { ellipsis: '…' };

export function formatTable(header: string[], rows: string[][], align: Align[]): string {
  const shown = rows.map((r) => r.map((c) => fitEnd(cell(c), MAX_CELL, GLYPHS)));
  // A loop, not Math.max(...column): a report lists hundreds of thousands of rows, more
  // arguments than a call may take.
  const widths = header.map((h) => h.length);
  for (const r of shown) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  }
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...shown.map(line)].join('\n');
}
