/**
 * The dashboard's reducer: rate windows over the live tables, and the immutable DashboardView the
 * TUI and the text mode render (dashboard-view.ts). Nothing here runs per packet; WireStats counts
 * and this reads its counters on a tick:
 *
 *   const dash = new Dashboard(stats);
 *   … stats.ingest(summary) for every packet …
 *   every second (capture clock): dash.tick(now); render(dash.view({ source }))
 *
 * `tick(now)` takes the counters into the rate windows (window.ts) and the endpoint totals;
 * `view(facts)` sorts, filters and cuts the tables into a new frozen view. The caller runs both in
 * the same turn, with no packet between them, so rates and counters describe the same moment; a
 * view built again between ticks (the sort or the flow filter changed) shows the counters as they
 * are and the last tick's rates and endpoints.
 *
 * Sorting is a selection, not a sort: of 100,000 conversations the view needs the best `rows`,
 * so one pass keeps them in a heap (O(n log rows), typically O(n)) and only those are sorted and
 * formatted. Sort keys (ties go to the conversation seen first):
 *   bytes    both directions' wire bytes;
 *   packets  both directions' packets;
 *   rate     bytes over the last 10 s, both directions: iftop's default sort column (`-o 10s`);
 *   recent   last packet seen (capture clock), latest first.
 * Endpoints follow the same keys, except `recent`, which for them is bytes over the last 2 s
 * (an endpoint has no time of its own): what is active now comes first.
 */
import type { Conversations } from './conversations.js';
import { CF, ROW_F64 } from './conversations.js';
import {
  type DashboardView,
  FLOW_SORTS,
  type FlowSort,
  type LabelFilter,
  RATE_WINDOWS,
  type Rates,
  type ViewConversation,
  type ViewEndpoint,
  type ViewProtocol,
  type ViewSocket,
  type ViewSource,
} from './dashboard-view.js';
import { T } from './endpoints.js';
import { compileFlowFilter, type FlowFilter } from './flow-filter.js';
import type { LocalJoin } from './local-join.js';
import { labelMatches, LocalLabels, localSummary } from './local-labels.js';
import { conversationRow, endpointRow, protocolTable } from './snapshot.js';
import { BYTES, LONGEST_WINDOW, PACKETS, RateWindow } from './window.js';
import type { WireStats } from './wire-stats.js';

/** Conversations in a view: more than a screen holds, so the TUI can scroll without a rebuild. */
export const DEFAULT_ROWS = 200;
export const DEFAULT_ENDPOINTS = 50;
/** The packets/s and bits/s chart: 5 minutes of seconds. */
export const DEFAULT_CHART_SECONDS = 300;
/** The `rate` sort key's window (iftop sorts by its 10 s column by default). */
export const RATE_SORT_WINDOW = 10;
/** The window endpoints' `recent` sort reads. */
const RECENT_WINDOW = 2;
const BITS_PER_BYTE = 8;

export interface DashboardOptions {
  /** Conversations in a view, at most. */
  rows?: number;
  /** Endpoints in a view, at most. */
  endpoints?: number;
  /** Seconds of the chart (and of the totals' history). */
  chartSeconds?: number;
  sort?: FlowSort;
  /** A flow filter to start with (throws FilterError as setFlowFilter does). */
  flowFilter?: string | null;
}

/** What the caller knows and the tables do not. */
export interface ViewFacts {
  source: ViewSource;
  /** Live only: the interface's own counters over the capture, and the estimated loss. */
  nic?: { received: number | null; dropped: number | null; lost: number | null } | null;
  /** With --export: flow-export messages dropped or failed so far (null without export). */
  exportDropped?: number | null;
  /** The host's socket table (the local netstat panel), or null/absent without a local view. */
  sockets?: readonly ViewSocket[] | null;
  /**
   * The host join, when there is a local view: every conversation's label (cached, see
   * local-labels.ts) for the label filter and the `local` summary, and the shown rows' owners.
   * Pass the same object from view to view as snapshots are added to it: another object makes
   * every label be checked again. Absent: `local`, `owner` and `label` are null.
   */
  join?: LocalJoin | null;
}

/** The sort after `s` in FLOW_SORTS (the TUI's sort key cycles through them). */
export function nextSort(s: FlowSort): FlowSort {
  return FLOW_SORTS[(FLOW_SORTS.indexOf(s) + 1) % FLOW_SORTS.length]!;
}

