/**
 * The bench's one table: every figure as the median of its runs, beside the anchor it is
 * measured against in the same run (tcpdump's read as the floor, tshark, netstat, tcpdump's live
 * capture) and the ratio. The sections print their detail as they go; this comes last.
 */

export interface Row {
  figure: string;
  /** The median, formatted. */
  value: string;
  runs: number;
  /** What it is compared with, formatted, or '' for a figure without an anchor (a goal instead). */
  anchor: string;
  ratio: string;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export class Summary {
  readonly rows: Row[] = [];

  add(row: Row): void {
    this.rows.push(row);
  }

  print(write: (s: string) => void): void {
    const head = ['figure', 'median', 'runs', 'anchor (same run)', 'ratio'];
    const lines = this.rows.map((r) => [r.figure, r.value, String(r.runs), r.anchor, r.ratio]);
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    write('\n');
    for (const l of [head, ...lines]) {
      write(l.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n');
    }
  }
}

export const pps = (x: number): string => `${(x / 1e6).toFixed(2)} Mpps`;
export const mb = (x: number): string => `${x.toFixed(0)} MB`;
export const ms = (x: number): string => `${x.toFixed(1)} ms`;
