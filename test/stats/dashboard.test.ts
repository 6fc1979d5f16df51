/**
 * The dashboard view from crafted packets: rates, chart and totals worked out by hand; each sort
 * order; row limits; the flow filter on a set of conversations (and agreeing with the capture
 * filter on a real capture wherever both ask the same question); an immutable view; and a real
 * capture replayed with a tick at each capture-clock second, whose final view agrees with the
 * report.
 */
import { join } from 'node:path';
import t from 'tap';
import { loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import { readCapture } from '../../src/capture/reader.js';
import { CaptureRecord } from '../../src/capture/source.js';
import { compileFilter } from '../../src/decode/filter.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import { Dashboard, type DashboardOptions, nextSort, selectTop } from '../../src/stats/dashboard.js';
import { type DashboardView, FLOW_SORTS, type FlowSort, LABEL_FILTERS } from '../../src/stats/dashboard-view.js';
import { FilterError } from '../../src/stats/flow-filter.js';
import { LocalJoin } from '../../src/stats/local-join.js';
import { LABEL_NAME } from '../../src/stats/local-labels.js';
import { localSection } from '../../src/stats/local-report.js';
import type { HostSnapshot } from '../../src/host/snapshot.js';
import { buildReport } from '../../src/stats/snapshot.js';
import { SecondTicker } from '../../src/stats/window.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { bytes, ethernet, ipv4, ipv6, tcp, TCP_FLAGS, udp } from '../helpers/craft.js';
import { ROOT } from '../helpers/cli.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const DEMO_HOST = join(ROOT, 'fixtures/captures/demo-host.json');
const SOURCE = { kind: 'replay', name: 'x.pcap', linktype: 'EN10MB', promiscuous: null, filter: null, speed: 'max', paused: false, finished: true } as const;
const ETH_IPV4_UDP = 14 + 20 + 8;

const mac = (n: number): string => `02 00 00 00 00 ${n.toString(16).padStart(2, '0')}`;

/** A UDP frame of exactly `len` bytes on the wire. */
function udpFrame(src: string, sport: number, dst: string, dport: number, len: number, srcMac = mac(1), dstMac = mac(2)): Buffer {
  return ethernet(0x0800, ipv4(17, src, dst, udp(sport, dport, Buffer.alloc(len - ETH_IPV4_UDP))), dstMac, srcMac);
}

/** A replay as the TUI runs one: a tick at each capture-clock second (SecondTicker), then ingest. */
class Replay {
  readonly stats = new WireStats();
  readonly dash: Dashboard;
  private readonly ticker = new SecondTicker();
  private readonly summary = new PacketSummary();
  private readonly rec = new CaptureRecord();
  readonly ticks: number[] = [];

  constructor(opts: DashboardOptions = {}) {
    this.dash = new Dashboard(this.stats, opts);
  }

  private tick = (now: number): void => {
    this.ticks.push(now);
    this.dash.tick(now);
  };

  send(ts: number, frame: Buffer): this {
    this.ticker.before(ts, this.tick);
    const rec = this.rec;
    rec.buf = frame;
    rec.offset = 0;
    rec.caplen = rec.wirelen = frame.length;
    rec.linktype = 1;
    rec.tsSec = Math.floor(ts);
    rec.tsNsec = Math.round((ts - Math.floor(ts)) * 1e9);
    decodePacket(rec, this.summary);
    this.stats.ingest(this.summary);
    return this;
  }

  finish(): this {
    this.ticker.finish(this.tick);
    return this;
  }

  view(): DashboardView {
    return this.dash.view({ source: SOURCE });
  }
}

function near(t: Test, got: readonly number[], want: readonly number[], what: string): void {
  t.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => t.ok(Math.abs(g - want[i]!) < 1e-9, `${what}[${i}]: ${g} ≈ ${want[i]}`));
}

