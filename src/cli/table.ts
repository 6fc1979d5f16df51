/**
 * Plain-text tables: columns sized to their widest cell, numbers right-aligned, two spaces
 * between columns, no trailing spaces. Cells are already sanitised strings.
 */
export type Align = 'l' | 'r';

export function formatTable(header: string[], rows: string[][], align: Align[]): string {
  // A loop, not Math.max(...column): a report lists hundreds of thousands of rows, more
  // arguments than a call may take.
  const widths = header.map((h) => h.length);
  for (const r of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  }
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