export class Dashboard {
  readonly rows: number;
  readonly endpointRows: number;
  readonly chartSeconds: number;
  sort: FlowSort;
  /** Rates per conversation id, per endpoint id, and of the totals (id 0, with the chart's history). */
  readonly conversationWindow = new RateWindow(LONGEST_WINDOW);
  readonly endpointWindow = new RateWindow(LONGEST_WINDOW);
  readonly totalsWindow: RateWindow;

  private filter: FlowFilter | null = null;
  private labelFilterValue: LabelFilter | null = null;
  /** Every conversation's label under the last view's join. */
  readonly labels: LocalLabels;
  private ticked = false;
  /** Reused between ticks: cumulative counters handed to the windows, sort keys, selections. */
  private convCum = new Float64Array(0);
  private endpointCum = new Float64Array(0);
  private readonly totalsCum = new Float64Array(2);
  private keys: Float64Array = new Float64Array(0);
  /** Endpoint counters at the last tick (Endpoints.totals()). */
  private endpointCounts: Float64Array = new Float64Array(0);
  private endpointCount = 0;

  constructor(
    readonly stats: WireStats,
    opts: DashboardOptions = {},
  ) {
    this.rows = positive(opts.rows ?? DEFAULT_ROWS, 'rows');
    this.endpointRows = positive(opts.endpoints ?? DEFAULT_ENDPOINTS, 'endpoints');
    this.chartSeconds = positive(opts.chartSeconds ?? DEFAULT_CHART_SECONDS, 'chartSeconds');
    this.totalsWindow = new RateWindow(Math.max(LONGEST_WINDOW, this.chartSeconds), 1);
    this.sort = opts.sort ?? 'bytes';
    this.labels = new LocalLabels(stats.conversations);
    // A conversation's rates move with its row; a freed id's history goes with it.
    const w = this.conversationWindow;
    stats.conversations.watch({ moved: (from, to) => w.move(from, to), shrunk: (size, was) => w.clear(size, was) });
    if (opts.flowFilter) this.setFlowFilter(opts.flowFilter);
  }

  /**
   * Sets the flow filter (`/` in the TUI; the capture-filter language, see flow-filter.ts), or
   * clears it with null or an empty expression. Throws FilterError and keeps the old filter when
   * the expression is wrong.
   */
  setFlowFilter(expr: string | null): void {
    this.filter = expr === null ? null : compileFlowFilter(expr);
  }

  get flowFilter(): string | null {
    return this.filter?.expression ?? null;
  }

  /**
   * Shows only the conversations with this label (`l` in the TUI), with the flow filter; null
   * shows all. It applies only to views with a host join (without one no row has a label): a
   * view without carries null.
   */
  setLabelFilter(f: LabelFilter | null): void {
    this.labelFilterValue = f;
  }

  get labelFilter(): LabelFilter | null {
    return this.labelFilterValue;
  }

  /**
   * Takes the tables' counters at `now` (capture clock, seconds) into the rate windows. The
   * history starts at the whole second of the first packet (or at the first tick when none came
   * yet). Time that runs backwards is taken as the last tick's (window.ts).
   */
  tick(now: number): void {
    const s = this.stats;
    const start = !this.ticked && Number.isFinite(s.firstTs) ? Math.floor(s.firstTs) : now;
    this.ticked = true;

    const c = s.conversations;
    const n = c.size;
    if (this.convCum.length < n * 2) this.convCum = new Float64Array(grown(this.convCum.length, n * 2));
    const cum = this.convCum;
    const f = c.table.f64;
    for (let id = 0; id < n; id++) {
      const rf = id * ROW_F64;
      cum[id * 2 + PACKETS] = f[rf + CF.PKTS]! + f[rf + CF.PKTS + 1]!;
      cum[id * 2 + BYTES] = f[rf + CF.BYTES]! + f[rf + CF.BYTES + 1]!;
    }
    this.conversationWindow.tick(now, cum, n, start);

    const counts = s.endpoints.totals(c);
    const m = s.endpoints.size;
    if (this.endpointCum.length < m * 2) this.endpointCum = new Float64Array(grown(this.endpointCum.length, m * 2));
    const ec = this.endpointCum;
    for (let e = 0; e < m; e++) {
      const at = e * T.N;
      ec[e * 2 + PACKETS] = counts[at + T.TX_PKTS]! + counts[at + T.RX_PKTS]!;
      ec[e * 2 + BYTES] = counts[at + T.TX_BYTES]! + counts[at + T.RX_BYTES]!;
    }
    this.endpointWindow.tick(now, ec, m, start);
    this.endpointCounts = counts;
    this.endpointCount = m;

    this.totalsCum[PACKETS] = s.packets;
    this.totalsCum[BYTES] = s.bytes;
    this.totalsWindow.tick(now, this.totalsCum, 1, start);
  }