t.test('rates, chart and totals of a crafted exchange, by hand', async (t) => {
  const C = '198.18.0.1';
  const S = '198.18.0.2';
  const req = udpFrame(C, 1000, S, 53, 100, mac(1), mac(2));
  const rep = udpFrame(S, 53, C, 1000, 200, mac(2), mac(1));
  const r = new Replay();
  // Second 100: 4 packets, 600 bytes; 101: 1 packet, 100 bytes; 102: none; 103: 2 packets, 400 bytes.
  r.send(100.1, req).send(100.2, rep).send(100.3, req).send(100.4, rep);
  r.send(101.5, req);
  r.send(103.0, rep).send(103.9, rep);
  r.finish();
  t.same(r.ticks, [101, 102, 103, 104], 'a tick at each second crossed, the last after the end');
  const v = r.view();
  t.equal(v.time, 104);
  t.equal(v.totals.packets, 7);
  t.equal(v.totals.bytes, 1100);
  t.ok(Math.abs(v.totals.elapsed - 3.9) < 1e-6, 'elapsed: since the first packet');
  t.same([v.totals.nicReceived, v.totals.nicDropped, v.totals.lost], [null, null, null]);
  // History from second 100 (the first packet's): 4 s of it at 104.
  const pps = [2 / 2, 7 / 4, 7 / 4];
  const bps = [400 / 2, 1100 / 4, 1100 / 4];
  near(t, v.totals.rates.pps, pps, 'totals pps');
  near(t, v.totals.rates.bps, bps, 'totals bytes/s');
  t.same(v.history.pps, [4, 1, 0, 2], 'the chart: packets in each second');
  t.same(v.history.bps, [4800, 800, 0, 3200], 'the chart: bits in each second');

  t.equal(v.conversationsTotal, 1);
  const c = v.conversations[0]!;
  t.match(c, { id: 0, proto: 'udp', a: '198.18.0.1:1000', b: '198.18.0.2:53', state: null, history: null, local: null, owner: null });
  t.same(c.aToB, { packets: 3, bytes: 300 });
  t.same(c.bToA, { packets: 4, bytes: 800 });
  t.equal(c.firstTs, 100.1);
  t.equal(c.lastTs, 103.9);
  near(t, c.rates.pps, pps, 'conversation pps');
  near(t, c.rates.bps, bps, 'conversation bytes/s');

  // Every endpoint (two IPs, two MACs) sent or received each packet.
  t.same(v.endpoints.map((e) => e.addr).sort(), ['02:00:00:00:00:01', '02:00:00:00:00:02', C, S].sort());
  const client = v.endpoints.find((e) => e.addr === C)!;
  t.same([client.tx, client.rx], [{ packets: 3, bytes: 300 }, { packets: 4, bytes: 800 }]);
  for (const e of v.endpoints) {
    near(t, e.rates.pps, pps, `${e.addr} pps`);
    near(t, e.rates.bps, bps, `${e.addr} bytes/s`);
  }
  const report = buildReport(r.stats, { name: 'x', format: 'pcap', linktypes: [1], errors: [], errorsNotListed: 0 });
  t.same(v.protocols, Object.entries(report.protocols).map(([name, n]) => ({ name, ...n })), 'the report protocol table, in its order');
  t.same(v.protocols.map((p) => p.name), ['ethernet', 'ipv4', 'udp']);
});

/**
 * Four conversations whose order differs under each sort (ids in order of first packet):
 *   0: 20 small packets in second 100 (most packets);
 *   1: 2 full-size packets at 100.5 (most bytes);
 *   2: one 100-byte packet a second from 130.5 to 139.5 (the highest 10 s rate at 141);
 *   3: one packet at 140.5 (the most recent).
 */
function sortScene(opts: DashboardOptions = {}): Replay {
  const S = '198.18.0.9';
  const client = (k: number) => `198.18.1.${k}`;
  const frame = (k: number, len: number) => udpFrame(client(k), 1000 + k, S, 53, len, mac(0x10 + k), mac(9));
  const pkts: [number, Buffer][] = [];
  for (let i = 0; i < 20; i++) pkts.push([100 + i * 0.05, frame(0, 60)]);
  pkts.push([100.5, frame(1, 1500)], [100.5, frame(1, 1500)]);
  for (let i = 0; i < 10; i++) pkts.push([130.5 + i, frame(2, 100)]);
  pkts.push([140.5, frame(3, 60)]);
  pkts.sort((x, y) => x[0] - y[0]);
  const r = new Replay(opts);
  for (const [ts, f] of pkts) r.send(ts, f);
  return r.finish();
}

