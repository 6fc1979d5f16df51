/**
 * The dashboard's view: what the TUI (src/tui) and the line-per-second text mode render, and
 * nothing else. Built on each tick from the live tables (src/stats/dashboard.ts) and never
 * changed afterwards: the screen may take its time with one while capture and counting go on.
 *
 * Units: times are seconds on the capture's clock (a replay's rates are the wire's rates);
 * rates are per second over the named window; bytes are wire bytes. Addresses and names are
 * plain strings as they came from the wire or /proc: the renderer passes every one through its
 * sanitiser (no control bytes, bounded width) before it reaches the terminal.
 */

/** The rate windows, in seconds, as iftop shows them. */
export const RATE_WINDOWS = [2, 10, 40] as const;

export type FlowSort = 'bytes' | 'packets' | 'rate' | 'recent';
export const FLOW_SORTS: readonly FlowSort[] = ['bytes', 'packets', 'rate', 'recent'];

/**
 * Which conversations the flows show by the host join's label (local-join.ts): those with an end
 * on this host (`host`: explained and unexplained), one label, or all (null).
 */
export type LabelFilter = 'host' | 'explained' | 'unexplained' | 'third-party';
/** In the order the TUI's `l` cycles them, all (null) first. */
export const LABEL_FILTERS: readonly (LabelFilter | null)[] = [null, 'host', 'explained', 'unexplained', 'third-party'];

/** Packets and bytes per second over 2, 10 and 40 s, newest window first. */
export interface Rates {
  pps: readonly [number, number, number];
  /** Bytes per second (not bits: `DashboardView.history.bps` is the one in bits). */
  bps: readonly [number, number, number];
}

export interface ViewSource {
  kind: 'live' | 'replay';
  /** Interface or file. */
  name: string;
  linktype: string;
  /** Live: the capture is promiscuous (cap always is); null on replay. */
  promiscuous: boolean | null;
  filter: string | null;
  /** Replay pacing: a factor of the recorded speed, or 'max'; null live. */
  speed: number | 'max' | null;
  paused: boolean;
  /** Replay: the whole file has been read. */
  finished: boolean;
}

export interface ViewTotals {
  packets: number;
  bytes: number;
  rates: Rates;
  /** Seconds since the first packet (capture clock); 0 before it. */
  elapsed: number;
  /** Live: what the interface received and dropped over the capture, and the estimated loss. */
  nicReceived: number | null;
  nicDropped: number | null;
  lost: number | null;
  /** With --export: flow-export messages dropped (queue full) or failed; null without export. */
  exportDropped: number | null;
}

export interface ViewConversation {
  /** Its serial number (Conversations.serial), stable while the conversation is held: the
   *  detail view and the selection follow it. */
  id: number;
  proto: string;
  /** Originator and responder, as in the report: "198.18.0.1:80", "[2001:db8::1]:443", "198.18.0.9". */
  a: string;
  b: string;
  aToB: { packets: number; bytes: number };
  bToA: { packets: number; bytes: number };
  rates: Rates;
  firstTs: number | null;
  lastTs: number | null;
  state: string | null;
  history: string | null;
  /** Whether a host-side socket explains it: true / false, or null without a local view. */
  local: boolean | null;
  /** The local socket's owner, when known ("1234/curl"). */
  owner: string | null;
  /**
   * The host join's label (local-join.ts): explained (then `local` is true), unexplained (an end
   * on this host, no socket), third-party; absent or null without a local view.
   */
  label?: 'explained' | 'unexplained' | 'third-party' | null;
}

export interface ViewEndpoint {
  addr: string;
  tx: { packets: number; bytes: number };
  rx: { packets: number; bytes: number };
  rates: Rates;
}

export interface ViewProtocol {
  name: string;
  packets: number;
  bytes: number;
}

/** One row of the local netstat panel (the host's own socket table). */
export interface ViewSocket {
  proto: string;
  local: string;
  remote: string;
  state: string;
  /** "PID/program", or "-" as netstat prints it. */
  owner: string;
  /** Wire bytes of the conversation this socket was matched to, or null when none was seen. */
  wireBytes: number | null;
}

export interface ViewLabelCount {
  conversations: number;
  packets: number;
  bytes: number;
}

/**
 * The wire beside the host's sockets, counted as the report's `local` section counts them
 * (local-report.ts): every conversation by its label, the shares, and the quiet sockets.
 */
export interface ViewLocal {
  /** Every wire packet and byte (packets outside conversations, ARP and non-IP, count only here). */
  wire: { packets: number; bytes: number };
  /** Conversations with an end on this host (explained and unexplained). */
  host: { packets: number; bytes: number };
  explained: ViewLabelCount;
  unexplained: ViewLabelCount;
  thirdParty: ViewLabelCount;
  /** Shares (0..1) of the wire, and of the host's own traffic; null when the whole is zero. */
  share: {
    hostPackets: number | null;
    hostBytes: number | null;
    explainedPackets: number | null;
    explainedBytes: number | null;
    explainedOfHostPackets: number | null;
    explainedOfHostBytes: number | null;
  };
  /** Established connections of the newest socket table whose conversation the wire never showed. */
  quietSockets: number;
}

export interface DashboardView {
  /** Capture-clock time of this view. */
  time: number;
  source: ViewSource;
  totals: ViewTotals;
  sort: FlowSort;
  /** The rows after sorting and the flow filter, at most the view's row limit. */
  conversations: readonly ViewConversation[];
  /** Conversations before the flow filter and the row limit. */
  conversationsTotal: number;
  /** The flow table when it filled (README, "Flow table"): conversations evicted, packets of
   *  new ones refused; both 0 until it does. */
  flowTable: { capacity: number; evicted: number; refused: number };
  /** The flow filter in force (`/` in the TUI), or null. */
  flowFilter: string | null;
  /** The label filter in force (`l` in the TUI), or null: always null without a host view. */
  labelFilter: LabelFilter | null;
  endpoints: readonly ViewEndpoint[];
  protocols: readonly ViewProtocol[];
  /** Packets/s and bits/s, one value per second, oldest first (the chart). */
  history: { pps: readonly number[]; bps: readonly number[] };
  /** The host's sockets, or null when there is no local view (a replay without a snapshot). */
  sockets: readonly ViewSocket[] | null;
  /** The wire beside the host's sockets, or null without a host view. */
  local: ViewLocal | null;
}
