/**
 * `wirestat replay FILE` and `wirestat live -i IF` (without --json/--csv): the dashboard. On a
 * terminal, the TUI; otherwise one block of text per second (text-mode.ts), then a last block
 * when the replay ends or the capture is stopped.
 */
import { readFileSync } from 'node:fs';
import { type HostSnapshot, parseSnapshot, SnapshotError, takeSnapshot } from '../host/snapshot.js';
import type { FlowSort } from '../stats/dashboard-view.js';
import { DashboardLoop, type DashboardSource, type HostSide, staticHost, textSink, type ViewSink } from './dashboard-run.js';
import { type LiveArgs, type LiveIo, LiveSession } from './live.js';
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

/** Reads a host snapshot (wirestat.snapshot/1) for a replay; throws SnapshotError (one line). */
export function loadHostSnapshot(file: string): HostSnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SnapshotError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return parseSnapshot(text, file);
}

/** The host's view while capturing live: a snapshot of this host, taken again after each tick. */
function liveHost(): HostSide {
  let current: HostSnapshot | null = null;
  let busy = false;
  const refresh = (): void => {
    if (busy) return;
    busy = true;
    takeSnapshot()
      .then((s) => (current = s))
      .catch(() => undefined)
      .finally(() => (busy = false));
  };
  refresh();
  return { current: () => current, refresh };
}

function sinkFor(io: DashboardIo): ViewSink {
  return textSink((t) => io.out.write(t), io.out.columns ?? 160);
}

async function runLoop(src: DashboardSource, host: HostSide, io: DashboardIo, opts: DisplayOptions, until: Promise<void>): Promise<number> {
  // Text mode lists the busiest flows first, as iftop -t does; the TUI starts by bytes.
  const loop = new DashboardLoop(src, host, sinkFor(io), { sort: opts.sort ?? 'rate' });
  loop.start((opts.interval ?? 1) * 1000);
  try {
    await until;
  } finally {
    loop.stop();
  }
  loop.tick(true);
  return 0;
}

export interface ReplayArgs extends DisplayOptions {
  file: string;
  speed: number | 'max';
  filter?: string;
  /** A host snapshot recorded with the capture, for the local view. */
  snapshot?: string;
}

export async function runReplayDashboard(args: ReplayArgs, io: DashboardIo): Promise<number> {
  const host = args.snapshot !== undefined ? loadHostSnapshot(args.snapshot) : null;
  const run = new ReplayRun(args.file, { speed: args.speed, ...(args.filter !== undefined ? { filter: args.filter } : {}) });
  return runLoop(run, staticHost(host), io, args, run.run().then(() => undefined));
}

export async function runLiveDashboard(args: LiveArgs & DisplayOptions, io: DashboardIo & LiveIo): Promise<number> {
  const session = LiveSession.start(args, io);
  const until = new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      resolve();
    };
    io.signals.once('SIGINT', stop);
    io.signals.once('SIGTERM', stop);
    session.onFailure = stop;
    if (args.duration !== undefined) timer = setTimeout(stop, args.duration * 1000);
  });
  try {
    return await runLoop(session, liveHost(), io, args, until);
  } finally {
    session.stop();
  }
}