const WANT_ORDER: Record<FlowSort, number[]> = {
  bytes: [1, 0, 2, 3], // 3000, 1200, 1000, 60
  packets: [0, 2, 1, 3], // 20, 10, 2, 1
  rate: [2, 3, 0, 1], // over (131, 141]: 900, 60, 0, 0 (a tie goes to the first seen)
  recent: [3, 2, 0, 1], // last seen 140.5, 139.5, 100.95, 100.5
};

t.test('sort orders: bytes, packets, 10 s rate (as iftop), recent', async (t) => {
  const r = sortScene();
  t.equal(r.dash.sort, 'bytes', 'bytes by default');
  for (const sort of FLOW_SORTS) {
    r.dash.sort = sort;
    const v = r.view();
    t.equal(v.sort, sort);
    t.same(v.conversations.map((c) => c.id), WANT_ORDER[sort], `conversations by ${sort}`);
    // Endpoints: the clients follow the same keys; `recent` for them is the 2 s rate (139, 141]: 2: 100, 3: 60.
    const clients = v.endpoints.filter((e) => e.addr.startsWith('198.18.1.')).map((e) => Number(e.addr.split('.')[3]));
    t.same(clients, sort === 'recent' ? [2, 3, 0, 1] : WANT_ORDER[sort], `client endpoints by ${sort}`);
  }
  r.dash.sort = 'rate';
  const v = r.view();
  near(t, v.conversations[0]!.rates.bps, [100 / 2, 900 / 10, 1000 / 40], 'conversation 2 bytes/s');
  near(t, v.conversations[1]!.rates.pps, [1 / 2, 1 / 10, 1 / 40], 'conversation 3 pps');
  t.same(FLOW_SORTS.map(nextSort), ['packets', 'rate', 'recent', 'bytes'], 'the sort key cycles');
});

t.test('row limits: the first rows of the order; totals count them all', async (t) => {
  const r = sortScene({ rows: 2, endpoints: 3 });
  for (const sort of FLOW_SORTS) {
    r.dash.sort = sort;
    const v = r.view();
    t.same(v.conversations.map((c) => c.id), WANT_ORDER[sort].slice(0, 2), sort);
    t.equal(v.conversationsTotal, 4);
    t.equal(v.endpoints.length, 3);
  }
  t.throws(() => new Dashboard(new WireStats(), { rows: 0 }), /rows must be a positive integer/);
});

t.test('a view built between ticks: counters as they are, rates of the last tick', async (t) => {
  const r = sortScene();
  r.dash.sort = 'rate';
  // A new conversation after the last tick (141), and more packets of conversation 0.
  r.send(141.2, udpFrame('198.18.1.7', 1007, '198.18.0.9', 53, 500, mac(0x17), mac(9)));
  r.send(141.3, udpFrame('198.18.1.0', 1000, '198.18.0.9', 53, 60, mac(0x10), mac(9)));
  const v = r.view();
  t.equal(v.time, 141);
  t.equal(v.conversationsTotal, 5);
  t.same(v.conversations.map((c) => c.id), [2, 3, 0, 1, 4], 'no rate yet for the new one: last, after the ties');
  t.same(v.conversations[4]!.rates, { pps: [0, 0, 0], bps: [0, 0, 0] });
  t.same(v.conversations[4]!.aToB, { packets: 1, bytes: 500 });
  t.same(v.conversations.find((c) => c.id === 0)!.aToB, { packets: 21, bytes: 1260 }, 'counters are current');
  r.dash.tick(142);
  // Over (132, 142]: conversation 2 sent 800 bytes, the new one 500.
  t.same(r.view().conversations.map((c) => c.id).slice(0, 2), [2, 4], 'the next tick rates it');
});