  /** A new immutable view of the tables as of now, with the last tick's rates. */
  view(facts: ViewFacts): DashboardView {
    const s = this.stats;
    const time = this.ticked ? this.totalsWindow.time : 0;
    const nic = facts.nic ?? null;
    const join = facts.join ?? null;
    // A view without a join reads no label: the cache is kept for the join's next view.
    if (join) this.labels.update(join);
    const view: DashboardView = {
      time,
      source: Object.freeze({ ...facts.source }),
      totals: Object.freeze({
        packets: s.packets,
        bytes: s.bytes,
        rates: rates(this.totalsWindow, 0),
        elapsed: this.ticked && Number.isFinite(s.firstTs) ? Math.max(0, time - s.firstTs) : 0,
        nicReceived: nic?.received ?? null,
        nicDropped: nic?.dropped ?? null,
        exportDropped: facts.exportDropped ?? null,
        lost: nic?.lost ?? null,
      }),
      sort: this.sort,
      conversations: this.conversationRowsView(join),
      conversationsTotal: s.conversations.size,
      flowTable: Object.freeze({ capacity: s.conversations.capacity, evicted: s.conversations.evicted, refused: s.conversations.refused }),
      flowFilter: this.flowFilter,
      labelFilter: join ? this.labelFilterValue : null,
      endpoints: this.endpointRowsView(),
      protocols: protocolRows(s),
      history: Object.freeze({
        pps: Object.freeze(this.totalsWindow.history(0, PACKETS, this.chartSeconds)),
        bps: Object.freeze(this.totalsWindow.history(0, BYTES, this.chartSeconds).map((b) => b * BITS_PER_BYTE)),
      }),
      sockets: facts.sockets ? Object.freeze([...facts.sockets]) : null,
      local: join ? localSummary(s, this.labels, join.quietSockets(s.conversations).length) : null,
    };
    return Object.freeze(view);
  }

  private conversationRowsView(join: LocalJoin | null): readonly ViewConversation[] {
    const c = this.stats.conversations;
    const n = c.size;
    const keys = this.sortKeys(c, n);
    const filter = this.filter;
    const byLabel = join ? this.labelFilterValue : null;
    const codes = this.labels.labels;
    // The label first: a byte read, where the flow filter walks an expression.
    const accept =
      byLabel !== null
        ? filter
          ? (id: number) => labelMatches(byLabel, codes[id]!) && filter.matches(c, id)
          : (id: number) => labelMatches(byLabel, codes[id]!)
        : filter
          ? (id: number) => filter.matches(c, id)
          : null;
    const ids = selectTop(keys, n, this.rows, accept);
    const out: ViewConversation[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const r = conversationRow(c, id);
      const row: ViewConversation = {
        id: c.serial(id),
        proto: r.proto,
        a: r.a,
        b: r.b,
        aToB: Object.freeze(r.a_to_b),
        bToA: Object.freeze(r.b_to_a),
        rates: rates(this.conversationWindow, id),
        firstTs: r.first_ts,
        lastTs: r.last_ts,
        state: r.state,
        history: r.history,
        local: null,
        owner: null,
      };
      if (join) {
        const j = join.explain(c, id);
        row.local = j.local;
        row.owner = j.owner;
        row.label = j.label;
      }
      out[i] = Object.freeze(row);
    }
    return Object.freeze(out);
  }

  /** The current sort's key for every conversation id (greater first). */
  private sortKeys(c: Conversations, n: number): Float64Array {
    if (this.keys.length < n) this.keys = new Float64Array(grown(this.keys.length, n));
    const f = c.table.f64;
    switch (this.sort) {
      case 'bytes':
        for (let id = 0; id < n; id++) this.keys[id] = f[id * ROW_F64 + CF.BYTES]! + f[id * ROW_F64 + CF.BYTES + 1]!;
        break;
      case 'packets':
        for (let id = 0; id < n; id++) this.keys[id] = f[id * ROW_F64 + CF.PKTS]! + f[id * ROW_F64 + CF.PKTS + 1]!;
        break;
      case 'recent':
        for (let id = 0; id < n; id++) this.keys[id] = f[id * ROW_F64 + CF.LAST_TS]!;
        break;
      case 'rate':
        this.keys = this.conversationWindow.sums(BYTES, RATE_SORT_WINDOW, this.keys);
        // Conversations that appeared after the last tick have no rate yet.
        this.keys.fill(0, this.conversationWindow.size, n);
        break;
    }
    return this.keys;
  }

