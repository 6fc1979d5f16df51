/** Counts by name, and a few kept examples of each failure kind, for the run's report. */

export class Tally {
  readonly counts = new Map<string, number>();

  add(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  /** Highest count first, ties by name, so two runs of one seed print the same text. */
  sorted(): [string, number][] {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

/** One failing input, kept whole so it can be replayed and turned into a regression test. */
export interface Failure {
  kind: string;
  detail: string;
  /** The mutated bytes (a frame or, for files, a file), hex. Files keep their length only. */
  hex: string;
  linktype?: number;
  wirelen?: number;
  iteration: number;
}

/** Failures kept per kind: enough to see a pattern, bounded so a systematic bug cannot flood. */
export const KEPT_FAILURES = 5;

export class Failures {
  readonly list: Failure[] = [];
  readonly byKind = new Tally();

  add(f: Failure): void {
    this.byKind.add(f.kind);
    if (this.byKind.counts.get(f.kind)! <= KEPT_FAILURES) this.list.push(f);
  }

  count(kind: string): number {
    return this.byKind.counts.get(kind) ?? 0;
  }
}