t.test('selectTop equals a full sort, with ties and a predicate', async (t) => {
  let x = 12345;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  for (const n of [0, 1, 7, 100, 1000]) {
    const key = new Float64Array(n);
    for (let i = 0; i < n; i++) key[i] = Math.floor(rand() * 20) - (rand() < 0.05 ? Infinity : 0);
    const accept = (id: number) => id % 3 !== 1;
    for (const k of [0, 1, 5, 64, n, n + 3]) {
      for (const pred of [null, accept]) {
        const all = [...Array(n).keys()].filter((id) => !pred || pred(id));
        all.sort((a, b) => (key[b]! === key[a]! ? a - b : key[b]! > key[a]! ? 1 : -1));
        t.same(selectTop(key, n, k, pred), all.slice(0, k), `n ${n} k ${k}${pred ? ' filtered' : ''}`);
      }
    }
  }
});

/** A set of conversations to filter, named by what they are. */
function filterScene(): { r: Replay; name: Map<number, string> } {
  const { SYN, ACK } = TCP_FLAGS;
  const r = new Replay({ rows: 100 });
  let ts = 100;
  const v4 = (proto: number, src: string, dst: string, l4: Buffer) => r.send((ts += 0.01), ethernet(0x0800, ipv4(proto, src, dst, l4)));
  const v6 = (next: number, src: string, dst: string, l4: Buffer) => r.send((ts += 0.01), ethernet(0x86dd, ipv6(next, src, dst, l4)));
  const echo = (type: number) => bytes(type, 0, '0000 0001 0001');
  v4(6, '198.18.0.1', '198.18.0.2', tcp(40000, 80, SYN)); // t1
  v4(6, '198.18.0.3', '198.18.0.2', tcp(40001, 443, SYN)); // t2
  v4(17, '198.18.0.1', '198.18.1.1', udp(5353, 53, Buffer.alloc(10))); // u1
  v6(6, '2001:db8::1', '2001:db8::2', tcp(40002, 80, SYN)); // t6
  v6(17, '2001:db8::2', '2001:db8::1', udp(546, 547, Buffer.alloc(10))); // u6
  v4(1, '198.18.0.4', '198.18.0.1', echo(8)); // icmp
  v6(58, '2001:db8::1', '2001:db8::2', echo(128)); // icmp6
  // t3: the server's packet comes first, then the client's SYN: the SYN's sender is the originator.
  v4(6, '198.18.0.2', '198.18.0.5', tcp(80, 40003, ACK));
  v4(6, '198.18.0.5', '198.18.0.2', tcp(40003, 80, SYN));
  r.finish();
  const names = ['t1', 't2', 'u1', 't6', 'u6', 'icmp', 'icmp6', 't3'];
  return { r, name: new Map(names.map((n, id) => [id, n])) };
}

const FLOW_CASES: [string, string[]][] = [
  ['host 198.18.0.1', ['t1', 'u1', 'icmp']],
  ['src host 198.18.0.1', ['t1', 'u1']],
  ['dst host 198.18.0.1', ['icmp']],
  ['src host 198.18.0.5', ['t3']],
  ['dst host 198.18.0.5', []],
  ['src and dst host 198.18.0.1', []],
  ['port 80', ['t1', 't6', 't3']],
  ['dst port 80', ['t1', 't6', 't3']],
  ['src port 80', []],
  ['tcp port 80', ['t1', 't6', 't3']],
  ['udp port 80', []],
  ['udp port 53', ['u1']],
  ['port 80 or 443', ['t1', 't2', 't6', 't3']],
  ['portrange 500-600', ['u6']],
  ['src portrange 40001-40003', ['t2', 't6', 't3']],
  ['net 198.18.0.0/24', ['t1', 't2', 'u1', 'icmp', 't3']],
  ['src and dst net 198.18.0.0/24', ['t1', 't2', 'icmp', 't3']],
  ['net 198.18.1', ['u1']],
  ['ip', ['t1', 't2', 'u1', 'icmp', 't3']],
  ['ip6', ['t6', 'u6', 'icmp6']],
  ['tcp', ['t1', 't2', 't6', 't3']],
  ['udp', ['u1', 'u6']],
  ['icmp', ['icmp']],
  ['icmp6', ['icmp6']],
  ['host 2001:db8::1', ['t6', 'u6', 'icmp6']],
  ['src host 2001:db8::2', ['u6']],
  ['net 2001:db8::/32 and udp', ['u6']],
  ['not tcp and not udp', ['icmp', 'icmp6']],
  ['host 198.18.0.2 and not port 443', ['t1', 't3']],
  ['ip6 or (ip and icmp)', ['t6', 'u6', 'icmp', 'icmp6']],
];

