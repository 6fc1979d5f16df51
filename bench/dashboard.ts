/**
 * The dashboard's cost with 100,000 active conversations (BENCH_DASH_FLOWS): what one tick, one
 * view build and one render (the TUI on a fake 200×60 terminal) take (the TUI does all three
 * once a second), and how many packets a second the tables ingest with and without that
 * happening every wall-clock second on the same thread.
 *
 * Packets are decoded summaries made here, not read from a file: the figure is the stats layer's
 * own (ingest, tick, view), as the live path runs it after decoding. Conversation i is TCP (7 in
 * 10) or UDP between client 10.0.x.y (50,000 of them) and server 198.19.x.y (1,000), packets pick
 * a conversation at random (so the tables are touched all over, as on a busy span port) and
 * alternate directions; the capture clock runs at BENCH_DASH_WIRE_PPS (default 1,000,000) packets
 * per capture second. Every figure is the median of BENCH_DASH_RUNS (default 5) runs; ingest runs
 * with and without ticks alternate so a slow minute of this machine hurts both alike.
 *
 * With a host view (a LocalJoin, as live and replay --host pass one): this host is the first
 * BENCH_DASH_HOST_SERVERS (default 10) servers, a TCP listener on *:443 explains their TCP
 * conversations and nothing their UDP ones (1% of the conversations local, 0.3% unexplained);
 * before each sample a snapshot with one more connected socket is added, as each live second
 * may, so the label cache re-checks the unexplained rows. The first view with the join (every
 * conversation classified once) is timed on its own.
 *
 * The modules are the built ones (dist/), loaded at run time: bench/ compiles on its own.
 */
import { fileURLToPath } from 'node:url';

const FLOWS = Number(process.env.BENCH_DASH_FLOWS ?? 100_000);
const RUNS = Number(process.env.BENCH_DASH_RUNS ?? 5);
const WIRE_PPS = Number(process.env.BENCH_DASH_WIRE_PPS ?? 1_000_000);
/** Packets per ingest run: several wall-clock seconds, so several ticks fall inside it. */
const INGEST_PACKETS = Number(process.env.BENCH_DASH_PACKETS ?? 6_000_000);
const TICK_SAMPLES = Number(process.env.BENCH_DASH_TICKS ?? 15);
const HOST_SERVERS = Number(process.env.BENCH_DASH_HOST_SERVERS ?? 10);

const DIST = new URL('../../dist/', import.meta.url);

/** What the bench uses of the built modules. */
interface Summary {
  ts: number;
  hasTs: boolean;
  caplen: number;
  wirelen: number;
  linktype: number;
  layers: number;
  reason: number;
  hasSrcMac: boolean;
  hasDstMac: boolean;
  srcMacHi: number;
  srcMacLo: number;
  dstMacHi: number;
  dstMacLo: number;
  ipVersion: number;
  src: Uint32Array;
  dst: Uint32Array;
  ipProto: number;
  laterFragment: boolean;
  hasPorts: boolean;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  payloadLen: number;
}
interface Stats {
  packets: number;
  ingest(s: Summary): void;
  conversations: { size: number };
  endpoints: { size: number };
}
interface View {
  conversations: readonly unknown[];
  endpoints: readonly unknown[];
}
interface Join {
  add(host: object): void;
}
interface Dash {
  sort: 'bytes' | 'packets' | 'rate' | 'recent';
  tick(now: number): void;
  view(facts: { source: object; join?: Join | null }): View;
  setFlowFilter(expr: string | null): void;
  setLabelFilter(f: 'host' | 'explained' | 'unexplained' | 'third-party' | null): void;
  labels: { classifications: number };
  conversationWindow: { memoryBytes: number };
  endpointWindow: { memoryBytes: number };
  totalsWindow: { memoryBytes: number };
}
interface Screen {
  app: { render(view: View): void };
}
interface Modules {
  /** The TUI on a fake 200×60 terminal (what a wide terminal draws each second). */
  screen(): Screen;
  PacketSummary: new () => Summary;
  WireStats: new () => Stats;
  Dashboard: new (stats: Stats, opts?: object) => Dash;
  LocalJoin: new () => Join;
  L: Record<string, number>;
}

