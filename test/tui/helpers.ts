/**
 * Test doubles and golden files for the screen tests.
 *
 * Golden files: fixtures/tui/NAME.txt hold the whole screen as plain text (one line per row,
 * trailing spaces trimmed). To rewrite them after an intended change:
 *
 *     UPDATE_GOLDEN=1 npx tap test/tui/*.test.ts     # then review: git diff fixtures/tui
 *
 * Nothing needs scrubbing: the screen shows only times from the view (the capture clock, in
 * UTC), never the machine's clock or time zone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { DashboardView, FlowSort, LabelFilter } from '../../src/stats/dashboard-view.js';
import { type Actions, TuiApp, type TuiOptions } from '../../src/tui/app.js';
import { fakeTerminal, type FakeTerminal } from '../../src/tui/fake-terminal.js';
import type { ScreenOptions } from '../../src/tui/screen.js';
import { hasLabel, sortBy } from './views.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOLDEN = join(ROOT, 'fixtures', 'tui');

export function golden(t: Test, name: string, actual: string): void {
  const file = join(GOLDEN, `${name}.txt`);
  const text = `${actual}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    t.pass(`${name}: golden file written`);
    return;
  }
  if (!existsSync(file)) {
    t.fail(`${name}: no golden file fixtures/tui/${name}.txt; run UPDATE_GOLDEN=1 npx tap test/tui/*.test.ts and review it`);
    return;
  }
  t.equal(text, readFileSync(file, 'utf8'), `${name} matches fixtures/tui/${name}.txt (UPDATE_GOLDEN=1 rewrites it)`);
}

/**
 * The owner, as the CLI will be: it keeps the full view, applies sort and filter itself, and
 * hands the TUI a new view after every action (synchronously, as a real owner may).
 * The filter language here is a stand-in for `-f`: `host A`, `port N`, `tcp`, `udp`, `icmp`,
 * joined by `and`.
 */
export class FakeOwner implements Actions {
  readonly calls: string[] = [];
  app: TuiApp | null = null;
  sort: FlowSort;
  filter: string | null;
  labels: LabelFilter | null = null;
  paused: boolean;
  quitCalls = 0;

  constructor(private base: DashboardView) {
    this.sort = base.sort;
    this.filter = base.flowFilter;
    this.paused = base.source.paused;
  }

  view(): DashboardView {
    const b = this.base;
    let rows = sortBy(b.conversations, this.sort);
    const match = this.filter === null ? null : compile(this.filter);
    if (match) rows = rows.filter((c) => match(c.proto, c.a, c.b));
    // As the dashboard: the label filter applies only with a host view.
    const labels = b.local === null ? null : this.labels;
    rows = rows.filter((c) => hasLabel(c, labels));
    return { ...b, sort: this.sort, flowFilter: this.filter, labelFilter: labels, conversations: rows, source: { ...b.source, paused: this.paused } };
  }

  private push(): void {
    this.app?.render(this.view());
  }
  pause(): void {
    this.calls.push('pause');
    this.paused = true;
    this.push();
  }
  resume(): void {
    this.calls.push('resume');
    this.paused = false;
    this.push();
  }
  setSort(sort: FlowSort): void {
    this.calls.push(`sort ${sort}`);
    this.sort = sort;
    this.push();
  }
  setFlowFilter(expr: string | null): string | null {
    this.calls.push(`filter ${expr}`);
    if (expr !== null && compile(expr) === null) return `filter: cannot parse "${expr}" (expected host, port, tcp, udp, icmp)`;
    this.filter = expr;
    this.push();
    return null;
  }
  setLabelFilter(f: LabelFilter | null): void {
    this.calls.push(`labels ${f}`);
    this.labels = f;
    this.push();
  }
  showDetail(id: number | null): void {
    this.calls.push(`detail ${id}`);
  }
  quit(): void {
    this.calls.push('quit');
    this.quitCalls++;
  }
}

type Match = (proto: string, a: string, b: string) => boolean;

function hostOf(e: string): string {
  if (e.startsWith('[')) return e.slice(1, e.indexOf(']'));
  const parts = e.split(':');
  return parts.length === 2 ? parts[0]! : e;
}
function portOf(e: string): string | null {
  const i = e.lastIndexOf(':');
  return e.startsWith('[') || e.split(':').length === 2 ? e.slice(i + 1) : null;
}

function compile(expr: string): Match | null {
  const words = expr.trim().split(/\s+/);
  const terms: Match[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'and') continue;
    if (w === 'host' && words[i + 1]) {
      const h = words[++i]!;
      terms.push((_p, a, b) => hostOf(a) === h || hostOf(b) === h);
    } else if (w === 'port' && words[i + 1]) {
      const n = words[++i]!;
      terms.push((_p, a, b) => portOf(a) === n || portOf(b) === n);
    } else if (['tcp', 'udp', 'icmp'].includes(w)) {
      terms.push((p) => p === w);
    } else return null;
  }
  return (p, a, b) => terms.every((m) => m(p, a, b));
}

export interface Rig extends FakeTerminal {
  app: TuiApp;
  owner: FakeOwner;
  /** Type bytes, then return the screen's text. */
  keys(...bytes: string[]): string;
}

/** A TUI on a fake terminal of `cols`×`rows`, owned by a FakeOwner of `view`, first frame drawn. */
export function rig(view: DashboardView, cols: number, rows: number, o: { screen?: ScreenOptions; app?: TuiOptions } = {}): Rig {
  const term = fakeTerminal(cols, rows, o.screen);
  const owner = new FakeOwner(view);
  const app = new TuiApp(term.tui, owner, o.app);
  owner.app = app;
  app.render(owner.view());
  return {
    ...term,
    app,
    owner,
    keys(...bytes: string[]): string {
      for (const b of bytes) term.input.send(b);
      return term.text();
    },
  };
}

/** Names the tests resolve: some plain, one hostile, one very long, one wide. */
export const NAMES: Record<string, string> = {
  '203.0.113.5': 'www.example.com',
  '198.18.0.10': 'sensor.lab.example',
  '198.18.0.1': 'resolver.lab.example',
  '2001:db8:ffff::443': 'v6.example.net',
  '192.0.2.66': '\x1b[31mevil\x07.example\x1b[0m',
  '198.18.0.42': `${'very-long-label-'.repeat(15)}.example`,
  '198.18.0.43': '例え.テスト',
};

const SERVICES: Record<string, string> = { 'tcp/443': 'https', 'tcp/80': 'http', 'tcp/22': 'ssh', 'udp/53': 'domain', 'tcp/23': 'telnet', 'udp/5353': 'mdns' };

/** A NameLookup as the owner gives one: a cache of host names, /etc/services. */
export const lookup = {
  host: (addr: string): string | null => NAMES[addr] ?? null,
  service: (port: number, proto: 'tcp' | 'udp'): string | undefined => SERVICES[`${proto}/${port}`],
};