t.test('the flow filter on a set of conversations', async (t) => {
  const { r, name } = filterScene();
  t.equal(r.stats.conversations.size, 8);
  for (const [expr, want] of FLOW_CASES) {
    r.dash.setFlowFilter(expr);
    const v = r.view();
    t.equal(v.flowFilter, expr);
    t.equal(v.conversationsTotal, 8, 'the total is before the filter');
    t.same(v.conversations.map((c) => name.get(c.id)).sort(), [...want].sort(), expr);
  }
  r.dash.setFlowFilter('  ');
  t.equal(r.dash.flowFilter, null, 'an empty expression clears it');
  t.equal(r.view().conversations.length, 8);
  r.dash.setFlowFilter('tcp');
  r.dash.setFlowFilter(null);
  t.equal(r.view().flowFilter, null);
});

t.test('the flow filter refuses what has no meaning for a conversation, naming the column', async (t) => {
  const r = new Replay();
  r.dash.setFlowFilter('tcp');
  const cases: [string, number, RegExp][] = [
    ['ether host 02:00:00:00:00:01', 12, /"ether" has no meaning for a conversation/],
    ['tcp and ether src 02:00:00:00:00:01', 19, /"ether"/],
    ['vlan', 1, /"vlan" has no meaning/],
    ['tcp or vlan 10', 8, /"vlan"/],
    ['arp', 1, /"arp" has no meaning/],
    ['not arp', 5, /"arp"/],
    ['arp host 198.18.0.1', 10, /"arp"/],
    ['host', 5, /expected a value/],
    ['tcp[13] & 2 != 0', 4, /not supported/],
  ];
  for (const [expr, column, msg] of cases) {
    const err = (() => {
      try {
        r.dash.setFlowFilter(expr);
      } catch (e) {
        return e;
      }
      return null;
    })();
    t.ok(err instanceof FilterError, `${expr}: a FilterError`);
    t.equal((err as FilterError).column, column, `${expr}: column`);
    t.match((err as FilterError).message, msg, expr);
    t.equal(r.dash.flowFilter, 'tcp', `${expr}: the filter in force stays`);
  }
  t.throws(() => new Dashboard(new WireStats(), { flowFilter: 'vlan' }), FilterError);
});

/** Replays a capture through the pipeline, optionally behind a capture filter, with a replay's ticks. */
async function replayFile(file: string, opts: DashboardOptions = {}, filter?: string, stats = new WireStats(), onTick?: (dash: Dashboard) => void) {
  const dash = new Dashboard(stats, opts);
  const summary = new PacketSummary();
  const ticker = new SecondTicker();
  const f = filter ? compileFilter(filter) : null;
  const ticks: number[] = [];
  const tick = (now: number) => {
    ticks.push(now);
    dash.tick(now);
    onTick?.(dash);
  };
  const source = await readCapture(file, (rec) => {
    if (f && !f.matches(rec)) return;
    ticker.before(rec.ts, tick);
    decodePacket(rec, summary);
    stats.ingest(summary);
  });
  ticker.finish(tick);
  const report = buildReport(stats, { name: file, format: source.format, linktypes: source.linktypes, errors: source.errors, errorsNotListed: source.errorsNotListed });
  return { stats, dash, report, ticks };
}