async function load(): Promise<Modules> {
  const at = (p: string): string => new URL(p, DIST).href;
  type AppCtor = new (tui: unknown, actions: object) => Screen['app'];
  const [summary, wire, dash, app, fake, join] = await Promise.all([
    import(at('decode/summary.js')) as Promise<{ PacketSummary: Modules['PacketSummary']; L: Modules['L'] }>,
    import(at('stats/wire-stats.js')) as Promise<{ WireStats: Modules['WireStats'] }>,
    import(at('stats/dashboard.js')) as Promise<{ Dashboard: Modules['Dashboard'] }>,
    import(at('tui/app.js')) as Promise<{ TuiApp: AppCtor }>,
    import(at('tui/fake-terminal.js')) as Promise<{ fakeTerminal(cols: number, rows: number): { tui: unknown } }>,
    import(at('stats/local-join.js')) as Promise<{ LocalJoin: Modules['LocalJoin'] }>,
  ]);
  const noop = (): null => null;
  const screen = (): Screen => ({
    app: new app.TuiApp(fake.fakeTerminal(200, 60).tui, { pause: noop, resume: noop, setSort: noop, setFlowFilter: noop, setLabelFilter: noop, showDetail: noop, quit: noop }),
  });
  return { screen, PacketSummary: summary.PacketSummary, L: summary.L, WireStats: wire.WireStats, Dashboard: dash.Dashboard, LocalJoin: join.LocalJoin };
}

/** A host snapshot as LocalJoin reads one: the first HOST_SERVERS servers' addresses, a listener on *:443, and `extra` connected sockets. */
function hostSnapshot(time: number, extra: number): object {
  const inet = (proto: string, local: string, remote: string, state: string, stateCode: number, listening: boolean) => ({
    proto,
    local,
    remote,
    state,
    state_code: stateCode,
    listening,
    pid: 1000,
    program: 'server',
  });
  const sockets = [inet('tcp', '0.0.0.0:443', '0.0.0.0:0', 'LISTEN', 10, true)];
  for (let k = 0; k < extra; k++) sockets.push(inet('tcp', `198.19.0.1:${20000 + k}`, `192.0.2.1:${30000 + k}`, 'ESTABLISHED', 1, false));
  const ipv4 = Array.from({ length: HOST_SERVERS }, (_, i) => ({ address: `198.19.${i >> 8}.${i & 0xff}`, prefix_length: 16 }));
  return { time, interfaces: [{ name: 'eth0', ipv4, ipv6: [] }], sockets };
}

const SOURCE = { kind: 'live', name: 'bench', linktype: 'EN10MB', promiscuous: true, filter: null, speed: null, paused: false, finished: false };
const CLIENTS = 50_000;
const SERVERS = 1_000;
const TCP_SHARE = 7;
const ACK = 0x10;
const SYN = 0x02;

/** Fills `s` with packet `p` of conversation `i` (even p: client to server). */
class Packets {
  private x = 0x5eed;
  constructor(
    private readonly m: Modules,
    private readonly s: Summary,
  ) {
    s.hasTs = true;
    s.linktype = 1;
    s.reason = 0;
    s.hasSrcMac = s.hasDstMac = true;
    s.srcMacHi = s.dstMacHi = 0x0200;
    s.ipVersion = 4;
    s.laterFragment = false;
    s.hasPorts = true;
  }

  rand(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }

  fill(i: number, fromClient: boolean, ts: number, first: boolean): Summary {
    const s = this.s;
    const tcp = i % 10 < TCP_SHARE;
    const client = (0x0a000000 + (i % CLIENTS)) >>> 0;
    const server = (0xc6130000 + (i % SERVERS)) >>> 0;
    const cport = 1024 + Math.floor(i / CLIENTS);
    const sport = tcp ? 443 : 53;
    s.ts = ts;
    s.src[0] = fromClient ? client : server;
    s.dst[0] = fromClient ? server : client;
    s.srcPort = fromClient ? cport : sport;
    s.dstPort = fromClient ? sport : cport;
    s.srcMacLo = fromClient ? 1 : 2;
    s.dstMacLo = fromClient ? 2 : 1;
    s.ipProto = tcp ? 6 : 17;
    s.layers = this.m.L.ETHERNET! | this.m.L.IPV4! | (tcp ? this.m.L.TCP! : this.m.L.UDP!);
    s.tcpFlags = tcp ? (first ? SYN : ACK) : 0;
    s.payloadLen = (i * 37) % 1400;
    s.wirelen = s.caplen = 54 + s.payloadLen;
    return s;
  }
}

