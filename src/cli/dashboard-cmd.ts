/**
 * `wirestat replay FILE` and `wirestat live -i IF` (without --json/--csv): the dashboard. On a
 * terminal, the TUI; otherwise one block of text per second (text-mode.ts), then a last block
 * when the replay ends or the capture is stopped.
 */
import { readFileSync } from 'node:fs';
import { FlowExport } from '../export/flow-export.js';
import { printable } from '../host/sanitize.js';
import { type HostSnapshot, parseSnapshot, SnapshotError } from '../host/snapshot.js';
import { snapshotTaker } from './host-record.js';
import type { FlowSort } from '../stats/dashboard-view.js';
import type { TuiScreen } from '../tui/screen.js';
import { DashboardLoop, type HostSide, noSink, staticHost, textSink } from './dashboard-run.js';
import { type LiveArgs, type LiveIo, LiveSession, recordAlongside, stopCapture, untilStopped } from './live.js';
import { NameCache } from './name-cache.js';
import { ReplayRun } from './replay-run.js';

export interface DashboardIo {
  out: { write(text: string): void; isTTY: boolean; columns?: number };
  err(text: string): void;
}

export interface DisplayOptions {
  sort?: FlowSort;
  /** Seconds between ticks (wall time). */
  interval?: number;
}

/**
 * Reads the host view of a capture: one snapshot document, or several, one per line (what
 * `wirestat compare -i IF -w FILE` writes beside FILE as FILE.host.json: every change of the
 * socket table it saw). Throws SnapshotError (one line, naming the line when there are several).
 */
export function loadHostSnapshots(file: string): HostSnapshot[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SnapshotError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length <= 1) return [parseSnapshot(text, file)];
  return lines.map((l, i) => parseSnapshot(l, `${file}: line ${i + 1}`));
}

/**
 * The host's side while capturing live: a snapshot of this host, taken again after each tick.
 * Only the latest is held here; the loop joins each one into its host view as it comes.
 */
function liveHost(): HostSide {
  let current: readonly HostSnapshot[] = [];
  const refresh = snapshotTaker((s) => (current = [s]));
  refresh();
  return { current: () => current, refresh };
}

/**
 * The text mode: a block per tick until `ended` (the replay's end, the capture's stop), then
 * the last one.
 */
async function runText(loop: DashboardLoop, io: DashboardIo, opts: DisplayOptions, ended: Promise<void>): Promise<number> {
  // The busiest flows first, as iftop -t lists them.
  if (opts.sort === undefined) loop.dashboard.sort = 'rate';
  loop.sink = textSink((t) => io.out.write(t), io.out.columns ?? 160);
  loop.start((opts.interval ?? 1) * 1000);
  try {
    await ended;
  } finally {
    loop.stop();
  }
  loop.tick();
  return 0;
}

/**
 * Puts the TUI on `tui` and makes it the loop's sink: keys pause, sort and filter through the
 * loop, `q` resolves `quitted`. The real start-up path uses it on the terminal; tests on a fake one.
 */
export async function attachTui(loop: DashboardLoop, tui: TuiScreen): Promise<{ quitted: Promise<void> }> {
  const src = loop.src;
  const [{ TuiApp }, { loadLocalNames }] = await Promise.all([import('../tui/app.js'), import('../host/format-sockets.js')]);
  let quit!: () => void;
  const quitted = new Promise<void>((r) => (quit = r));
  const names = loadLocalNames();
  const hosts = new NameCache();
  const app = new TuiApp(
    tui,
    {
      pause: () => {
        src.pause();
        loop.show();
      },
      resume: () => {
        src.resume();
        loop.show();
      },
      setSort: (sort) => {
        loop.dashboard.sort = sort;
        loop.show();
      },
      setFlowFilter: (expr) => {
        try {
          loop.dashboard.setFlowFilter(expr);
        } catch (err) {
          return (err as Error).message;
        }
        loop.show();
        return null;
      },
      setLabelFilter: (f) => {
        loop.dashboard.setLabelFilter(f);
        loop.show();
      },
      showDetail: () => undefined,
      quit: () => quit(),
    },
    // `n`: names from a cache filled in the background (reverse DNS); `p`: /etc/services.
    { lookup: { host: (addr) => hosts.host(addr), service: (port, proto) => names.service(port, proto) } },
  );
  loop.sink = { show: (view) => app.render(view) };
  loop.show();
  return { quitted };
}

