/**
 * The dashboard loop shared by `wirestat live` and `wirestat replay`: a source counts packets
 * into its WireStats; once a second (wall time) the loop takes the tables into the rate windows
 * at the source's capture clock, joins the host's sockets, builds one immutable view and hands
 * it to the screen (the TUI) or prints it as a block of text (standard output not a terminal).
 * Nothing here runs in the packet path.
 */
import type { HostSnapshot } from '../host/snapshot.js';
import { Dashboard, type DashboardOptions, type ViewFacts } from '../stats/dashboard.js';
import type { DashboardView, ViewSource } from '../stats/dashboard-view.js';
import { LocalJoin } from '../stats/local-join.js';
import type { WireStats } from '../stats/wire-stats.js';
import { formatTick } from './text-mode.js';

/** What the loop needs of a live capture or a replay. */
export interface DashboardSource {
  readonly stats: WireStats;
  /** The capture clock (seconds); NaN before the first packet. */
  captureNow(): number;
  source(): ViewSource;
  /** Live: the interface's counters over the capture and the estimated loss. */
  nic(): ViewFacts['nic'];
  /** With --export: messages dropped or failed so far. */
  exportDropped?(): number | null;
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /**
   * A replay that takes the rates itself: set by the loop, called at each whole capture second
   * (see ReplayRun.onSecond). Absent: the loop takes them at the capture clock on each tick.
   */
  onSecond?: ((second: number) => void) | null;
}

/**
 * The host's side: snapshots taken now (live) or those recorded with the capture (replay). The
 * loop's host view is the union of every snapshot it was ever given (as `compare -i` joins
 * them: a socket seen at any moment explains), so labels only move one way and the label cache
 * (stats/local-labels.ts) re-checks few rows; the socket panel shows the newest table.
 */
export interface HostSide {
  /**
   * The snapshots to join now: live the latest one, on replay every one recorded with the
   * capture; empty when there is none. The same array is returned until it changes; a snapshot
   * already joined is not joined again.
   */
  current(): readonly HostSnapshot[];
  /** Asks for a fresh one (live: taken in the background; replay: nothing to do). */
  refresh(): void;
}

/** A sink that drops views (until the screen is ready). */
export const noSink: ViewSink = { show: () => undefined };

export const staticHost = (snapshots: readonly HostSnapshot[]): HostSide => ({ current: () => snapshots, refresh: () => undefined });

/** Where a view goes on each tick. */
export interface ViewSink {
  show(view: DashboardView): void;
}

/** The text mode's sink: one block per view. */
export function textSink(write: (text: string) => void, width: number): ViewSink {
  return { show: (view) => write(formatTick(view, { width })) };
}

export class DashboardLoop {
  readonly dashboard: Dashboard;
  /** One join for the loop's life, every snapshot added to it: the host view only grows. */
  private join: LocalJoin | null = null;
  private joinedFrom: readonly HostSnapshot[] = [];
  /** Snapshots in the join (weakly: live hands over a new one each second, kept nowhere else). */
  private readonly joined = new WeakSet<HostSnapshot>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly src: DashboardSource,
    readonly host: HostSide,
    /** Where views go; may be set later (the loop must exist before a replay starts reading). */
    public sink: ViewSink,
    opts: DashboardOptions = {},
  ) {
    this.dashboard = new Dashboard(src.stats, opts);
    this.drivenBySource = 'onSecond' in src;
    if (this.drivenBySource) src.onSecond = (second) => this.dashboard.tick(second);
  }

  private readonly drivenBySource: boolean;

  /**
   * One tick: rates at the capture clock (unless the source takes them at each capture second
   * itself), the host join, a view to the sink.
   */
  tick(): DashboardView {
    const now = this.src.captureNow();
    if (!this.drivenBySource && Number.isFinite(now)) this.dashboard.tick(now);
    const view = this.build();
    this.sink.show(view);
    this.host.refresh();
    return view;
  }

  private build(): DashboardView {
    const snap = this.host.current();
    if (snap !== this.joinedFrom) {
      this.joinedFrom = snap;
      for (const s of snap) {
        if (this.joined.has(s)) continue;
        this.joined.add(s);
        (this.join ??= new LocalJoin()).add(s);
      }
    }
    const join = this.join;
    return this.dashboard.view({
      source: this.src.source(),
      nic: this.src.nic(),
      exportDropped: this.src.exportDropped?.() ?? null,
      sockets: join ? join.sockets(this.src.stats.conversations) : null,
      join,
    });
  }

  /** A view of the tables as they are, without taking rates (after a key changed the sort or filter). */
  show(): void {
    this.sink.show(this.build());
  }

  /** Ticks every `ms` of wall time until stop(). */
  start(ms = 1000): void {
    this.timer = setInterval(() => this.tick(), ms);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