export interface DashboardBench {
  flows: number;
  endpoints: number;
  windowMb: number;
  tickMs: number[];
  viewMs: Record<string, number[]>;
  ingestPps: number[];
  ingestTickedPps: number[];
  /** Drawing one view on a 200×60 screen. */
  renderMs: number[];
  /** The first view with a host join: every conversation classified. */
  firstJoinMs: number;
  /** classify calls per host-view sample (the re-checks a new socket causes). */
  reclassified: number[];
  ticksPerRun: number[];
  /** Share of the ticked runs' time spent in tick + view. */
  tickShare: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export async function benchDashboard(): Promise<DashboardBench> {
  const m = await load();
  const stats = new m.WireStats();
  const dash = new m.Dashboard(stats);
  const { app } = m.screen();
  const gen = new Packets(m, new m.PacketSummary());
  let p = 0;
  const clock = (): number => 1_700_000_000 + p / WIRE_PPS;
  // Every conversation opens (client SYN), so all FLOWS are in the table and active.
  for (let i = 0; i < FLOWS; i++, p++) stats.ingest(gen.fill(i, true, clock(), true));
  dash.tick(Math.floor(clock()) + 1);
  const ingest = (n: number, everyMs: number | null): { pps: number; ticks: number; tickShare: number } => {
    let ticks = 0;
    let inTicks = 0;
    const t0 = now();
    let next = everyMs === null ? Infinity : t0 + everyMs;
    for (let k = 0; k < n; k++, p++) {
      const r = gen.rand();
      stats.ingest(gen.fill(r % FLOWS, (r & 0x80000000) === 0, clock(), false));
      if ((k & 0xfff) === 0 && now() >= next) {
        // The TUI's tick on the same thread: the capture clock's time, a new view, drawn.
        const t1 = now();
        dash.tick(clock());
        app.render(dash.view({ source: SOURCE }));
        inTicks += now() - t1;
        ticks++;
        next += everyMs!;
      }
    }
    const ms = now() - t0;
    return { pps: n / (ms / 1000), ticks, tickShare: inTicks / ms };
  };

  // Warm-up: JIT and tables.
  ingest(Math.min(INGEST_PACKETS, 1_000_000), 1000);

  const out: DashboardBench = {
    flows: stats.conversations.size,
    endpoints: 0,
    windowMb: 0,
    tickMs: [],
    viewMs: {},
    ingestPps: [],
    ingestTickedPps: [],
    renderMs: [],
    firstJoinMs: 0,
    reclassified: [],
    ticksPerRun: [],
    tickShare: [],
  };
  const join = new m.LocalJoin();
  join.add(hostSnapshot(clock(), 0));
  const tj = now();
  dash.view({ source: SOURCE, join });
  out.firstJoinMs = now() - tj;
  // Tick + view: a capture second of traffic (WIRE_PPS / 10 packets: keep the run short) between samples.
  const views: [string, () => void][] = [
    ['sort bytes', () => ((dash.sort = 'bytes'), dash.setFlowFilter(null))],
    ['sort rate (10 s)', () => ((dash.sort = 'rate'), dash.setFlowFilter(null))],
    ['sort recent', () => ((dash.sort = 'recent'), dash.setFlowFilter(null))],
    ["filter 'host 10.0.1.1' (matches 2)", () => ((dash.sort = 'bytes'), dash.setFlowFilter('host 10.0.1.1'))],
    ["filter 'tcp and port 443'", () => ((dash.sort = 'rate'), dash.setFlowFilter('tcp and port 443'))],
  ];
  // With the host join: a view after a snapshot added one socket, then label filters.
  const hostViews: [string, () => void][] = [
    ['host view, one more socket, sort bytes', () => ((dash.sort = 'bytes'), dash.setFlowFilter(null), dash.setLabelFilter(null))],
    ["host view, labels 'unexplained'", () => dash.setLabelFilter('unexplained')],
    ["host view, labels 'third-party', sort rate", () => ((dash.sort = 'rate'), dash.setLabelFilter('third-party'))],
    ["host view, labels 'host' and filter 'tcp'", () => ((dash.sort = 'bytes'), dash.setFlowFilter('tcp'), dash.setLabelFilter('host'))],
  ];
  for (const [name] of [...views, ...hostViews]) out.viewMs[name] = [];
  for (let i = 0; i < TICK_SAMPLES; i++) {
    ingest(WIRE_PPS / 10, null);
    const t0 = now();
    dash.tick(clock());
    out.tickMs.push(now() - t0);
    join.add(hostSnapshot(clock(), i + 1));
    const before = dash.labels.classifications;
    for (const [name, set, withJoin] of [...views.map(([n, f]) => [n, f, false] as const), ...hostViews.map(([n, f]) => [n, f, true] as const)]) {
      set();
      const t1 = now();
      const v = dash.view({ source: SOURCE, join: withJoin ? join : null });
      out.viewMs[name]!.push(now() - t1);
      if (name === hostViews[0]![0]) out.reclassified.push(dash.labels.classifications - before);
      if (name === 'sort bytes') {
        const t2 = now();
        app.render(v);
        out.renderMs.push(now() - t2);
      }
    }
  }
  dash.sort = 'bytes';
  dash.setFlowFilter(null);
  dash.setLabelFilter(null);
  out.endpoints = stats.endpoints.size;
  out.windowMb = (dash.conversationWindow.memoryBytes + dash.endpointWindow.memoryBytes + dash.totalsWindow.memoryBytes) / 1e6;

  for (let r = 0; r < RUNS; r++) {
    out.ingestPps.push(ingest(INGEST_PACKETS, null).pps);
    const t = ingest(INGEST_PACKETS, 1000);
    out.ingestTickedPps.push(t.pps);
    out.ticksPerRun.push(t.ticks);
    out.tickShare.push(t.tickShare);
  }
  return out;
}

export function printDashboard(r: DashboardBench, write: (s: string) => void): void {
  const ms = (xs: number[]): string => `${median(xs).toFixed(1)} ms (${xs.map((x) => x.toFixed(1)).join(' ')})`;
  const tick = median(r.tickMs);
  write(`${r.flows.toLocaleString('en-US')} conversations, ${r.endpoints.toLocaleString('en-US')} endpoints; rate windows ${r.windowMb.toFixed(1)} MB\n`);
  write(`tick (counters into the windows, endpoint totals): ${ms(r.tickMs)}\n`);
  for (const [name, xs] of Object.entries(r.viewMs)) {
    write(`view, ${name}: ${ms(xs)}; tick + view ${(tick + median(xs)).toFixed(1)} ms\n`);
  }
  write(`host view: the first view with the join (every conversation classified once) ${r.firstJoinMs.toFixed(1)} ms; rows re-checked after each new socket: ${median(r.reclassified)}\n`);
  write(`render (the TUI drawing one view, 200×60): ${ms(r.renderMs)}; tick + view + render ${(tick + median(r.viewMs['sort bytes']!) + median(r.renderMs)).toFixed(1)} ms\n`);
  const plain = median(r.ingestPps);
  const ticked = median(r.ingestTickedPps);
  const pps = (x: number): string => Math.round(x).toLocaleString('en-US');
  write(`ingest without ticks: ${pps(plain)} packets/s (${r.ingestPps.map(pps).join(' ')})\n`);
  write(
    `ingest with tick + view + render each second: ${pps(ticked)} packets/s (${r.ingestTickedPps.map(pps).join(' ')}; ` +
      `${median(r.ticksPerRun)} ticks a run): ${((100 * ticked) / plain).toFixed(1)}% of the rate without\n`,
  );
  write(
    `  of the ticked runs' time, tick + view + render took ${(100 * median(r.tickShare)).toFixed(1)}% ` +
      `(${r.tickShare.map((x) => (100 * x).toFixed(1)).join(' ')}): the rest of the difference is this machine's wandering speed\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printDashboard(await benchDashboard(), (s) => void process.stdout.write(s));
}