/**
 * The TUI on this terminal until `q` (or the capture stops: `ended`, live only). A replay that
 * reaches its end stays on screen, marked finished, until the user quits.
 */
async function runTui(loop: DashboardLoop, opts: DisplayOptions, ended: Promise<void> | null, replayEnded: Promise<void> | null): Promise<number> {
  const { createScreen } = await import('../tui/screen.js');
  const tui = createScreen();
  const { quitted } = await attachTui(loop, tui);
  loop.start((opts.interval ?? 1) * 1000);
  // The end of a replay is shown at once (its last partial second taken), not a second later.
  void replayEnded?.then(() => loop.tick());
  try {
    await (ended ? Promise.race([quitted, ended]) : quitted);
  } finally {
    loop.stop();
    tui.restore();
  }
  return 0;
}

export interface ReplayArgs extends DisplayOptions {
  file: string;
  speed: number | 'max';
  filter?: string;
  /** A host snapshot recorded with the capture, for the local view. */
  snapshot?: string;
  /** --export targets, and the active timeout of what is exported (as the replay runs). */
  export?: readonly string[];
  activeTimeout?: number;
}

export async function runReplayDashboard(args: ReplayArgs, io: DashboardIo): Promise<number> {
  const host = args.snapshot !== undefined ? loadHostSnapshots(args.snapshot) : [];
  const run = new ReplayRun(args.file, { speed: args.speed, ...(args.filter !== undefined ? { filter: args.filter } : {}) });
  // Flows go out as the replay runs, the rest when it ends or the dashboard quits.
  const sinks = args.export?.length ? await (await import('../export/targets.js')).openSinks(args.export) : [];
  const exporter = sinks.length > 0 ? new FlowExport(run.stats.conversations, sinks, { activeTimeout: args.activeTimeout }) : null;
  // The file is opened and the filter compiled before the screen takes the terminal, so a bad
  // argument is a plain line on stderr; read errors later also end the dashboard.
  // The loop exists before the first packet: it takes the rates at each capture second.
  const loop = new DashboardLoop(run, staticHost(host), noSink, args.sort ? { sort: args.sort } : {});
  const done = run.run().then(() => undefined);
  let code: number;
  if (!io.out.isTTY) code = await runText(loop, io, args, done);
  else {
    await Promise.race([done, new Promise((r) => setTimeout(r, 50))]);
    code = await runTui(loop, args, null, done);
  }
  for (const line of (await exporter?.finish()) ?? []) io.err(`${line}\n`);
  // What the reader found wrong (a cut-off last record…), once the screen is given back: the
  // dashboard showed everything before it, as `report` lists it in its header.
  const f = run.fileSummary;
  for (const e of f?.errors ?? []) io.err(`wirestat: ${printable(`${args.file}: byte ${e.offset}: ${e.reason}`)}\n`);
  if (f && f.errorsNotListed > 0) io.err(`wirestat: ${printable(args.file)}: … and ${f.errorsNotListed} more errors\n`);
  return code;
}

export async function runLiveDashboard(args: LiveArgs & DisplayOptions, io: DashboardIo & LiveIo): Promise<number> {
  const session = await LiveSession.start(args, io);
  // With -w FILE, this host's view goes beside the capture (FILE.host.json).
  const recording = recordAlongside(args, io);
  const until = untilStopped(args.duration, io, (stop) => (session.onFailure = stop));
  const loop = new DashboardLoop(session, liveHost(), noSink, args.sort ? { sort: args.sort } : {});
  try {
    // The screen gives the terminal back as soon as the capture is told to stop (a signal,
    // --duration, a failure), before it stops, so the capture's closing lines (its counts, a
    // failure) are printed on the restored screen, not on the alternate one that leaving it erases.
    if (io.out.isTTY) return await runTui(loop, args, until, null);
    // Stopped before the last block, so it is the whole capture's, marked finished.
    return await runText(loop, io, args, until.then(() => session.stop()));
  } finally {
    await stopCapture(session, recording);
  }
}
