/**
 * Plain-text tables: columns sized to their widest cell, numbers right-aligned, two spaces
 * between columns, no trailing spaces. Cells are already sanitised strings.
 */
export type Align = 'l' | 'r';

export function formatTable(header: string[], rows: string[][], align: Align[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