  private endpointRowsView(): readonly ViewEndpoint[] {
    const e = this.stats.endpoints;
    const counts = this.endpointCounts;
    const m = this.endpointCount;
    let keys: Float64Array;
    if (this.sort === 'rate' || this.sort === 'recent') {
      keys = this.endpointWindow.sums(BYTES, this.sort === 'rate' ? RATE_SORT_WINDOW : RECENT_WINDOW, new Float64Array(m));
    } else {
      keys = new Float64Array(m);
      const [tx, rx] = this.sort === 'bytes' ? [T.TX_BYTES, T.RX_BYTES] : [T.TX_PKTS, T.RX_PKTS];
      for (let id = 0; id < m; id++) keys[id] = counts[id * T.N + tx]! + counts[id * T.N + rx]!;
    }
    const ids = selectTop(keys, m, this.endpointRows, null);
    const out: ViewEndpoint[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const r = endpointRow(e, counts, ids[i]!);
      out[i] = Object.freeze({ addr: r.addr, tx: Object.freeze(r.tx), rx: Object.freeze(r.rx), rates: rates(this.endpointWindow, ids[i]!) });
    }
    return Object.freeze(out);
  }
}

/** Series `id`'s rates over RATE_WINDOWS, frozen. */
function rates(w: RateWindow, id: number): Rates {
  const pps = RATE_WINDOWS.map((s) => w.rate(id, PACKETS, s)) as unknown as [number, number, number];
  const bps = RATE_WINDOWS.map((s) => w.rate(id, BYTES, s)) as unknown as [number, number, number];
  return Object.freeze({ pps: Object.freeze(pps), bps: Object.freeze(bps) });
}

/** The report's protocol table (snapshot.ts), in its order: layers first, as a hierarchy reads. */
function protocolRows(stats: WireStats): readonly ViewProtocol[] {
  return Object.freeze(Object.entries(protocolTable(stats)).map(([name, c]) => Object.freeze({ name, packets: c.packets, bytes: c.bytes })));
}

/**
 * The `k` ids of 0..n-1 with the greatest `key` (ties: the smaller id) that `accept` takes (all
 * when null), best first. One pass with a heap of the k best so far, whose root is the worst of
 * them: an id that does not beat the root costs one comparison, and `accept` runs only for ids
 * that would enter.
 */
export function selectTop(key: Float64Array, n: number, k: number, accept: ((id: number) => boolean) | null): number[] {
  const heap = new Int32Array(Math.max(0, Math.min(k, n)));
  const cap = heap.length;
  let size = 0;
  // a is worse than b: a smaller key, or the same key and a later id.
  const worse = (a: number, b: number): boolean => key[a]! < key[b]! || (key[a] === key[b] && a > b);
  const siftDown = (at: number): void => {
    const x = heap[at]!;
    for (;;) {
      const l = at * 2 + 1;
      if (l >= size) break;
      const r = l + 1;
      const w = r < size && worse(heap[r]!, heap[l]!) ? r : l;
      if (!worse(heap[w]!, x)) break;
      heap[at] = heap[w]!;
      at = w;
    }
    heap[at] = x;
  };
  for (let id = 0; id < n && cap > 0; id++) {
    if (size === cap) {
      // Ids arrive in increasing order, so a tie with the root never beats it.
      if (!(key[id]! > key[heap[0]!]!)) continue;
      if (accept && !accept(id)) continue;
      heap[0] = id;
      siftDown(0);
      continue;
    }
    if (accept && !accept(id)) continue;
    let at = size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!worse(id, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = id;
  }
  const out = Array.from(heap.subarray(0, size));
  out.sort((a, b) => key[b]! - key[a]! || a - b);
  return out;
}

function positive(v: number, name: string): number {
  if (!(v >= 1) || !Number.isInteger(v)) throw new Error(`dashboard: ${name} must be a positive integer, not ${v}`);
  return v;
}

function grown(have: number, need: number): number {
  return Math.max(need, Math.ceil(have * 1.5));
}
