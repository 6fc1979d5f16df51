/**
 * The label cache (src/stats/local-labels.ts) against LocalJoin.classify, row by row, on the
 * demo capture and its host snapshot: from a smaller first snapshot, after a second one adds an
 * address and sockets, with conversations arriving between updates, with the join replaced;
 * the work it saves (classify calls) counted; an IPv6 row with IPv4-mapped addresses that a new
 * IPv4 address makes local; and the summary equal to the report's `local` section.
 */
import { join } from 'node:path';
import t from 'tap';
import { loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import { readCapture } from '../../src/capture/reader.js';
import { CaptureRecord } from '../../src/capture/source.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import type { HostSnapshot } from '../../src/host/snapshot.js';
import { LocalJoin } from '../../src/stats/local-join.js';
import { LABEL, LocalLabels, localSummary } from '../../src/stats/local-labels.js';
import { localSection } from '../../src/stats/local-report.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { ethernet, ipv6, udp } from '../helpers/craft.js';
import { ROOT } from '../helpers/cli.js';

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const DEMO_HOST = join(ROOT, 'fixtures/captures/demo-host.json');

const demoHost = (): HostSnapshot => loadHostSnapshots(DEMO_HOST)[1]! /* the one taken half-way */;

/** The demo capture counted; `upTo` packets only when given (the rest with `more`). */
async function demo(upTo = Infinity): Promise<{ stats: WireStats; more: () => Promise<void> }> {
  const stats = new WireStats();
  const summary = new PacketSummary();
  const read = async (from: number, to: number): Promise<void> => {
    let i = 0;
    await readCapture(DEMO, (rec) => {
      if (i >= from && i < to) {
        decodePacket(rec, summary);
        stats.ingest(summary);
      }
      i++;
    });
  };
  await read(0, upTo);
  return { stats, more: () => read(upTo, Infinity) };
}

/** The join's label of every conversation, computed afresh (no cache) as the report's rows are. */
function truth(stats: WireStats, j: LocalJoin): string[] {
  const c = stats.conversations;
  return Array.from({ length: c.size }, (_, id) => j.classifyConversation(c, id).label);
}

/** Rows with an end on this host among `labels` (third-party ones are labelled without classify). */
const onHost = (labels: readonly string[]): number => labels.filter((l) => l !== 'third-party').length;

const cached = (stats: WireStats, labels: LocalLabels): (string | null)[] => Array.from({ length: stats.conversations.size }, (_, id) => labels.label(id));

const tally = (xs: readonly (string | null)[]): Record<string, number> => {
  const n: Record<string, number> = {};
  for (const x of xs) n[String(x)] = (n[String(x)] ?? 0) + 1;
  return n;
};

/**
 * The demo host as it might have looked a moment earlier: without its IPv6 addresses, and
 * without the sockets of the IPv4 conversations to port 8080 and of the listener on 9000.
 */
function earlier(full: HostSnapshot): HostSnapshot {
  const copy = JSON.parse(JSON.stringify(full)) as HostSnapshot;
  copy.time = full.time - 1;
  copy.interfaces = copy.interfaces.map((i) => ({ ...i, ipv6: [] }));
  copy.sockets = copy.sockets.filter((s) => s.proto === 'unix' || (!s.remote.endsWith(':8080') && !s.local.endsWith(':9000')));
  return copy;
}

t.test('the demo: every label equals classify, from a partial snapshot to the full one', async (t) => {
  const { stats, more } = await demo(60);
  const full = demoHost();
  const join = new LocalJoin(earlier(full));
  const labels = new LocalLabels(stats.conversations);

  labels.update(join);
  const first = truth(stats, join);
  t.same(cached(stats, labels), first, `first ${stats.conversations.size} conversations`);
  t.equal(labels.classifications, onHost(first), 'each row with an end on this host classified once, the others by their addresses alone');
  t.ok(onHost(first) < first.length, 'some third-party rows among them');

  const before = labels.classifications;
  const seen = stats.conversations.size;
  await more();
  labels.update(join);
  const now = truth(stats, join);
  t.same(cached(stats, labels), now, 'the conversations that came since: classified');
  t.equal(labels.classifications - before, onHost(now.slice(seen)), 'only the new ones');
  const partial = tally(cached(stats, labels));

  const calls = labels.classifications;
  labels.update(join);
  t.equal(labels.classifications, calls, 'nothing new: no classify at all');

  // The second snapshot adds addresses (2001:db8::1, fe80::…) and sockets.
  const [a0, s0] = [join.addressGeneration, join.socketGeneration];
  join.add(full);
  t.ok(join.addressGeneration > a0 && join.socketGeneration > s0, 'the second snapshot adds both');
  labels.update(join);
  const want = truth(stats, join);
  t.same(cached(stats, labels), want, 'after the second snapshot: equal again');
  const after = tally(want);
  t.ok((after['explained'] ?? 0) > (partial['explained'] ?? 0), `more explained: ${JSON.stringify(partial)} → ${JSON.stringify(after)}`);
  t.ok((after['third-party'] ?? 0) < (partial['third-party'] ?? 0), 'fewer third-party');
  const rechecked = labels.classifications - calls;
  const movable = (partial['third-party'] ?? 0) + (partial['unexplained'] ?? 0);
  t.ok(rechecked > 0 && rechecked <= movable, `re-checked ${rechecked} rows, at most the ${movable} third-party and unexplained`);
  t.ok(rechecked < stats.conversations.size, 'explained rows are not re-checked');

  // A new join object (even with the same snapshots) starts over.
  const other = new LocalJoin([earlier(full), full]);
  const c2 = labels.classifications;
  labels.update(other);
  const again = truth(stats, other);
  t.equal(labels.classifications - c2, onHost(again), 'another join: every row again');
  t.same(cached(stats, labels), again);

  labels.update(null);
  t.ok(cached(stats, labels).every((l) => l === null), 'no join: no labels');
  t.ok(labels.labels.subarray(0, stats.conversations.size).every((c) => c === LABEL.UNKNOWN));
});

t.test('an IPv6 row with IPv4-mapped addresses: a new IPv4 address of the host re-checks it', async (t) => {
  const stats = new WireStats();
  const summary = new PacketSummary();
  const rec = new CaptureRecord();
  // ::ffff:198.18.0.9 and ::ffff:198.18.0.77, in hex groups (the crafting helper reads only those).
  // From and to MACs that are not the demo host's (its MAC would make the row local by itself).
  const frame = ethernet(0x86dd, ipv6(17, '::ffff:c612:9', '::ffff:c612:4d', udp(5000, 53, Buffer.alloc(4))), '02 00 00 00 00 4d', '02 00 00 00 00 09');
  rec.buf = frame;
  rec.offset = 0;
  rec.caplen = rec.wirelen = frame.length;
  rec.linktype = 1;
  decodePacket(rec, summary);
  stats.ingest(summary);
  t.equal(stats.conversations.size, 1);
  t.equal(stats.conversations.version(0), 6, 'an IPv6 row');

  const base = demoHost();
  const join = new LocalJoin(base);
  const labels = new LocalLabels(stats.conversations);
  labels.update(join);
  t.equal(labels.label(0), 'third-party');

  const more = JSON.parse(JSON.stringify(base)) as HostSnapshot;
  more.interfaces[0]!.ipv4.push({ address: '198.18.0.9', prefix_length: 24, broadcast: null, label: 'eth0' });
  join.add(more);
  labels.update(join);
  t.same([labels.label(0)], truth(stats, join), 'classify reads ::ffff:198.18.0.9 as the IPv4 address: the cache agrees');
  t.equal(labels.label(0), 'unexplained');
  const fresh = new LocalLabels(stats.conversations);
  fresh.update(join);
  t.equal(fresh.label(0), 'unexplained', 'a row first seen with the address already known: the same');
});

t.test("the summary counts what the report's local section counts", async (t) => {
  const { stats } = await demo();
  const join = new LocalJoin(demoHost());
  const labels = new LocalLabels(stats.conversations);
  labels.update(join);
  const got = localSummary(stats, labels, join.quietSockets(stats.conversations).length);
  const want = localSection(stats, join);
  t.same(got.wire, want.wire);
  t.same(got.host, want.host);
  t.same(got.explained, want.explained);
  t.same(got.unexplained, want.unexplained);
  t.same(got.thirdParty, want.third_party);
  t.same(
    got.share,
    {
      hostPackets: want.share.host_packets,
      hostBytes: want.share.host_bytes,
      explainedPackets: want.share.explained_packets,
      explainedBytes: want.share.explained_bytes,
      explainedOfHostPackets: want.share.explained_of_host_packets,
      explainedOfHostBytes: want.share.explained_of_host_bytes,
    },
  );
  t.equal(got.quietSockets, want.quiet_sockets.length);
  t.ok(want.explained.conversations > 0 && want.third_party.conversations > 0, `the demo has both: ${JSON.stringify([want.explained, want.unexplained, want.third_party])}`);
  t.ok(Object.isFrozen(got) && Object.isFrozen(got.share) && Object.isFrozen(got.explained), 'frozen, as views are');
});