/** Expressions that ask the same of every packet of a conversation, so flow and packet filters agree. */
const SYMMETRIC = [
  'host 198.18.0.2',
  'host 2001:db8::2',
  'host 198.18.0.1 or host 2001:db8::3',
  'net 198.18.0.0/24',
  'net 2001:db8::/64 and tcp',
  'port 8080',
  'tcp port 8080',
  'udp port 5005',
  'port 8080 or 5005',
  'portrange 5000-6000',
  'tcp',
  'udp',
  'icmp',
  'icmp6',
  'ip',
  'ip6',
  'not tcp',
  'host 198.18.0.1 and not tcp',
  'not (tcp or udp)',
  'ip6 and (icmp6 or udp)',
  'tcp and (port 8080 or port 8081) and host 198.18.0.3',
];

t.test('the flow filter agrees with the capture filter where both ask the same', async (t) => {
  const all = await replayFile(DEMO, { rows: 100_000 });
  const key = (c: { proto: string; a: string; b: string }) => `${c.proto} ${c.a} ${c.b}`;
  for (const expr of SYMMETRIC) {
    const packets = await replayFile(DEMO, {}, expr);
    all.dash.setFlowFilter(expr);
    const flows = all.dash.view({ source: SOURCE }).conversations.map(key).sort();
    const want = packets.report.conversations.map(key).sort();
    t.ok(want.length > 0, `${expr}: the capture has such conversations`);
    t.same(flows, want, expr);
  }
});

t.test('a built view never changes: frozen, and equal to itself after more packets', async (t) => {
  const r = new Replay();
  const before = r.view();
  t.equal(before.time, 0, 'before the first tick');
  t.same(before.totals.rates, { pps: [0, 0, 0], bps: [0, 0, 0] });
  t.same(before.history, { pps: [], bps: [] });
  const f = (k: number) => udpFrame('198.18.0.1', 1000 + k, '198.18.0.2', 53, 100);
  r.send(100.5, f(0)).send(101.5, f(0)).send(101.6, f(1));
  r.dash.tick(102);
  const sockets = [{ proto: 'tcp', local: '198.18.0.1:22', remote: '0.0.0.0:*', state: 'LISTEN', owner: '1/sshd', wireBytes: null }];
  // The host is 198.18.0.1; dig's socket explains the first flow, nothing the second.
  const host = loadHostSnapshots(DEMO_HOST)[1]!;
  host.interfaces = [{ ...host.interfaces[0]!, ipv4: [{ address: '198.18.0.1', prefix_length: 24, broadcast: null, label: 'eth0' }], ipv6: [] }];
  host.sockets = [{ ...host.sockets.find((x) => x.proto === 'tcp')!, proto: 'udp', local: '198.18.0.1:1000', remote: '198.18.0.2:53', state: 'ESTABLISHED', state_code: 1, pid: 42, program: 'dig' } as HostSnapshot['sockets'][number]];
  const v = r.dash.view({
    source: SOURCE,
    nic: { received: 10, dropped: 1, lost: 2 },
    sockets,
    join: new LocalJoin(host),
  });
  const copy = JSON.stringify(v);
  t.same([v.totals.nicReceived, v.totals.nicDropped, v.totals.lost], [10, 1, 2]);
  t.same(v.sockets, sockets);
  t.same(v.conversations.map((c) => [c.id, c.local, c.owner, c.label]), [[0, true, '42/dig', 'explained'], [1, false, null, 'unexplained']]);
  t.equal(v.source.name, 'x.pcap');

  for (let i = 0; i < 50; i++) r.send(102 + i * 0.1, f(i % 5));
  r.dash.tick(107);
  r.dash.sort = 'packets';
  r.dash.setFlowFilter('port 1003');
  sockets.push({ ...sockets[0]! });
  const after = r.dash.view({ source: { ...SOURCE, paused: true } });
  t.not(JSON.stringify(after), copy, 'the new view differs');
  t.equal(JSON.stringify(v), copy, 'the old one does not');

  for (const o of [v, v.source, v.totals, v.totals.rates, v.totals.rates.pps, v.conversations, v.conversations[0], v.conversations[0]!.aToB, v.conversations[0]!.rates.bps, v.endpoints, v.endpoints[0], v.endpoints[0]!.rates, v.protocols, v.protocols[0], v.history, v.history.pps, v.sockets, v.local, v.local!.share]) {
    t.ok(Object.isFrozen(o), 'frozen');
  }
  t.throws(() => (v.conversations as ViewRows).push(v.conversations[0]!), TypeError);
  t.throws(() => {
    (v.totals as { packets: number }).packets = 0;
  }, TypeError);
});
type ViewRows = DashboardView['conversations'][number][];

