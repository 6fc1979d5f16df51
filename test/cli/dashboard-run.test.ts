/**
 * DashboardLoop's host view: the union of every snapshot its HostSide ever gave (as `compare -i`
 * joins them), kept in one LocalJoin, so a socket seen at any moment explains its flow and the
 * label cache re-checks only what can move; the socket panel shows the newest table. The demo
 * capture is counted first; the host side hands over snapshots as a live one does (a new
 * one-element array each time) or as a replay does (one array, all of them).
 */
import { join } from 'node:path';
import t from 'tap';
import { loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import { readCapture } from '../../src/capture/reader.js';
import { DashboardLoop, type DashboardSource, type HostSide, noSink, staticHost } from '../../src/cli/dashboard-run.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import type { HostSnapshot } from '../../src/host/snapshot.js';
import type { DashboardView } from '../../src/stats/dashboard-view.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { ROOT } from '../helpers/cli.js';

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const DEMO_HOST = join(ROOT, 'fixtures/captures/demo-host.json');
/** The demo host half-way (the snapshot these tests start from). */
const HALF_WAY = loadHostSnapshots(DEMO_HOST)[1]!;
type Inet = Extract<HostSnapshot['sockets'][number], { local: string }>;
/** Its one established IPv4 client connection (python3's paced download), and its owner. */
const CLIENT_SOCKET = HALF_WAY.sockets.find((s): s is Inet => s.proto === 'tcp' && s.state === 'ESTABLISHED' && s.local.startsWith('198.18.0.1:'))!;
const CLIENT = CLIENT_SOCKET.local;
const OWNER = `${CLIENT_SOCKET.pid}/${CLIENT_SOCKET.program}`;

async function source(): Promise<DashboardSource> {
  const stats = new WireStats();
  const summary = new PacketSummary();
  let last = NaN;
  await readCapture(DEMO, (rec) => {
    decodePacket(rec, summary);
    stats.ingest(summary);
    last = rec.ts;
  });
  return {
    stats,
    captureNow: () => last,
    source: () => ({ kind: 'live', name: 'test', linktype: 'EN10MB', promiscuous: true, filter: null, speed: null, paused: false, finished: false }),
    nic: () => null,
    pause: () => undefined,
    resume: () => undefined,
    paused: false,
  };
}

/** The demo host, and the same a second later without python3's client socket (it closed). */
function snapshots(): [HostSnapshot, HostSnapshot] {
  const first = HALF_WAY;
  const second = JSON.parse(JSON.stringify(first)) as HostSnapshot;
  second.time = first.time + 1;
  second.sockets = second.sockets.filter((s) => s.proto === 'unix' || s.local !== CLIENT);
  return [first, second];
}

const row = (v: DashboardView) => v.conversations.find((c) => c.a === CLIENT || c.b === CLIENT);

t.test('live: each new snapshot joins the union; labels stay, the panel shows the newest table', async (t) => {
  const src = await source();
  const [first, second] = snapshots();
  let current: readonly HostSnapshot[] = [first];
  const host: HostSide = { current: () => current, refresh: () => undefined };
  const loop = new DashboardLoop(src, host, noSink, { rows: 1000 });
  const labels = loop.dashboard.labels;

  const v1 = loop.tick();
  t.same([row(v1)?.label, row(v1)?.owner], ['explained', OWNER], 'the first snapshot explains the client connection');
  t.ok(v1.sockets!.some((s) => s.local === CLIENT), "its socket in the panel");
  const n = src.stats.conversations.size;
  const onHost = v1.local!.explained.conversations + v1.local!.unexplained.conversations;
  t.equal(labels.classifications, onHost, "every conversation on the host's addresses classified once (the rest by address alone)");

  current = [second];
  const v2 = loop.tick();
  t.same([row(v2)?.label, row(v2)?.owner], ['explained', OWNER], 'the socket is gone from the newest snapshot: the union still explains it');
  t.notOk(v2.sockets!.some((s) => s.local === CLIENT), 'the panel shows the newest table');
  t.same(
    v2.conversations.map((c) => c.label),
    v1.conversations.map((c) => c.label),
    'no label moved',
  );
  t.ok(labels.classifications - onHost < n, `one join, added to: ${labels.classifications - onHost} rows re-checked, not all ${n}`);

  // The same snapshot handed over again (a new array): nothing is joined twice.
  const calls = labels.classifications;
  current = [second];
  loop.tick();
  t.equal(labels.classifications, calls, 'a snapshot already joined changes nothing');
});

t.test('replay: every recorded snapshot joined once, whatever their order', async (t) => {
  const src = await source();
  const [first, second] = snapshots();
  const loop = new DashboardLoop(src, staticHost([second, first]), noSink, { rows: 1000 });
  const v = loop.tick();
  t.equal(row(v)?.label, 'explained', 'the older snapshot explains');
  t.notOk(v.sockets!.some((s) => s.local === CLIENT), 'the panel: the newest by time, not the last given');
  const calls = loop.dashboard.labels.classifications;
  loop.tick();
  loop.show();
  t.equal(loop.dashboard.labels.classifications, calls, 'later views classify nothing again');
});

t.test('no snapshot yet: no host view, then one', async (t) => {
  const src = await source();
  const [first] = snapshots();
  let current: readonly HostSnapshot[] = [];
  const loop = new DashboardLoop(src, { current: () => current, refresh: () => undefined }, noSink);
  const v0 = loop.tick();
  t.same([v0.sockets, v0.local, v0.labelFilter], [null, null, null]);
  current = [first];
  const v1 = loop.tick();
  t.ok(v1.local !== null && v1.local.explained.conversations > 0, 'the first snapshot makes a host view');
});