t.test('a real capture replayed at its own seconds: the final view agrees with the report', async (t) => {
  const { stats, dash, report, ticks } = await replayFile(DEMO, { rows: 100_000, endpoints: 100_000 });
  const v = dash.view({ source: SOURCE });
  const first = Math.floor(report.source.first_ts!);
  const last = Math.floor(report.source.last_ts!);
  t.equal(ticks[ticks.length - 1], last + 1, 'the last tick ends the last second');
  t.ok(ticks.length >= last - first, `a tick at each second (${ticks.length})`);
  t.equal(v.conversationsTotal, report.conversations_total);
  t.equal(v.conversations.length, report.conversations.length);
  const key = (c: { proto: string; a: string; b: string }) => `${c.proto} ${c.a} ${c.b}`;
  const want = new Map(report.conversations.map((c) => [key(c), c]));
  for (const c of v.conversations) {
    const w = want.get(key(c));
    t.ok(w, key(c));
    if (!w) continue;
    t.same([c.aToB, c.bToA, c.firstTs, c.lastTs, c.state, c.history], [w.a_to_b, w.b_to_a, w.first_ts, w.last_ts, w.state, w.history], key(c));
  }
  t.same(v.conversations.map(key), report.conversations.map(key), 'sorted by bytes as the report is');
  t.same(
    v.endpoints.map((e) => [e.addr, e.tx, e.rx]),
    report.endpoints.map((e) => [e.addr, e.tx, e.rx]),
    'endpoints and their order equal the report',
  );
  t.same([v.totals.packets, v.totals.bytes], [report.source.packets, report.source.bytes]);
  t.same(v.protocols, Object.entries(report.protocols).map(([name, n]) => ({ name, ...n })));

  // The chart covers the whole capture (under its 5 minutes): its seconds add up to the totals.
  t.ok(last + 1 - first <= 40, 'the capture is shorter than the longest window');
  t.equal(v.history.pps.length, last + 1 - first);
  t.equal(v.history.pps.reduce((a, b) => a + b, 0), stats.packets, 'chart packets = total packets');
  t.equal(v.history.bps.reduce((a, b) => a + b, 0), stats.bytes * 8, 'chart bits = total bits');
  // So the 40 s rate is every byte over the history's length.
  const span = last + 1 - first;
  t.ok(Math.abs(v.totals.rates.bps[2] * span - stats.bytes) < 1e-6, '40 s bytes/s × history = bytes');
  // And each conversation's 40 s rate is its bytes over the same length.
  for (const c of v.conversations) {
    t.ok(Math.abs(c.rates.bps[2] * span - (c.aToB.bytes + c.bToA.bytes)) < 1e-6, `${key(c)} 40 s rate`);
    t.ok(c.rates.pps.every((r) => r >= 0) && c.rates.bps.every((r) => r >= 0));
  }
});

t.test('the label filter on the demo with its host: rows of that label only, with the flow filter; the summary as the report counts it', async (t) => {
  const { stats, dash } = await replayFile(DEMO, { rows: 100_000 });
  const host = loadHostSnapshots(DEMO_HOST)[1]! /* the one taken half-way */;
  const j = new LocalJoin(host);
  const want = localSection(stats, j);
  const count = { explained: want.explained.conversations, unexplained: want.unexplained.conversations, 'third-party': want.third_party.conversations };

  const all = dash.view({ source: SOURCE, join: j });
  t.equal(all.labelFilter, null);
  t.equal(all.conversations.length, stats.conversations.size, 'no label filter: every row');
  t.same(
    [all.local!.explained, all.local!.unexplained, all.local!.thirdParty, all.local!.quietSockets],
    [want.explained, want.unexplained, want.third_party, want.quiet_sockets.length],
    "the summary: the report's local section",
  );
  t.equal(all.local!.share.explainedOfHostPackets, want.share.explained_of_host_packets);

  for (const f of LABEL_FILTERS) {
    dash.setLabelFilter(f);
    const v = dash.view({ source: SOURCE, join: j });
    t.equal(v.labelFilter, f, `${f}: carried in the view`);
    const labels = new Set(v.conversations.map((c) => c.label));
    const expected = f === null ? stats.conversations.size : f === 'host' ? count.explained + count.unexplained : count[f];
    t.equal(v.conversations.length, expected, `${f}: ${expected} rows`);
    if (f === 'host') t.same([...labels].sort(), ['explained', 'unexplained']);
    else if (f !== null) t.same([...labels], [f], `${f}: only that label`);
    t.equal(v.conversationsTotal, stats.conversations.size, 'the total is before the filters');
  }

  // Both filters: unexplained rows on port 8080 only.
  dash.setLabelFilter('unexplained');
  dash.setFlowFilter('port 8080');
  const both = dash.view({ source: SOURCE, join: j });
  const unexplained8080 = all.conversations.filter((c) => c.label === 'unexplained' && /:8080( |$)/.test(`${c.a} ${c.b}`));
  t.ok(unexplained8080.length > 0, `the demo has ${unexplained8080.length} of them`);
  t.same(
    both.conversations.map((c) => c.id).sort((a, b) => a - b),
    unexplained8080.map((c) => c.id).sort((a, b) => a - b),
    'the label and the flow filter together',
  );

  // Without a host view the label filter is not applied, and the view says so.
  const none = dash.view({ source: SOURCE });
  t.equal(none.labelFilter, null);
  t.equal(none.local, null);
  t.ok(none.conversations.length > both.conversations.length, 'only the flow filter');
  t.ok(none.conversations.every((c) => c.label === undefined && c.local === null));

  // The cache outlives a view without the join: the next view with it classifies nothing.
  const calls = dash.labels.classifications;
  t.equal(calls, want.explained.conversations + want.unexplained.conversations, "every conversation on this host's addresses classified once over all these views");
  dash.view({ source: SOURCE, join: j });
  t.equal(dash.labels.classifications, calls, 'nothing again');
});

t.test('a full flow table while the dashboard runs: labels, rates and rows follow the rows that move', async (t) => {
  const host = loadHostSnapshots(DEMO_HOST)[1]!;
  const j = new LocalJoin(host);
  const stats = new WireStats({ flows: { capacity: 8, whenFull: 'evict' } });
  let bad = 0;
  let views = 0;
  const { dash } = await replayFile(DEMO, { rows: 100 }, undefined, stats, (dash) => {
    const v = dash.view({ source: SOURCE, join: j });
    views++;
    const c = stats.conversations;
    // The cached label of every held row is what classifying it afresh says.
    for (let id = 0; id < c.size; id++) {
      if (LABEL_NAME[dash.labels.labels[id]!] !== j.classifyConversation(c, id).label) bad++;
    }
    // Rows are followed by serial: unique, and no row's 40 s history holds more than its bytes
    // (a row that moved into an evicted one's place must not inherit its history).
    if (new Set(v.conversations.map((r) => r.id)).size !== v.conversations.length) bad++;
    const span = dash.conversationWindow.divisor(40);
    for (const r of v.conversations) if (r.rates.bps[2] * span > r.aToB.bytes + r.bToA.bytes + 1e-6) bad++;
    if (v.flowTable.evicted !== c.evicted || v.flowTable.capacity !== 8) bad++;
  });
  t.ok(stats.conversations.evicted > 50, `${stats.conversations.evicted} evicted over ${views} views`);
  t.equal(bad, 0);
  t.ok(dash.labels.classifications < stats.conversations.tracked * 2, `${dash.labels.classifications} classifications for ${stats.conversations.tracked} conversations`);
});
